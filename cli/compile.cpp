// `tpuc compile --config X`: the whole pipeline (driver/compile.cpp).
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_compile(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* compile =
      app.add_subcommand("compile", "import, optimize, calibrate, quantize and validate a model");
  add_config_options(*compile, *options);
  compile->add_option("--dump-ir-after", options->dump_after,
                      "write the graph after these passes (or 'all')");
  compile->add_option("--dump-ir-before", options->dump_before,
                      "write the graph before these passes (or 'all')");
  compile->add_flag("--time-passes", options->time_passes, "print the time of every pass");
  compile->callback([options, &exit_code] { exit_code = compile_command(*options); });
}

}  // namespace tpuc::cli
