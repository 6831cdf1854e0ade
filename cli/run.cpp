// `tpuc run MODEL --input x.npz --output y.npz`: the host reference, or the simulator for a
// model file.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

struct RunOptions {
  std::string model, input, output, chip = TPUC_DEFAULT_CHIP, trace;
  std::vector<std::string> input_shapes;
};

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand(
      "run", "run a model: .onnx/.tpuir on the host reference, .bmodel on the simulator");
  run->add_option("model", options->model, ".onnx, .tpuir or .bmodel")->required();
  run->add_option("--chip", options->chip,
                  "chip description for .bmodel (default: " TPUC_DEFAULT_CHIP ")");
  run->add_option("--input", options->input, "inputs (.npz or .npy)")->required();
  run->add_option("--output", options->output, "outputs (.npz)")->required();
  add_input_shape_option(*run, options->input_shapes);
  run->add_option("--trace", options->trace,
                  ".bmodel: write the simulated timeline as a Chrome trace (opens in Perfetto)");
  run->callback([options, &exit_code] {
    const RunOptions& o = *options;
    exit_code = run_command(o.model, o.input, o.output, o.chip, o.input_shapes, o.trace);
  });
}

}  // namespace tpuc::cli
