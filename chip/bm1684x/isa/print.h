// A command as text, for a disassembler (`tpuc disasm`, `--format json`): its name (opcodes.h),
// its form and every field with its value, in the form's table order, as tpu-mlir's bmodel_dis.py
// lists them.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "chip/bm1684x/isa/command.h"

namespace tpuc::bm1684x::isa {

// One line, no newline: "arith.add sAR cmd_short=1 cmd_id=2 cmd_id_dep=0 tsk_typ=3 ...".
std::string to_text(const Command& command);

// {"name": "arith.add", "form": "sAR", "engine": "TIU", "cmd": {"cmd_short": 1, ...}}, the fields
// in table order.
nlohmann::ordered_json to_json(const Command& command);

}  // namespace tpuc::bm1684x::isa
