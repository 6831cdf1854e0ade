// Similarity of two tensors, with tpu-mlir's npz_tool definitions:
//   cosine; euclidean similarity = 1 - ||a-b|| / ||(a+b)/2||; SQNR = 10·log10(var(ref) /
//   var(ref-actual)) (zero-mean variances, +inf when equal); and the largest absolute difference.
#pragma once
#include "ir/tensor.h"

namespace tpuc::quant {

struct Similarity {
  double cosine = 1, euclidean = 1, sqnr_db = 0, max_abs = 0;
};

Similarity similarity(const Tensor& reference,
                      const Tensor& actual);  // throws Error if shapes differ

}  // namespace tpuc::quant
