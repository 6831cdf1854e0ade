#include "ir/dtype.h"

#include <array>

namespace tpuc {

static constexpr std::array<DTypeInfo, 13> kDTypes = {{
    {DType::F32, "f32", 4, true, true},
    {DType::F16, "f16", 2, true, true},
    {DType::BF16, "bf16", 2, true, true},
    {DType::I8, "i8", 1, false, true},
    {DType::U8, "u8", 1, false, false},
    {DType::I16, "i16", 2, false, true},
    {DType::I32, "i32", 4, false, true},
    {DType::I64, "i64", 8, false, true},
    {DType::Bool, "bool", 1, false, false},
    {DType::F64, "f64", 8, true, true},
    {DType::U16, "u16", 2, false, false},
    {DType::U32, "u32", 4, false, false},
    {DType::U64, "u64", 8, false, false},
}};

const DTypeInfo& info(DType t) { return kDTypes[static_cast<size_t>(t)]; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const DTypeInfo& d : kDTypes)
    if (name == d.name) return d.dtype;
  return std::nullopt;
}

}  // namespace tpuc
