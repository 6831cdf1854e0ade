// Seeded random tensors for tests: uniform in [lo, hi], rounded for integer element types.
#pragma once
#include <cmath>
#include <random>
#include <type_traits>

#include "ir/tensor.h"

namespace tpuc::testing {

template <class T>
Tensor random_tensor(DType dtype, Shape shape, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  Tensor out(TensorType{dtype, std::move(shape), std::nullopt});
  for (int64_t i = 0; i < out.size(); ++i)
    out.as<T>()[i] = T(std::is_floating_point<T>::value ? d(rng) : std::round(d(rng)));
  return out;
}

}  // namespace tpuc::testing
