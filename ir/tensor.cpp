#include "ir/tensor.h"

#include <cstring>
#include <stdexcept>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"

namespace tpuc {

int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

double Tensor::at(int64_t i) const {
  const uint8_t* p = data.data() + i * bytes(type.dtype);
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof v);
    return double(v);
  };
  auto load_bits = [p] {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return h;
  };
  switch (type.dtype) {
    case DType::F32:
      return load(float{});
    case DType::F16:
      return from_f16(load_bits());
    case DType::BF16:
      return from_bf16(load_bits());
    case DType::I8:
      return load(int8_t{});
    case DType::U8:
      return load(uint8_t{});
    case DType::I16:
      return load(int16_t{});
    case DType::I32:
      return load(int32_t{});
    case DType::I64:
      return load(int64_t{});
    case DType::Bool:
      return load(uint8_t{}) != 0;
    case DType::F64:
      return load(double{});
    case DType::U16:
      return load(uint16_t{});
    case DType::U32:
      return load(uint32_t{});
    case DType::U64:
      return load(uint64_t{});
  }
  return 0;
}

Tensor convert_float(const Tensor& t, DType to) {
  Tensor out(TensorType{to, t.type.shape, std::nullopt});
  for (int64_t i = 0; i < t.size(); ++i) {
    const float v = float(t.at(i));
    switch (to) {
      case DType::F32:
        out.as<float>()[i] = v;
        break;
      case DType::F16:
        out.as<uint16_t>()[i] = to_f16(v);
        break;
      case DType::BF16:
        out.as<uint16_t>()[i] = to_bf16(v);
        break;
      default:
        TPUC_INTERNAL_ERROR("convert_float: " + std::string(name(to)) + " is not a float type");
    }
  }
  return out;
}

Tensor transposed_matrix(const Tensor& t) {
  if (t.type.shape.size() != 2) TPUC_INTERNAL_ERROR("transposed_matrix: a 2-D tensor only");
  const int64_t rows = t.type.shape[0], columns = t.type.shape[1];
  const size_t b = size_t(bytes(t.type.dtype));
  Tensor out(t.type);
  out.type.shape = {columns, rows};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      std::memcpy(&out.data[size_t(c * rows + r) * b], &t.data[size_t(r * columns + c) * b], b);
  return out;
}

}  // namespace tpuc
