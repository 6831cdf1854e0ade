// Fuzz target: arbitrary bytes as a command stream through the decoders the simulator runs
// (chip/bm1684x/encoding.h, gdma_encoding.h): the first byte picks the engine (even: TIU, odd:
// GDMA), the rest is the stream. A tpuc::Error is the expected answer to bad input; anything else
// is a bug: another exception (an InternalError when a decoded command cannot be encoded again, so
// the decoder accepted what the chip's fields cannot say), a crash, a sanitizer report, a hang, or
// a stream whose commands do not survive encoding and decoding again unchanged.
// Built as the importer's target is (tests/fuzz/README.md): tpuc_stream_fuzzer with TPUC_FUZZ=ON,
// otherwise tpuc_stream_fuzz_replay over stream_corpus/ (ctest StreamFuzzCorpus). The seeds are
// streams of every command kind tpuc emits: tpuc_chip_bm1684x_tests
// --gtest_also_run_disabled_tests --gtest_filter='*StreamFuzzSeeds*' with TPUC_STREAM_SEEDS=<dir>.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/gdma_encoding.h"
#include "chip/bm1684x/isa/print.h"
#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"

namespace {

constexpr uint64_t kLaneBytes = 1 << 18;
constexpr uint32_t kLanes = 64;

// Decodes `bytes` as the engine's stream and encodes the commands again.
std::string round_trip(bool tiu, const std::string& bytes) {
  using namespace tpuc::bm1684x;
  if (tiu) return encode_tiu(decode_tiu(bytes, kLaneBytes, kLanes, "fuzz"), kLaneBytes);
  return encode_gdma_stream(decode_gdma_stream(bytes, kLaneBytes, kLanes, "fuzz"), kLaneBytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool tiu = data[0] % 2 == 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string once;
  try {
    once = round_trip(tiu, bytes);
  } catch (const tpuc::Error&) {
    return 0;
  }
  const std::string twice = round_trip(tiu, once);
  if (twice != once) {
    namespace isa = tpuc::bm1684x::isa;
    const isa::Engine engine = tiu ? isa::Engine::kTiu : isa::Engine::kGdma;
    const auto a = isa::decode_stream(engine, once, "once"),
               b = isa::decode_stream(engine, twice, "twice");
    for (size_t k = 0; k < a.size() && k < b.size(); ++k)
      if (a[k] != b[k])
        std::fprintf(stderr, "command %zu changed:\n  %s\n  %s\n", k + 1,
                     isa::to_text(a[k]).c_str(), isa::to_text(b[k]).c_str());
    std::abort();
  }
  return 0;
}
