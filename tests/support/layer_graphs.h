// One-layer graphs for the code generator's tests: a node between graph input x and output y,
// typed as quantization types them, with seeded random weights.
#pragma once
#include <cstdint>

#include "ir/graph.h"

namespace tpuc::testing {

// int8 with one scale (symmetric: zero point 0).
TensorType int8_type(Shape shape, double scale);
// A float (f32, f16, bf16) or any other unquantized type.
TensorType plain_type(DType dtype, Shape shape);

// A requantization that keeps int8 results in range: multipliers near 2^30, shifts `shift`,
// shift + 1 and shift + 2 in turn over the channels.
void set_requant_attrs(Node& n, int64_t channels, int shift);

// A graph of node n reading its first input as the graph input and writing its first output as the
// graph output, typed x and y (constants are the caller's to add).
Graph one_node(const Node& n, TensorType x, TensorType y);

// One Conv "conv" (x → y, weights w, bias b): k×k, square stride and padding, `group` groups, with
// a fused ReLU when `relu` is set. int8: input scale 0.05, output 0.1, int32 bias, requantized by
// set_requant_attrs(..., 42). f32/f16/bf16: the ReLU is a ReLU6 (MobileNet's), weights in
// [-0.3, 0.3] and bias in [-1, 1], rounded to the type.
Graph conv_graph(DType dtype, const Shape& x, int64_t out_channels, int k, int stride, int pad,
                 bool relu, int64_t group = 1);

}  // namespace tpuc::testing
