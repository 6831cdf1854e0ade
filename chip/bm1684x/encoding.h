// The TIU stream in the chip's own encoding (isa/): every TiuCommand is one long-form (1024-bit)
// BM1684X command, the stream ends with the chip's SYS END. Which command each is (isa.h gives
// its semantics, docs/isa.md the table):
//   CONV conv.normal, DEPTHWISE pord.depthwise, POOL pord.maxpooling (a sum: pord.avgpooling with
//   scale 1 and shift 0), MATMUL mm.normal, REQUANT quant.rq1, Quantize quant.rq0, Dequantize
//   quant.dq0, float and int32 ARITH arith.add/sub/mul/div/max/min/copy/cast, LUT
//   sg.pe_s_gather_d1coor, an int8 Add's scaled sum arith.mul and arith.mac; the SFU functions are
//   tpuc's own (tsk_typ 12, opcodes.cpp), not yet the chip's.
// Operands use the long form's free strides (*_str 3): each one's n/c/h/w sizes and strides in
// elements, its address the local-memory byte address lane · lane_bytes + the lane-relative one. A
// scalar operand (*_const 1) holds its value's bits in the address field.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "chip/bm1684x/isa.h"
#include "chip/bm1684x/isa/command.h"

namespace tpuc::bm1684x {

// One command (not END); an Error naming the field a size, stride or address does not fit.
isa::Command to_tiu(const TiuCommand& c, uint64_t lane_bytes);
// Back from a long-form command; an Error for a command or a field value tpuc does not run.
TiuCommand from_tiu(const isa::Command& cmd, uint64_t lane_bytes, uint32_t lanes);

// `commands` end with TiuOp::End (its id is the stream's END's cmd_id).
std::string encode_tiu(const std::vector<TiuCommand>& commands, uint64_t lane_bytes);
// `where` names the stream in errors ("model.bmodel TIU stream"); errors name the command.
std::vector<TiuCommand> decode_tiu(const std::string& bytes, uint64_t lane_bytes, uint32_t lanes,
                                   const std::string& where);

}  // namespace tpuc::bm1684x
