#include "metrics/ctc.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "ir/diagnostics.h"

namespace tpuc::metrics {

std::string ctc_greedy_decode(const Tensor& scores, const std::string& alphabet, int64_t blank) {
  const Shape& s = scores.type.shape;
  const int64_t classes = int64_t(alphabet.size()) + 1;
  if (s.empty() || s.back() != classes)
    throw Error("a CTC output of shape " + to_string(s) + " does not end in " +
                std::to_string(classes) + " classes (the alphabet's " +
                std::to_string(alphabet.size()) + " characters and the blank)");
  std::string text;
  int64_t previous = blank;
  for (int64_t step = 0; step < scores.size() / classes; ++step) {
    int64_t best = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (scores.at(step * classes + k) > scores.at(step * classes + best)) best = k;
    if (best != blank && best != previous) text += alphabet[size_t(best - (best > blank))];
    previous = best;
  }
  return text;
}

int64_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<int64_t> row(b.size() + 1);  // distances of a's prefix to each prefix of b
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diagonal = row[0];
    row[0] = int64_t(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t substituted = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substituted});
    }
  }
  return row[b.size()];
}

}  // namespace tpuc::metrics
