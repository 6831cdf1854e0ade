#include "tests/support/random_tensor.h"

namespace tpuc::testing {

Tensor random_input(const TensorType& type, double lo, double hi, unsigned seed) {
  Tensor out;
  switch (type.dtype) {
    case DType::F32:
      out = random_tensor<float>(DType::F32, type.shape, lo, hi, seed);
      break;
    case DType::F16:
    case DType::BF16:  // drawn in f32, then rounded once as every f16/bf16 value is
      out = convert_float(random_tensor<float>(DType::F32, type.shape, lo, hi, seed), type.dtype);
      break;
    case DType::I8:
      out = random_tensor<int8_t>(DType::I8, type.shape, lo, hi, seed);
      break;
    case DType::U8:
      out = random_tensor<uint8_t>(DType::U8, type.shape, lo, hi, seed);
      break;
    case DType::I16:
      out = random_tensor<int16_t>(DType::I16, type.shape, lo, hi, seed);
      break;
    case DType::I32:
      out = random_tensor<int32_t>(DType::I32, type.shape, lo, hi, seed);
      break;
    case DType::I64:
      out = random_tensor<int64_t>(DType::I64, type.shape, lo, hi, seed);
      break;
    case DType::F64:
      out = random_tensor<double>(DType::F64, type.shape, lo, hi, seed);
      break;
    case DType::U16:
      out = random_tensor<uint16_t>(DType::U16, type.shape, lo, hi, seed);
      break;
    case DType::U32:
      out = random_tensor<uint32_t>(DType::U32, type.shape, lo, hi, seed);
      break;
    case DType::U64:
      out = random_tensor<uint64_t>(DType::U64, type.shape, lo, hi, seed);
      break;
    case DType::Bool: {
      out = random_tensor<int64_t>(DType::I64, type.shape, lo, hi, seed);
      Tensor truth(TensorType{DType::Bool, type.shape, std::nullopt});
      for (int64_t i = 0; i < out.size(); ++i) truth.as<uint8_t>()[i] = out.as<int64_t>()[i] != 0;
      out = truth;
      break;
    }
  }
  out.type = type;
  return out;
}

}  // namespace tpuc::testing
