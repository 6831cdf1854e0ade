// One function per `tpuc` subcommand; cli/<name>.cpp declares its options and calls it.
// Each returns the process exit code (0 success, 1 result outside tolerance); bad input throws
// tpuc::Error, which main prints as one line (exit code 2).
#pragma once
#include <string>
#include <vector>

namespace tpuc {

struct CompileOptions {
  std::string config;
  std::vector<std::string> overrides;                // --set key.path=value
  std::vector<std::string> dump_after, dump_before;  // pass names or "all"
  bool time_passes = false;
};

int compile_command(const CompileOptions& options);
// Import, passes and calibration only (or reuse of a table computed from the same inputs).
int calibrate_command(const CompileOptions& options);
// The float and the quantized graph on one input, value by value (min_cosine NaN: the config's).
int compare_layers_command(const CompileOptions& options, const std::string& input,
                           double min_cosine);
// Runs an .onnx or .tpuir model on the host reference, or a .bmodel on the simulator of `chip`.
int run_command(const std::string& model, const std::string& input, const std::string& output,
                const std::string& chip, const std::vector<std::string>& input_shapes,
                const std::string& trace);
// Every command of a .bmodel (tpuc's or another compiler's); format "text" or "json".
int disasm_command(const std::string& model, const std::string& format);
// `tpuc schedule show|check`: a layer of a quantized graph (graph, node), or a synthetic layer of
// one operator (op, shape, dtype, attrs; driver/synthetic_layer.h). Exactly one of graph and op.
struct ScheduleOptions {
  std::string graph, node;  // --graph tpu.tpuir [--node NAME]
  // --op OP [--shape 1x64x56x56] [--dtype int8|f16|bf16|f32]; empty: not given
  std::string op, shape, dtype;
  std::vector<std::string> attrs;  // --attr key=value
  std::string chip;                // chip description
  // The configs/ folder: the pipeline and policies a synthetic layer is compiled with.
  std::string configs;
  int samples = 3;  // check: random inputs per layer
};
// One layer compiled alone: its tile, LMEM map, lowered loops, commands and simulated cycles.
int schedule_show_command(const ScheduleOptions& options);
// Layers compiled alone and run on random inputs, simulator against host reference bit for bit:
// every layer of a graph (or one), or a synthetic layer at one shape or the op's sweep of shapes.
// Exit code 1 when any differs or fails to compile.
int schedule_check_command(const ScheduleOptions& options);
// `tpuc zoo`: every model of a manifest converted in its own process, `jobs` at a time, or as the
// tasks of a Slurm job array (docs/zoo.md).
struct ZooOptions {
  std::string manifest;
  int jobs = 1;
  std::string only;                // one model by name; empty: all
  bool resume = false;             // skip models whose inputs hash as in their last run
  bool emit_ninja = false;         // write <output_dir>/build.ninja instead of converting
  std::string executor = "local";  // or "slurm": one sbatch job array
  // sbatch's options; empty or 0: the cluster's defaults (time_min: the models' own limits).
  std::string partition, account;
  int time_min = 0, mem_mb = 0, array_limit = 0;
  bool no_wait = false;  // submit, print the job id and return
  bool collect = false;  // wait for the last submission and summarize it
  std::string run_task;  // a Slurm array task: convert this model as a local run does
};
// Exit code 1 when any model does not pass.
int zoo_command(const ZooOptions& options);
// What `tpuc compare` asks of each tensor: similarity minimums, or with `allclose` numpy's
// allclose (ONNX's backend tests: rtol 1e-3, atol 1e-7).
struct CompareTolerance {
  double min_cosine = 0.99, min_euclidean = 0.9;
  bool allclose = false;
  double rtol = 1e-3, atol = 1e-7;
};
// Files: .npz, .npy, .pb or a folder of output_N.pb (driver/tensor_files.h).
int compare_command(const std::string& reference, const std::string& actual,
                    const CompareTolerance& tolerance);
int import_command(const std::string& model, const std::string& output,
                   const std::vector<std::string>& input_shapes);

}  // namespace tpuc
