// What each command is, as tpu-mlir's opdef.py names it: the TIU's task types (tsk_typ) and their
// subtypes (tsk_eu_typ), the GDMA's command types (cmd_type) and their special functions
// (cmd_special_function), and the form a long (cmd_short 0) or short (cmd_short 1) command of each
// takes. The stream decoder identifies commands by these tables; a disassembler names them
// "arith.add", "conv.normal", "dma.tensor".
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "chip/bm1684x/isa/command.h"
#include "chip/bm1684x/isa/forms.h"

namespace tpuc::bm1684x::isa {

struct Subtype {
  unsigned code = 0;  // tsk_eu_typ, or cmd_special_function
  std::string name;   // "arith.add", "dma.tensor.broadcast"
};

struct Task {
  Engine engine = Engine::kTiu;
  unsigned code = 0;            // tsk_typ, or cmd_type
  std::string_view name;        // "AR", "MM2", "SYS", "DMA_tensor"
  std::string_view long_form;   // the form of its commands with cmd_short 0; "" when none
  std::string_view short_form;  // with cmd_short 1; "" when none
  std::vector<Subtype> subtypes;

  const Subtype* subtype(unsigned code) const;
  // SYS and LAR commands take one form whatever bit 0 holds (in their forms it is not cmd_short).
  bool short_bit_ignored() const { return long_form == short_form; }
};

// The engine's tasks in code order. Two TIU tasks share tsk_typ 2 (MM: tsk_eu_typ 1-3, MM2: 4-6)
// and two tsk_typ 6 (SG: 0-16, SGL: 17-18).
const std::vector<Task>& tasks(Engine engine);
// The task of this code that has this subtype; null when none has.
const Task* find_task(Engine engine, unsigned code, unsigned subtype);
// "MM" for tsk_typ 2 (the first task of the code); "" for an unknown code.
std::string_view task_name(Engine engine, unsigned code);

// The command's name by its tsk_typ/tsk_eu_typ or cmd_type/cmd_special_function: "arith.add",
// "sys.end", "dma.tensor"; the form's name and the subtype ("SEG.3") for a pair no table names.
std::string command_name(const Command& command);

}  // namespace tpuc::bm1684x::isa
