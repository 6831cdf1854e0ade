// Tensor types (dtype, shape, quantization) and host tensors (a type plus little-endian row-major
// bytes).
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace tpuc {

using Shape = std::vector<int64_t>;
int64_t num_elements(const Shape& s);
std::string to_string(const Shape& s);  // "1x3x224x224"

// Uniform affine quantization: real = scale * (q - zero_point).
// One scale means per-tensor; otherwise one scale per index of dimension `axis` (per-channel).
struct QuantParams {
  std::vector<double> scale;
  int64_t zero_point = 0;
  int axis = -1;
  bool operator==(const QuantParams& o) const {
    return scale == o.scale && zero_point == o.zero_point && axis == o.axis;
  }
};

struct TensorType {
  DType dtype = DType::F32;
  Shape shape;
  std::optional<QuantParams> quant;
  int64_t num_elements() const { return tpuc::num_elements(shape); }
  int64_t num_bytes() const { return num_elements() * bytes(dtype); }
  bool operator==(const TensorType& o) const {
    return dtype == o.dtype && shape == o.shape && quant == o.quant;
  }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
};
// The zero point of an int8 type (0 without quantization parameters).
inline int zero_point(const TensorType& t) { return t.quant ? int(t.quant->zero_point) : 0; }
std::string to_string(const TensorType& t);  // .tpuir spelling, e.g. "i8[1,16,28,28]{scale=0.5}"

// A tensor on the host. f16/bf16 elements are stored as their 16-bit patterns.
struct Tensor {
  TensorType type;
  std::vector<uint8_t> data;  // type.num_bytes() bytes

  Tensor() = default;
  explicit Tensor(TensorType t) : type(std::move(t)), data(type.num_bytes()) {}
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(data.data());
  }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(data.data());
  }
  int64_t size() const { return type.num_elements(); }
  // Element i converted to double (for comparisons, printing and float statistics).
  double at(int64_t i) const;
  bool operator==(const Tensor& o) const { return type == o.type && data == o.data; }
};

// A float tensor (f32, f16, bf16) converted to another float dtype; narrowing rounds to nearest
// even (ir/quant_math.h), widening is exact. Quantization parameters are dropped.
Tensor convert_float(const Tensor& t, DType to);

// A 2-D tensor [R, C] as [C, R], of any element type (a Gemm's B as transB = 1 takes it).
Tensor transposed_matrix(const Tensor& t);

// Builds a tensor from values of a C++ type matching `dtype` (e.g. float for F32).
template <class T>
Tensor make_tensor(DType dtype, Shape shape, const std::vector<T>& values) {
  Tensor t(TensorType{dtype, std::move(shape), std::nullopt});
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

}  // namespace tpuc
