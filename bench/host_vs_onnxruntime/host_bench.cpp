// Times the host executor on one model after a pass pipeline (the default one: what calibration
// and validation run): the first run, which includes import, passes and every kernel (compiled,
// or loaded from the kernel cache: target/host/kernel_cache.h), and the mean and the fastest of
// the following runs (the fastest is what a shared, noisy machine measures reproducibly). Writes
// the outputs of the last run as .npz so the driver can compare them with onnxruntime's. A
// per-operator time profile of the timed runs goes to stderr.
//   tpuc_host_bench model.onnx inputs.npz outputs.npz runs pipeline.yaml
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"
#include "target/host/executor.h"

using namespace tpuc;

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s model.onnx inputs.npz outputs.npz runs pipeline.yaml\n",
                 argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
  };
  try {
    const auto start = Clock::now();
    Graph g = import_onnx(argv[1], {});
    passes::run_pipeline(g, passes::load_pipeline(argv[5]));
    const TensorMap inputs = read_tensors(argv[2]);
    host::Executor executor(g);
    TensorMap outputs = executor.run(inputs);
    const auto first = Clock::now();
    // The split leaves out the first run: it pays one-time work (page faults, packed weights).
    std::map<const Node*, double> first_run;
    for (const auto& [node, seconds] : executor.node_seconds()) first_run[node] = seconds;
    const int runs = std::stoi(argv[4]);
    double fastest = std::numeric_limits<double>::infinity();
    for (int i = 0; i < runs; ++i) {
      const auto before = Clock::now();
      outputs = executor.run(inputs);
      fastest = std::min(fastest, ms(Clock::now() - before));
    }
    const auto end = Clock::now();
    write_npz(argv[3], outputs);
    std::map<std::string, std::pair<int, double>> by_op;  // op → nodes, seconds
    for (const auto& [node, seconds] : executor.node_seconds()) {
      by_op[node->op].first++;
      by_op[node->op].second += seconds - first_run.at(node);
    }
    for (const auto& [op, entry] : by_op)
      std::fprintf(stderr, "  %-20s %4d nodes %9.2f ms/run\n", op.c_str(), entry.first,
                   1000 * entry.second / runs);
    // What the pipeline should have removed: BatchNorm, inference no-ops, standalone activations.
    int leftover = 0;
    for (const Node& n : g.nodes)
      for (const char* op :
           {"BatchNormalization", "Identity", "Dropout", "Relu", "Clip", "LeakyRelu"})
        leftover += n.op == op;
    std::printf(
        "{\"first_run_ms\": %.1f, \"mean_ms\": %.2f, \"min_ms\": %.2f, \"nodes\": %zu, "
        "\"leftover\": %d}\n",
        ms(first - start), ms(end - first) / runs, fastest, g.nodes.size(), leftover);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
