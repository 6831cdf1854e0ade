#include "ir/quant_math.h"

namespace tpuc {

void quantize_multiplier(double real, int32_t* multiplier, int* shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real > 0)) return;
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent, fraction in [0.5, 1)
  int64_t m = int64_t(std::llround(fraction * double(int64_t{1} << 31)));
  int s = 31 - exponent;
  if (m == (int64_t{1} << 31)) {  // rounding carried into the next power of two
    m >>= 1;
    --s;
  }
  while (s > 63) {  // too small to represent with shift <= 63: lose precision, maybe to zero
    m = round_shift(m, 1);
    --s;
  }
  if (s < 0) return;  // real >= 2^31: not representable; callers never need it
  *multiplier = int32_t(m);
  *shift = s;
}

}  // namespace tpuc
