// The part of encoding.h and gdma_encoding.h that is the same for both engines: a stream of tpuc's
// commands translated one by one to the chip's forms (isa/) and framed by isa::encode_stream, and
// back. `to_real` and `from_real` translate one command; a command tpuc made that does not fit its
// fields is a bug (InternalError), a decoded one tpuc does not run is the user's Error, each naming
// the command.
#pragma once
#include <string>
#include <vector>

#include "chip/bm1684x/isa.h"
#include "chip/bm1684x/isa/opcodes.h"
#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

// `commands` end with their engine's End (its id is the stream's END's cmd_id).
template <class Cmd, class ToReal>
std::string encode_commands(isa::Engine engine, const std::vector<Cmd>& commands, ToReal to_real) {
  std::vector<isa::Command> real;
  for (const Cmd& c : commands) {
    if (c.op == decltype(c.op)::End) break;  // encode_stream ends the stream with the chip's END
    try {
      real.push_back(to_real(c));
    } catch (const Error& e) {
      TPUC_INTERNAL_ERROR(std::string(isa::engine_name(engine)) + " command " +
                          std::to_string(c.id) + " (" + mnemonic(c) + "): " + e.what());
    }
  }
  return isa::encode_stream(engine, real);
}

// The commands up to and including the End; `where` names the stream in errors.
template <class Cmd, class FromReal>
std::vector<Cmd> decode_commands(isa::Engine engine, const std::string& bytes,
                                 const std::string& where, FromReal from_real) {
  std::vector<Cmd> out;
  for (const isa::Command& cmd : isa::decode_stream(engine, bytes, where)) {
    if (isa::is_end(cmd)) {
      Cmd end;
      end.id = uint32_t(cmd.get("cmd_id"));
      end.dep = uint32_t(cmd.get("cmd_id_dep"));
      out.push_back(end);
      continue;
    }
    try {
      out.push_back(from_real(cmd));
    } catch (const Error& e) {
      throw Error(where + ": command " + std::to_string(out.size() + 1) + " (" +
                  isa::command_name(cmd) + "): " + e.what());
    }
  }
  return out;
}

}  // namespace tpuc::bm1684x
