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
  zoo->add_option("--executor", options->executor,
                  "local (default): convert here, -j at a time; slurm: submit one Slurm job array "
                  "(docs/zoo.md)")
      ->check(CLI::IsMember({"local", "slurm"}));
  zoo->add_option("--partition", options->partition, "slurm: the partition (sbatch --partition)");
  zoo->add_option("--account", options->account, "slurm: the account (sbatch --account)");
  zoo->add_option("--time", options->time_min,
                  "slurm: the longest time limit of a task in minutes (default: each model's "
                  "timeout_s, rounded up to minutes)")
      ->check(CLI::PositiveNumber);
  zoo->add_option("--mem", options->mem_mb, "slurm: memory per task in MB (sbatch --mem)")
      ->check(CLI::PositiveNumber);
  zoo->add_option("--array-limit", options->array_limit,
                  "slurm: tasks running at once at most (sbatch --array=...%N)")
      ->check(CLI::PositiveNumber);
  zoo->add_flag("--no-wait", options->no_wait,
                "slurm: submit, print the job id and return; --collect gathers the results");
  zoo->add_flag("--collect", options->collect,
                "wait for the last Slurm submission of this manifest and summarize it");
  // What each task of the Slurm job array runs: one model, as a local run converts it.
  zoo->add_option("--run-task", options->run_task)->group("");
  zoo->callback([options, &exit_code] { exit_code = zoo_command(*options); });
}

}  // namespace tpuc::cli
