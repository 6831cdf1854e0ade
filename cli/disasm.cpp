// `tpuc disasm model.bmodel [--format text|json]`: every command of the streams, every field.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

void add_disasm(CLI::App& app, int& exit_code) {
  auto model = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  CLI::App* disasm = app.add_subcommand(
      "disasm", "print every command of a .bmodel with every field (any BM1684X .bmodel)");
  disasm->add_option("model", *model, ".bmodel")->required();
  disasm->add_option("--format", *format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  disasm->callback([model, format, &exit_code] { exit_code = disasm_command(*model, *format); });
}

}  // namespace tpuc::cli
