// The chip's data-type codes and scalar bits, shared by both engines' encodings: the TIU's *_prec
// and *_sign fields and the GDMA's src_data_format use one numbering (int8 0, f16 1, f32 2, int16
// 3, int32 4, bf16 5: ../shared/reference/bmodel.md §2), and a scalar operand or a fill constant
// travels as its value's bits in a 32-bit field.
#pragma once
#include <cstdint>

#include "ir/dtype.h"

namespace tpuc::bm1684x {

// The precision code of `t` (one-byte types share int8's: a copy moves bytes, whatever they
// mean); an Error for a type the chip has no code for.
unsigned precision_code(DType t);
// The type of a code and sign bit (an integer code with sign 0 is unsigned; only uint8 is one
// tpuc has); an Error for a code tpuc does not run.
DType dtype_of_precision(unsigned code, bool is_signed = true);

// The 32 bits of `value` in type `t` (integers two's complement, sign-extended to 32 bits; f16 and
// bf16 rounded to nearest even); scalar_value reads them back.
uint64_t scalar_bits(double value, DType t);
double scalar_value(uint64_t bits, DType t);

}  // namespace tpuc::bm1684x
