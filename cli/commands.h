// One function per `tpuc` subcommand; cli/main.cpp parses the command line and calls them.
// Each returns the process exit code (0 success, 1 result outside tolerance); bad input throws
// tpuc::Error, which main prints as one line.
#pragma once
#include <string>
#include <vector>

namespace tpuc {

struct CompileOptions {
  std::string config;
  std::vector<std::string> overrides;          // --set key.path=value
  std::vector<std::string> dump_after, dump_before;  // pass names or "all"
  bool time_passes = false;
};

int compile_command(const CompileOptions& options);
// Import, passes and calibration only (or reuse of a table computed from the same inputs).
int calibrate_command(const CompileOptions& options);
// The float and the quantized graph on one input, value by value (min_cosine NaN: the config's).
int compare_layers_command(const CompileOptions& options, const std::string& input, double min_cosine);
// Runs an .onnx or .tpuir model on the host reference, or a .tpumodel on the simulator of `chip`.
int run_command(const std::string& model, const std::string& input, const std::string& output, const std::string& chip,
                const std::vector<std::string>& input_shapes,
                const std::string& trace);
int disasm_command(const std::string& model);
// One layer of a quantized graph (.tpuir) compiled alone: its tile, LMEM map, lowered loops,
// commands and simulated cycles.
int schedule_show_command(const std::string& graph, const std::string& node, const std::string& chip);
// Every layer (or one) compiled alone and run on random inputs: simulator against host reference,
// bit for bit; exit code 1 when any layer differs or fails to compile.
int schedule_check_command(const std::string& graph, const std::string& node, const std::string& chip, int samples);
int compare_command(const std::string& reference, const std::string& actual, double min_cosine, double min_euclidean);
int import_command(const std::string& model, const std::string& output, const std::vector<std::string>& input_shapes);

}  // namespace tpuc
