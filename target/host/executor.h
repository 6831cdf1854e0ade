// The host reference executor: runs a Graph (float or quantized) on the CPU, one Halide pipeline
// per node, compiled once per machine (target/host/kernel_cache.h) and reused across runs.
// Calibration, `tpuc run` on .onnx/.tpuir and every comparison go through it.
#pragma once
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/npz.h"

namespace tpuc::host {

class Executor {
 public:
  explicit Executor(const Graph& g);  // the graph must be fully typed; compiles on the first run
  ~Executor();
  // Runs the graph. `inputs` are keyed by graph input name and must match their types exactly.
  // Returns the graph outputs, or every value when keep_all is set (for per-layer comparison);
  // the executor owns them, and the next run overwrites them.
  const TensorMap& run(const TensorMap& inputs, bool keep_all = false);
  // Seconds spent in each node (graph order) over every run so far, compilation excluded.
  std::vector<std::pair<const Node*, double>> node_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tpuc::host
