#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

Expr round_shift(Expr v, Expr shift) {
  v = cast<int64_t>(v);
  shift = cast<int64_t>(shift);
  Expr half = select(shift > 0, cast<int64_t>(1) << max(shift - 1, 0), cast<int64_t>(0));
  return select(v >= 0, (v + half) >> shift, -((-v + half) >> shift));
}

Expr saturate_i8(Expr v) { return cast<int8_t>(clamp(v, -128, 127)); }

Expr requantize(Expr acc, Expr multiplier, Expr shift, Expr zero_point) {
  Expr v = round_shift(cast<int64_t>(acc) * cast<int64_t>(multiplier), shift);
  return saturate_i8(v + cast<int64_t>(zero_point));
}

Expr round_half_away(Expr v) {
  Expr t = trunc(v);
  return t + select(abs(v - t) >= 0.5f, select(v < 0, -1.0f, 1.0f), 0.0f);
}

Expr quantize(Expr x, Expr inv_scale, int zero_point) {
  Expr v = cast<int64_t>(round_half_away(cast<float>(x) * inv_scale));
  return saturate_i8(zero_point ? v + zero_point : v);
}

Expr dequantize(Expr q, Expr scale, int zero_point) {
  return zero_point ? cast<float>(cast<int32_t>(q) - zero_point) * scale : cast<float>(q) * scale;
}

}  // namespace tpuc::ops
