// `tpuc config show --config X`: the resolved config with the origin of every value.
#include "driver/config.h"

#include <cstdio>
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_config(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* config = app.add_subcommand("config", "inspect compile configurations");
  config->require_subcommand(1);
  CLI::App* show = config->add_subcommand(
      "show", "print the resolved config, each value with the file and line it came from");
  add_config_options(*show, *options);
  show->callback([options, &exit_code] {
    std::fputs(show_config(options->config, options->overrides).c_str(), stdout);
    exit_code = 0;
  });
}

}  // namespace tpuc::cli
