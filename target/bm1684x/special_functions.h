// exp, erf and sqrt over one tile as the BM1684X's commands: the steps ir/special_functions.h
// defines, each one ARITH or SFU command, so the simulator reproduces the host's exp_f32, erf_f32
// and sqrt_f32 bit for bit. The generator (command_generator.h) places the operands; this file
// only orders the commands.
#pragma once
#include <vector>

#include "chip/bm1684x/isa.h"
#include "ir/special_functions.h"

namespace tpuc::bm1684x {

// A polynomial's coefficients, which the SFU reads from local memory in every lane.
struct CoefficientTable {
  const char* name;
  const float* values;
  int count;
};

// The tiles a sequence works in, all f32 and laid out as `res`: its result, its operand, and
// scratch_tiles(f) tiles of its own; `tables` as tables_of(f) lists them, each an operand
// [1, res.c, 1, count] in every lane (cs 0).
struct SpecialFunctionOperands {
  Operand res, x;
  std::vector<Operand> scratch;
  std::vector<Operand> tables;
};

int scratch_tiles(SpecialFunction f);
std::vector<CoefficientTable> tables_of(SpecialFunction f);
std::vector<TiuCommand> special_function_commands(SpecialFunction f,
                                                  const SpecialFunctionOperands& o);

}  // namespace tpuc::bm1684x
