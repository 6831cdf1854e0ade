// Seeded random tensors for tests: uniform in [lo, hi], rounded for integer element types.
#pragma once
#include <cmath>
#include <random>
#include <type_traits>

#include "ir/tensor.h"

namespace tpuc::testing {

// A tensor of `dtype` whose elements, stored as T, are drawn uniformly from [lo, hi] (rounded to
// the nearest integer for an integer T); the same seed gives the same tensor.
template <class T>
Tensor random_tensor(DType dtype, Shape shape, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(lo, hi);
  Tensor out(TensorType{dtype, std::move(shape), std::nullopt});
  T* elements = out.as<T>();
  for (int64_t i = 0; i < out.size(); ++i) {
    const double value = uniform(rng);
    elements[i] = T(std::is_floating_point<T>::value ? value : std::round(value));
  }
  return out;
}

// A tensor of exactly `type` (its quantization included) with elements drawn uniformly from
// [lo, hi] and rounded to its element type: f16 and bf16 round to nearest even, integers to the
// nearest integer, bool is 1 where the rounded value is not 0. The range must fit the type.
Tensor random_input(const TensorType& type, double lo, double hi, unsigned seed);

}  // namespace tpuc::testing
