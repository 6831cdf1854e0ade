#include "cli/subcommands.h"

namespace tpuc::cli {

void add_config_options(CLI::App& subcommand, CompileOptions& options) {
  subcommand.add_option("--config", options.config, "the compile configuration (YAML)")->required();
  subcommand.add_option("--set", options.overrides, "override a config key: key.path=value");
}

void add_input_shape_option(CLI::App& subcommand, std::vector<std::string>& input_shapes) {
  subcommand.add_option("--input-shape", input_shapes,
                        "name:1x3x224x224 for symbolic input dimensions");
}

}  // namespace tpuc::cli
