// Element types of tensors, with one table of their properties (name, size, class).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tpuc {

// F64, U16, U32 and U64 come last: models and data files at the edges hold them; the host computes
// them, the chips do not.
enum class DType : uint8_t { F32, F16, BF16, I8, U8, I16, I32, I64, Bool, F64, U16, U32, U64 };

struct DTypeInfo {
  DType dtype;
  const char* name;  // as printed in .tpuir: f32 f16 bf16 i8 u8 i16 i32 i64 bool f64 u16 u32 u64
  int bytes;
  bool is_float;
  bool is_signed;
};

const DTypeInfo& info(DType t);
inline const char* name(DType t) { return info(t).name; }
inline int bytes(DType t) { return info(t).bytes; }
std::optional<DType> parse_dtype(std::string_view name);

}  // namespace tpuc
