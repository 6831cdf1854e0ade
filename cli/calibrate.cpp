// `tpuc calibrate --config X`: import, passes and the calibration table only.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_calibrate(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "import, optimize and calibrate: write calibration.txt to the output folder");
  add_config_options(*calibrate, *options);
  calibrate->callback([options, &exit_code] { exit_code = calibrate_command(*options); });
}

}  // namespace tpuc::cli
