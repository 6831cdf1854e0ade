// Text recognition with a CTC head, as CRNN-style recognizers are judged.
#pragma once
#include <string>

#include "metrics/task_metric.h"

namespace tpuc::metrics {

// Greedy CTC decoding of per-step class scores (the last dimension the classes, the steps the
// rest in order): each step's best class (the first on a tie), repeats collapsed, blanks dropped;
// class k is alphabet[k] below the blank and alphabet[k − 1] above it.
std::string ctc_greedy_decode(const Tensor& scores, const std::string& alphabet, int64_t blank);

// The Levenshtein distance of two strings (insertions, deletions and substitutions of bytes).
int64_t edit_distance(const std::string& a, const std::string& b);

}  // namespace tpuc::metrics
