// Fuzz target: arbitrary bytes as an .onnx file through the importer, then canonicalize and shape
// inference (every operator's attribute and shape checks). A tpuc::Error is the expected answer to
// bad input; anything else — another exception, a crash, a sanitizer report, a hang — is a bug.
// Built with libFuzzer under clang (TPUC_FUZZ=ON, tests/fuzz/README.md), and in every build as a
// replayer that runs the committed corpus (ctest ImportFuzzCorpus).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"

namespace {

// The importer reads files; each process writes its inputs to one private temporary file.
const std::string& scratch_file() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/tpuc_fuzz_" + std::to_string(getpid()) + ".onnx";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratch_file();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    tpuc::Graph g = tpuc::import_onnx(path);
    tpuc::passes::run_pipeline(g, tpuc::passes::make_pipeline({"canonicalize", "shape-inference"}));
  } catch (const tpuc::Error&) {
  }
  std::remove(path.c_str());
  return 0;
}
