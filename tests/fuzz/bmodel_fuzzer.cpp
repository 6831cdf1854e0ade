// Fuzz target: arbitrary bytes as a .bmodel through the reader (chip/bm1684x/bmodel) and, when it
// accepts them, the dump, the writer and the reader again. A tpuc::Error is the expected answer to
// bad input; anything else is a bug: another exception, a crash, a sanitizer report, a hang, or a
// model that does not survive writing and reading back (its dump, header aside, changes).
// Built as the importer's target is (tests/fuzz/README.md): with TPUC_FUZZ=ON a libFuzzer binary,
// tpuc_bmodel_fuzzer; otherwise tpuc_bmodel_fuzz_replay, which runs the committed corpus
// (bmodel_corpus/, ctest BmodelFuzzCorpus). To fuzz, configure build-fuzz as tests/fuzz/README.md
// says (clang, -DTPUC_FUZZ=ON), then
//   ninja -C build-fuzz tpuc_bmodel_fuzzer && mkdir -p out/fuzz/bmodel
//   build-fuzz/tests/tpuc_bmodel_fuzzer -max_total_time=600 -timeout=10 -rss_limit_mb=2048
//       out/fuzz/bmodel tests/fuzz/bmodel_corpus        (one command)
// The seeds are files the writer makes and damaged copies of them: tpuc_chip_bm1684x_bmodel_tests
// --gtest_also_run_disabled_tests --gtest_filter='*FuzzSeeds*' with TPUC_BMODEL_SEEDS=<folder>.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chip/bm1684x/bmodel/bmodel.h"
#include "ir/diagnostics.h"

namespace {

// The dump without its first line, the header, whose sizes depend on how the file was laid out.
std::string body(const std::string& dump) { return dump.substr(dump.find('\n') + 1); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bm = tpuc::bm1684x::bmodel;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  bm::BmodelFile file;
  try {
    file = bm::parse_bmodel(bytes, "fuzz.bmodel");
  } catch (const tpuc::Error&) {
    return 0;
  }
  const std::string first = bm::dump_bmodel(file);
  const bm::BmodelFile again = bm::parse_bmodel(bm::serialize_bmodel(file.model), "rewritten");
  if (body(bm::dump_bmodel(again)) != body(first)) {
    std::fprintf(stderr, "the model changed when written and read back:\n%s\n", first.c_str());
    std::abort();
  }
  return 0;
}
