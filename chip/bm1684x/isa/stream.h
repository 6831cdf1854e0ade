// An engine's command stream as the chip reads it: the engine's commands one after another (their
// forms have different lengths), numbered by cmd_id 1, 2, 3, ..., then the engine's END command
// (which takes the next cmd_id) and zero bytes up to a multiple of 128 bytes. The facts are in
// ../shared/reference/bmodel.md §2 and §4: tpu-mlir's python/debugger/target_1684x/decoder.py
// (how it splits a stream and where it stops) and a .bmodel tpu-mlir wrote (how END looks).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "chip/bm1684x/isa/command.h"
#include "chip/bm1684x/isa/opcodes.h"

namespace tpuc::bm1684x::isa {

constexpr size_t kStreamAlignment = 128;

// Where an engine's commands say which form they take (decoder.py's TiuHead and DmaHead): the
// same bits in every form of the engine that has these fields.
struct Head {
  Field short_bit;  // cmd_short
  Field type;       // tsk_typ, or cmd_type
  Field subtype;    // tsk_eu_typ, or cmd_special_function
};
const Head& head(Engine engine);

struct Identified {
  const Form* form = nullptr;  // null when the head names no form
  const Task* task = nullptr;
  std::string problem;  // why no form: "unknown tsk_typ 11", "truncated ..."
};
// The form of the command at the start of `bytes`, from its head.
Identified identify(Engine engine, std::string_view bytes);

// The engine's END command: TIU SYS END (SYSID, tsk_typ 15, tsk_eu_typ 31, cmd_id_en 0); GDMA
// sDMA_sys (cmd_short 1, cmd_type 6, special function 0, cmd_id_en 1); both as tpu-mlir writes
// them.
Command end_command(Engine engine, uint64_t cmd_id);
bool is_end(const Command& command);

// The commands (cmd_id 1, 2, 3, ... in order, no END among them), the END command and the zero
// padding. A command of the other engine, one out of sequence, an END, or one whose head names
// another form than its own (it would decode differently) is an Error naming the command.
std::string encode_stream(Engine engine, const std::vector<Command>& commands);

// The commands up to and including END. An Error "<where>: command <k> at byte <b>: ..." (k counts
// from 1, as cmd_id does) for an unknown tsk_typ/tsk_eu_typ or cmd_type/special function, a
// truncated command, a cmd_id out of sequence, a missing END, or anything but zero padding to the
// next multiple of 128 bytes after END.
std::vector<Command> decode_stream(Engine engine, std::string_view bytes, std::string_view where);

}  // namespace tpuc::bm1684x::isa
