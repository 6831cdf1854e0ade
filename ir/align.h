// Integer rounding shared by every stage that lays memory out or counts tiles, lanes and cycles.
#pragma once
#include <type_traits>

namespace tpuc {

// ⌈a / b⌉ for a ≥ 0, b > 0.
template <class T>
constexpr T ceil_div(T a, T b) {
  static_assert(std::is_integral_v<T>, "integers only");
  return (a + b - 1) / b;
}

// The least multiple of `alignment` that is ≥ v (v ≥ 0, alignment > 0).
template <class T>
constexpr T align_up(T v, T alignment) {
  return ceil_div(v, alignment) * alignment;
}

}  // namespace tpuc
