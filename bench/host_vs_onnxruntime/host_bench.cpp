// Times the host executor on one model: the first run (which includes JIT compilation of every
// node) and the mean of the following runs. Writes the outputs of the last run as .npz so the
// driver can compare them with onnxruntime's.
//   tpuc_host_bench model.onnx inputs.npz outputs.npz runs
#include <chrono>
#include <cstdio>
#include <string>

#include "backend/host/executor.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"

using namespace tpuc;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s model.onnx inputs.npz outputs.npz runs\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  try {
    const auto start = Clock::now();
    Graph g = import_onnx(argv[1], {});
    passes::run_pipeline(g, passes::import_pipeline());
    const TensorMap inputs = read_tensors(argv[2]);
    host::Executor executor(g);
    TensorMap outputs = executor.run(inputs);
    const auto first = Clock::now();
    const int runs = std::stoi(argv[4]);
    for (int i = 0; i < runs; ++i) outputs = executor.run(inputs);
    const auto end = Clock::now();
    write_npz(argv[3], outputs);
    std::printf("{\"first_run_ms\": %.1f, \"mean_ms\": %.2f, \"nodes\": %zu}\n", ms(first - start),
                ms(end - first) / runs, g.nodes.size());
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
