// `tpuc disasm model.tpumodel`: the command streams as text.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_disasm(CLI::App& app, int& exit_code) {
  auto model = std::make_shared<std::string>();
  CLI::App* disasm = app.add_subcommand("disasm", "print the command streams of a .tpumodel");
  disasm->add_option("model", *model, ".tpumodel")->required();
  disasm->callback([model, &exit_code] { exit_code = disasm_command(*model); });
}

}  // namespace tpuc::cli
