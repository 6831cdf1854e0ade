// A layer without a model, for trying a schedule on shapes of one's choosing (`tpuc schedule show
// --op` and `check --op`): one ONNX operator on a float input of a given shape, taken to a chosen
// precision the way a compile takes a model there.
//
// Operands, by op (every other op reads the one input x; its attributes are passed as given):
//   Conv                       x[N,C,H,W]; `out_channels` (default C) and `kernel_shape` (default 3
//                              in each spatial dimension) size the weight w[out_channels, C/group,
//                              kh, kw]; a bias b[out_channels]
//   Gemm                       x[M,K] (x[K,M] with transA = 1); `out_features` (default K) sizes
//   the
//                              weight w[out_features, K] (transB = 1 unless given, as PyTorch's
//                              Linear exports it) and the bias b[out_features]
//   MatMul                     x[..., K]; `out_features` (default K) sizes the constant w[K,
//   out_features] Add, Sub, Mul, Div, Max, Min  two inputs x and x2 of the given shape Slice,
//   Reshape             the operands later opsets take as inputs (starts, ends, axes, steps;
//                              shape) are written as attributes and become constant inputs
// `out_channels` and `out_features` size the weights and are not attributes of the node. Weights
// and biases are seeded uniform floats in ±1/sqrt(fan_in), PyTorch's default initialization, so
// a layer's outputs have the scale of its inputs.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/npz.h"

namespace tpuc {

struct SyntheticLayer {
  std::string op;           // the ONNX operator ("Conv"), also the name of its node
  Shape shape;              // the input's shape
  DType dtype = DType::I8;  // the precision: i8, f16, bf16 or f32
  std::string attr_text;    // the attributes as the command line wrote them ("pads=1,1,1,1 ...")
  Graph top;                // the float graph after the pass pipeline
  std::string policy;       // the quantization policy of `dtype` (configs/quant/)
  // "--op Conv --shape 1x8x9x9 --dtype int8 --attr ...": what errors about the layer start with.
  std::string options() const;
};

// The ONNX operator an --op names: an ONNX name in any case, or an alias (conv2d → Conv).
std::string onnx_op_name(const std::string& name);

// "1x64x56x56" → {1, 64, 56, 56}. Errors start with `what` (the option and its value).
Shape parse_shape(const std::string& text, const std::string& what);

// A layer from the command line — --op (an ONNX operator name in any case, or an alias such as
// conv2d or linear), --shape, --dtype (int8, f16, bf16 or f32) and --attr key=value (a number, a
// comma-separated list, or a word) — as its float graph, through the pass pipeline
// `configs_dir`/pipelines/default.yaml as a compile's is. Bad input is an Error naming the option.
SyntheticLayer parse_synthetic_layer(const std::string& op, const std::string& shape,
                                     const std::string& dtype,
                                     const std::vector<std::string>& attrs,
                                     const std::string& configs_dir);

// The layer's quantized ("tpu") graph as a compile makes it: for int8 a calibration (max) on
// seeded random inputs, then quantization with the policy of its dtype (int8:
// configs/quant/int8_sym.yaml; f16, bf16, f32: configs/quant/<dtype>.yaml).
Graph synthetic_tpu_graph(const SyntheticLayer& layer);

// The node of the layer in its tpu graph (which also holds the conversions around it).
const Node& synthetic_layer_node(const Graph& tpu, const SyntheticLayer& layer);

// Seeded inputs for every input of `g` over each type's whole range: every int8 code,
// standard-normal floats (f16/bf16 rounded from them).
TensorMap random_inputs(const Graph& g, unsigned seed);

}  // namespace tpuc
