// `tpuc zoo --manifest zoo.yaml`: every model of a manifest, each in its own process (docs/zoo.md).
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_zoo(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ZooOptions>();
  CLI::App* zoo = app.add_subcommand("zoo",
                                     "convert every model of a manifest, each in its own process; "
                                     "a summary table and zoo.json");
  zoo->add_option("--manifest", options->manifest, "the zoo manifest (YAML, docs/zoo.md)")
      ->required();
  zoo->add_option("-j,--jobs", options->jobs, "models converted at once (default 1)");
  zoo->add_option("--only", options->only, "convert only the model of this name");
  zoo->add_flag("--resume", options->resume,
                "skip models whose compiler, config, model and data are unchanged since their "
                "last run");
  zoo->add_flag("--emit-ninja", options->emit_ninja,
                "write <output_dir>/build.ninja: `ninja -C <output_dir>` reconverts what changed");
  zoo->callback([options, &exit_code] { exit_code = zoo_command(*options); });
}

}  // namespace tpuc::cli
