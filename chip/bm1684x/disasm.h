// `tpuc disasm`: every command of a .bmodel's streams with every field, in the chip's own forms
// (isa/print.h), by net, stage and subnet, and by layer when tpuc's sidecar names them
// (docs/model-format.md). It reads any BM1684X .bmodel, not only tpuc's: the streams are decoded
// by isa::decode_stream, never through tpuc's command structs.
#pragma once
#include <string>

#include "chip/bm1684x/model_file.h"

namespace tpuc::bm1684x {

enum class DisasmFormat { kText, kJson };

// The listing of the .bmodel write_model would write for `m`.
std::string disassemble(const Model& m, DisasmFormat format = DisasmFormat::kText);
// The listing of the .bmodel at `path`, with its sidecar when there is one. Every problem is one
// Error naming the file: a damaged container, an undecodable stream, a tpuc host layer whose
// parameters do not parse, a sidecar that does not match.
std::string disassemble_file(const std::string& path, DisasmFormat format);

}  // namespace tpuc::bm1684x
