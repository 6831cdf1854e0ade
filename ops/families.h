// Internal to ops/: the shape-inference and algorithm functions of each op family, collected into
// the registry table (registry.cpp), plus the small helpers they share.
#pragma once
#include "ir/diagnostics.h"
#include "ops/op.h"

namespace tpuc::ops {

#define TPUC_OP(Name)                                                                \
  std::vector<TensorType> infer_##Name(const Node&, const std::vector<InferInput>&); \
  Algorithm build_##Name(const Node&, const std::vector<OpInput>&, const std::vector<TensorType>&);
TPUC_OP(conv)
TPUC_OP(stack_rows)
TPUC_OP(gemm)
TPUC_OP(matmul)
TPUC_OP(maxpool)
TPUC_OP(averagepool)
TPUC_OP(globalpool)
TPUC_OP(reduce)
TPUC_OP(argmax)
TPUC_OP(topk)
TPUC_OP(transpose)
TPUC_OP(concat)
TPUC_OP(cast)
std::vector<TensorType> infer_castlike(const Node&, const std::vector<InferInput>&);
TPUC_OP(gather)
TPUC_OP(gather_elements)
TPUC_OP(gather_nd)
TPUC_OP(scatter_elements)
TPUC_OP(scatter_nd)
TPUC_OP(einsum)
TPUC_OP(size)
TPUC_OP(nonzero)
TPUC_OP(cumsum)
TPUC_OP(range)
TPUC_OP(trilu)
TPUC_OP(slice)
TPUC_OP(split)
TPUC_OP(pad)
TPUC_OP(expand)
TPUC_OP(shape)
TPUC_OP(constant_of_shape)
TPUC_OP(prelu)
TPUC_OP(depth_space)
TPUC_OP(conv_transpose)
TPUC_OP(resize)
// Normalizations share one shape inference (f32, shape unchanged).
std::vector<TensorType> infer_same(const Node&, const std::vector<InferInput>&);
std::vector<TensorType> infer_layernorm(const Node&, const std::vector<InferInput>&);
Algorithm build_layernorm(const Node&, const std::vector<OpInput>&, const std::vector<TensorType>&);
Algorithm build_instancenorm(const Node&, const std::vector<OpInput>&,
                             const std::vector<TensorType>&);
Algorithm build_logsoftmax(const Node&, const std::vector<OpInput>&,
                           const std::vector<TensorType>&);
TPUC_OP(relu)
TPUC_OP(binary)
TPUC_OP(unary)
TPUC_OP(clip)
TPUC_OP(predicate)
TPUC_OP(where)
TPUC_OP(batchnorm)
TPUC_OP(reshape)
TPUC_OP(flatten)
// Squeeze and Unsqueeze share Reshape's algorithm (build_reshape).
std::vector<TensorType> infer_squeeze(const Node&, const std::vector<InferInput>&);
std::vector<TensorType> infer_unsqueeze(const Node&, const std::vector<InferInput>&);
TPUC_OP(softmax)
TPUC_OP(identity)
TPUC_OP(quantize)
TPUC_OP(dequantize)
TPUC_OP(lut)
#undef TPUC_OP
// Multiply-accumulates (OpDef::macs) of the ops that have them.
uint64_t macs_conv(const Node&, const std::vector<const TensorType*>&, const TensorType&);
uint64_t macs_conv_transpose(const Node&, const std::vector<const TensorType*>&, const TensorType&);
uint64_t macs_gemm(const Node&, const std::vector<const TensorType*>&, const TensorType&);
uint64_t macs_matmul(const Node&, const std::vector<const TensorType*>&, const TensorType&);

std::vector<Halide::Expr> as_exprs(const std::vector<Halide::Var>& vars);
// The ops of the table-driven families (unary.cpp, elementwise.cpp).
std::vector<const char*> unary_ops();
std::vector<const char*> binary_ops();

// Requires `count` inputs at least, all typed.
void require_inputs(const Node& n, const std::vector<InferInput>& in, size_t count);
// The int8 requantization of `n` (ops/attrs.h) over its `channels` output channels as one table,
// `stages.requant(k, c)`: k = 0 the multiplier, 1 the shift, 2 the result's zero point, the block
// of three int32 per channel that the chip's RQ command reads (docs/isa.md); an Error when the
// attribute lengths differ from `channels`.
void requantization_table(const Node& n, int64_t channels, int zero_point, Stages& stages);
// `acc` requantized with channel `c`'s multiplier, shift and zero point from stages.requant.
Halide::Expr requantize_channel(const Stages& stages, Halide::Expr acc, Halide::Expr c);
// `f` (a tensor of `shape`) read at an output position, numpy-broadcast: its dims align with the
// output's innermost ones, and size-1 dims read index 0. `out` are the output's Func arguments.
Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape,
                            const std::vector<Halide::Expr>& out);
Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape,
                            const std::vector<Halide::Var>& out);

// The fused activation of Conv/Gemm/Add applied to `v` (ops/attrs.h FusedActivation; `zero_point`
// is the int8 result's).
Halide::Expr activation(const Node& n, Halide::Expr v, int zero_point = 0);
// The LeakyRelu of x of slope α given α·x: the larger of the two, the smaller when α > 1, which
// is α·x for every negative x and x for every other.
Halide::Expr leaky_relu(const Halide::Expr& x, const Halide::Expr& scaled, double alpha);
// A float result `value(at)` with its fused activation, a LeakyRelu as two operations the chip
// computes one command each: stages.scaled = α·value, then leaky_relu(value, stages.scaled, α).
Halide::Expr staged_activation(const Node& n, const Halide::Func& value,
                               const std::vector<Halide::Var>& at, Stages& stages);
// acc + term as an accumulation's update. A float one is IEEE f32 (strict_float: neither fused nor
// reassociated by LLVM), so the host sums in the algorithm's order, as the chip does.
Halide::Expr accumulate(Halide::Expr acc, Halide::Expr term);
// The window ops' reads, for an (N, C, spatial...) input of `shape` whose Func arguments 0 .. S-1
// are its spatial dimensions (innermost first), `pads` as ConvGeometry's (every begin, every end):
// the input at `v` of its padded form — the value inside, `outside` in the padding, one select;
// and the window position v[a]·stride + r[a]·dilation of Func argument a.
Halide::Expr padded_read(const Halide::Func& input, const Shape& shape,
                         const std::vector<int64_t>& pads, const std::vector<Halide::Var>& v,
                         Halide::Expr outside);
std::vector<Halide::Expr> window_position(const std::vector<Halide::Var>& v, const Halide::RDom& r,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& dilations);
// The window's RDom: Func argument a spans the kernel's spatial dimension S-1-a; `extra` extents
// follow (a Conv's input channels of its group).
Halide::RDom window_domain(const std::vector<int64_t>& kernel, std::vector<int> extra = {});
// Type of a value computed with the same element type and quantization as `like`.
TensorType same_kind(const TensorType& like, Shape shape);

}  // namespace tpuc::ops
