// Element types of tensors, with one table of their properties (name, size, class).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tpuc {

enum class DType : uint8_t { F32, F16, BF16, I8, U8, I16, I32, I64, Bool };

struct DTypeInfo {
  DType dtype;
  const char* name;  // as printed in .tpuir: f32 f16 bf16 i8 u8 i16 i32 i64 bool
  int bytes;
  bool is_float;
  bool is_signed;
};

const DTypeInfo& info(DType t);
inline const char* name(DType t) { return info(t).name; }
inline int bytes(DType t) { return info(t).bytes; }
std::optional<DType> parse_dtype(std::string_view name);

}  // namespace tpuc
