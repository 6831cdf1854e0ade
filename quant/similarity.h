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

// numpy.allclose, as ONNX's backend tests compare (rtol 1e-3, atol 1e-7): the first element i with
// |actual − reference| > atol + rtol·|reference| (equal values, infinities included, and two NaNs
// match), or −1 when none is. The shapes must be equal.
int64_t first_not_close(const Tensor& reference, const Tensor& actual, double rtol, double atol);

}  // namespace tpuc::quant
