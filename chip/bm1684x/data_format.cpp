#include "chip/bm1684x/data_format.h"

#include <cstring>
#include <string>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"

namespace tpuc::bm1684x {

namespace {

struct Format {
  DType dtype;
  unsigned code;
};
// The first row of a code is the type it decodes to (with the sign bit set).
constexpr Format kFormats[] = {{DType::I8, 0},  {DType::F16, 1}, {DType::F32, 2},
                               {DType::I16, 3}, {DType::I32, 4}, {DType::BF16, 5},
                               {DType::U8, 0},  {DType::Bool, 0}};

}  // namespace

unsigned precision_code(DType t) {
  for (const Format& f : kFormats)
    if (f.dtype == t) return f.code;
  throw Error(std::string(name(t)) + " has no BM1684X data format");
}

DType dtype_of_precision(unsigned code, bool is_signed) {
  if (code == 0 && !is_signed) return DType::U8;
  for (const Format& f : kFormats)
    if (f.code == code) return f.dtype;
  throw Error("data format " + std::to_string(code) + " is not one tpuc runs");
}

uint64_t scalar_bits(double value, DType t) {
  if (t == DType::F32) {
    const float f = float(value);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return bits;
  }
  if (t == DType::F16) return to_f16(float(value));
  if (t == DType::BF16) return to_bf16(float(value));
  return uint32_t(int32_t(int64_t(value)));
}

double scalar_value(uint64_t bits, DType t) {
  if (t == DType::F32) {
    const uint32_t b = uint32_t(bits);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  if (t == DType::F16) return from_f16(uint16_t(bits));
  if (t == DType::BF16) return from_bf16(uint16_t(bits));
  if (t == DType::U8 || t == DType::Bool) return double(uint8_t(bits));
  if (bytes(t) == 1) return double(int8_t(uint8_t(bits)));
  if (bytes(t) == 2) return double(int16_t(uint16_t(bits)));
  return double(int32_t(uint32_t(bits)));
}

}  // namespace tpuc::bm1684x
