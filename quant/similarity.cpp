#include "quant/similarity.h"

#include <cmath>
#include <limits>

#include "ir/diagnostics.h"

namespace tpuc::quant {

Similarity similarity(const Tensor& reference, const Tensor& actual) {
  if (reference.type.shape != actual.type.shape)
    throw Error("cannot compare tensors of shapes " + to_string(reference.type.shape) + " and " +
                to_string(actual.type.shape));
  const int64_t n = reference.size();
  double dot = 0, rr = 0, aa = 0, diff2 = 0, sum2 = 0, ref_sum = 0, noise_sum = 0, ref_sq = 0,
         noise_sq = 0;
  Similarity s;
  for (int64_t i = 0; i < n; ++i) {
    const double r = reference.at(i), a = actual.at(i), d = r - a, m = (r + a) / 2;
    dot += r * a;
    rr += r * r;
    aa += a * a;
    diff2 += d * d;
    sum2 += m * m;
    ref_sum += r;
    ref_sq += r * r;
    noise_sum += d;
    noise_sq += d * d;
    s.max_abs = std::max(s.max_abs, std::fabs(d));
  }
  const double inf = std::numeric_limits<double>::infinity();
  s.cosine = rr == 0 && aa == 0 ? 1.0 : (rr == 0 || aa == 0 ? 0.0 : dot / std::sqrt(rr * aa));
  s.euclidean = diff2 == 0 ? 1.0 : (sum2 == 0 ? 0.0 : 1.0 - std::sqrt(diff2) / std::sqrt(sum2));
  const double var_ref = n ? ref_sq / double(n) - (ref_sum / double(n)) * (ref_sum / double(n)) : 0;
  const double var_noise =
      n ? noise_sq / double(n) - (noise_sum / double(n)) * (noise_sum / double(n)) : 0;
  s.sqnr_db = var_noise <= 0 ? inf : (var_ref <= 0 ? -inf : 10 * std::log10(var_ref / var_noise));
  return s;
}

int64_t first_not_close(const Tensor& reference, const Tensor& actual, double rtol, double atol) {
  for (int64_t i = 0; i < reference.size(); ++i) {
    const double want = reference.at(i), got = actual.at(i);
    if (want == got || (std::isnan(want) && std::isnan(got))) continue;
    if (!(std::fabs(got - want) <= atol + rtol * std::fabs(want))) return i;
  }
  return -1;
}

}  // namespace tpuc::quant
