// Attributes that several stages read or write, typed: each is stored in a Node under its keys
// (so the .tpuir text shows them) and read and written only through these structs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::ops {

// The activation fuse-activation folds into the op before it (Conv, Gemm, Add), applied to the
// op's result in this order: max(v, z) when `relu`; then min(v, z + relu_limit) when given
// (output units: f32, or int8 steps once quantized; z is the int8 result's zero point, else 0);
// then v < 0 ? leaky_alpha·v : v (float only).
struct FusedActivation {
  bool relu = false;                  // key do_relu
  std::optional<double> relu_limit;   // key relu_limit
  std::optional<double> leaky_alpha;  // key leaky_alpha

  static FusedActivation of(const Node& n);
  void store(Node& n) const;  // sets the keys of what is present, erases the others
  bool any() const { return relu || relu_limit || leaky_alpha; }
};

// Requantization of an int8 op's int32 result (ir/quant_math.h `requantize`): per output channel
// for Conv, Gemm and GlobalAveragePool; for an int8 Add one multiplier per operand and one shift.
struct Requantization {
  std::vector<int64_t> multiplier;  // key multiplier
  std::vector<int64_t> rshift;      // key rshift

  static Requantization of(const Node& n);
  void store(Node& n) const;
  static void erase(Node& n);  // removes the keys
};

// Gemm's attributes, with ONNX's defaults.
struct GemmAttrs {
  bool trans_a = false, trans_b = false;
  double alpha = 1, beta = 1;

  static GemmAttrs of(const Node& n);
};
// Why Gemm node `n` is not in the plain form that the int8 algorithm and the chip take — A not
// transposed, alpha = beta = 1, C absent or one value per output column — ("" when it is).
// `c` is C's type (nullptr when absent), `result` the output's.
std::string plain_gemm_refusal(const Node& n, const TensorType* c, const TensorType& result);

}  // namespace tpuc::ops
