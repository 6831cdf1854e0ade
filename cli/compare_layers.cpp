// `tpuc compare-layers --config X --input x.npz`: float against quantized graph, value by value.
#include <cmath>
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

struct CompareLayersOptions {
  CompileOptions compile;
  std::string input;
  double min_cosine = std::nan("");  // NaN: the config's validation tolerance
};

}  // namespace

void add_compare_layers(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareLayersOptions>();
  CLI::App* layers = app.add_subcommand(
      "compare-layers",
      "float vs quantized graph value by value on one input; marks the first below tolerance");
  add_config_options(*layers, options->compile);
  layers->add_option("--input", options->input, "the input (.npz or .npy)")->required();
  layers->add_option("--cosine", options->min_cosine,
                     "minimum cosine (default: the config's validation tolerance)");
  layers->callback([options, &exit_code] {
    exit_code = compare_layers_command(options->compile, options->input, options->min_cosine);
  });
}

}  // namespace tpuc::cli
