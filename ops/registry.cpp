#include <algorithm>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"
#include "ops/families.h"

namespace tpuc::ops {

const std::vector<OpDef>& all_ops() {
  static const std::vector<OpDef> ops = [] {
    std::vector<OpDef> table = {
        // name                 infer             build             int8
        {"ArgMax", infer_argmax, build_argmax, false},
        {"ArgMin", infer_argmax, build_argmax, false},
        {"AveragePool", infer_averagepool, build_averagepool, false},
        {"BatchNormalization", infer_batchnorm, build_batchnorm, false},
        {"Cast", infer_cast, build_cast, false},
        {"ConstantOfShape", infer_constant_of_shape, build_constant_of_shape, false},
        {"ConvTranspose", infer_conv_transpose, build_conv_transpose, false},
        {"DepthToSpace", infer_depth_space, build_depth_space, false},
        {"Expand", infer_expand, build_expand, false},
        {"Resize", infer_resize, build_resize, true},  // int8: nearest only (passes/quantize)
        {"SpaceToDepth", infer_depth_space, build_depth_space, false},
        {"Upsample", infer_resize, build_resize, true},
        {"Gather", infer_gather, build_gather, false},
        {"InstanceNormalization", infer_same, build_instancenorm, false},
        {"LayerNormalization", infer_layernorm, build_layernorm, false},
        {"LogSoftmax", infer_softmax, build_logsoftmax, false},
        {"Pad", infer_pad, build_pad, false},
        {"PRelu", infer_prelu, build_prelu, false},
        {"Shape", infer_shape, build_shape, false},
        {"Slice", infer_slice, build_slice, false},
        {"Split", infer_split, build_split, false},
        {"Tile", infer_expand, build_expand, false},
        {"Concat", infer_concat, build_concat, true},  // int8: its inputs share the result's scale (passes/quantize)
        {"GlobalAveragePool", infer_globalpool, build_globalpool, true},
        {"GlobalMaxPool", infer_globalpool, build_globalpool, true},
        {"ReduceMax", infer_reduce, build_reduce, false},
        {"ReduceMean", infer_reduce, build_reduce, false},
        {"ReduceMin", infer_reduce, build_reduce, false},
        {"ReduceSum", infer_reduce, build_reduce, false},
        {"Squeeze", infer_squeeze, build_reshape, true},
        {"TopK", infer_topk, build_topk, false},
        {"Transpose", infer_transpose, build_transpose, true},
        {"Unsqueeze", infer_unsqueeze, build_reshape, true},
        {"Clip", infer_clip, build_clip, false},
        {"Conv", infer_conv, build_conv, true},
        {"Dequantize", infer_dequantize, build_dequantize, true},
        {"Dropout", infer_identity, build_identity, true},
        {"Flatten", infer_flatten, build_flatten, true},
        {"Gemm", infer_gemm, build_gemm, true},
        {"Identity", infer_identity, build_identity, true},
        {"Lut", infer_lut, build_lut, true},
        {"MatMul", infer_matmul, build_matmul, false},
        {"MaxPool", infer_maxpool, build_maxpool, true},
        {"Quantize", infer_quantize, build_quantize, true},
        {"Relu", infer_relu, build_relu, true},
        {"Reshape", infer_reshape, build_reshape, true},
        {"Softmax", infer_softmax, build_softmax, false},
        {"Where", infer_where, build_where, false},
    };
    for (const char* name : unary_ops()) table.push_back({name, infer_unary, build_unary, false});
    for (const char* name : binary_ops()) table.push_back({name, infer_binary, build_binary, std::string(name) == "Add"});
    std::sort(table.begin(), table.end(), [](const OpDef& a, const OpDef& b) { return std::string(a.name) < b.name; });
    return table;
  }();
  return ops;
}

bool is_elementwise_unary(const std::string& name) {
  static const std::vector<const char*> names = unary_ops();
  return std::any_of(names.begin(), names.end(), [&](const char* op) { return name == op; });
}

const OpDef* find_op(const std::string& name) {
  for (const OpDef& op : all_ops())
    if (name == op.name) return &op;
  return nullptr;
}

Halide::Type halide_type(DType t) {
  static const std::map<DType, Halide::Type> types = {
      {DType::F32, Halide::Float(32)}, {DType::F16, Halide::Float(16)}, {DType::BF16, Halide::BFloat(16)},
      {DType::I8, Halide::Int(8)},     {DType::U8, Halide::UInt(8)},    {DType::I16, Halide::Int(16)},
      {DType::I32, Halide::Int(32)},   {DType::I64, Halide::Int(64)},   {DType::Bool, Halide::UInt(8)},
  };
  return types.at(t);
}

std::string halide_name(const std::string& name) {
  std::string out = "L_";  // never empty, never starting with a digit
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::vector<Halide::Var> make_vars(size_t rank) {
  static const char* names[] = {"x", "y", "c", "n", "d4", "d5", "d6", "d7"};
  std::vector<Halide::Var> vars;
  for (size_t i = 0; i < rank; ++i) vars.emplace_back(i < 8 ? names[i] : "d" + std::to_string(i));
  return vars;
}

std::vector<Halide::Expr> as_exprs(const std::vector<Halide::Var>& vars) {
  return std::vector<Halide::Expr>(vars.begin(), vars.end());
}

void require_inputs(const Node& n, const std::vector<InferInput>& in, size_t count) {
  if (in.size() < count) node_error(n, "needs " + std::to_string(count) + " inputs, has " + std::to_string(in.size()));
  for (size_t i = 0; i < count; ++i)
    if (!in[i].type) node_error(n, "input " + std::to_string(i) + " is absent or untyped");
}

Halide::Func channel_table(const Node& n, const std::string& key, int64_t channels) {
  const std::vector<int64_t> values = n.ints(key);
  if (int64_t(values.size()) != channels)
    node_error(n, "'" + key + "' has " + std::to_string(values.size()) + " values, expected " + std::to_string(channels));
  Halide::Buffer<int32_t> table(static_cast<int>(channels));
  for (int64_t i = 0; i < channels; ++i) table.data()[i] = int32_t(values[size_t(i)]);
  Halide::Func f(halide_name(n.name + "_" + key));
  Halide::Var c("c");
  f(c) = table(c);
  return f;
}

Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape, const std::vector<Halide::Expr>& out) {
  std::vector<Halide::Expr> args;
  for (size_t i = 0; i < shape.size(); ++i) args.push_back(shape[shape.size() - 1 - i] == 1 ? Halide::Expr(0) : out[i]);
  return f(args);
}

Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape, const std::vector<Halide::Var>& out) {
  return broadcast_call(f, shape, as_exprs(out));
}

namespace {
Halide::Expr extern_f32(const char* name, Halide::Expr x) {
  return Halide::Internal::Call::make(Halide::Float(32), name, {Halide::cast<float>(std::move(x))}, Halide::Internal::Call::PureExtern);
}
}  // namespace

Halide::Expr exp_f32(Halide::Expr x) { return extern_f32("tpuc_exp_f32", std::move(x)); }
Halide::Expr erf_f32(Halide::Expr x) { return extern_f32("tpuc_erf_f32", std::move(x)); }

const std::map<std::string, Halide::JITExtern>& jit_externs() {
  static const std::map<std::string, Halide::JITExtern> externs = {{"tpuc_exp_f32", Halide::JITExtern(&tpuc::exp_f32)},
                                                                   {"tpuc_erf_f32", Halide::JITExtern(&tpuc::erf_f32)}};
  return externs;
}

bool is_immediate(const OpInput& input) {
  const bool real = input.type && (input.type->dtype == DType::F32 || input.type->dtype == DType::F16 || input.type->dtype == DType::BF16);
  return real && input.constant && input.constant->size() == 1;
}

// An f32 immediate whatever the input's float type: the arithmetic is f32 (a f16 operand widens).
Halide::Expr immediate(const OpInput& input) { return Halide::Internal::make_const(Halide::Float(32), input.constant->at(0)); }

Halide::Expr accumulate(Halide::Expr acc, Halide::Expr term) {
  Halide::Expr sum = std::move(acc) + std::move(term);
  return sum.type().is_float() ? Halide::strict_float(sum) : sum;
}

Halide::Expr activation(const Node& n, Halide::Expr v, int zero_point) {
  if (n.i("do_relu", 0)) v = Halide::max(v, Halide::cast(v.type(), zero_point));
  if (n.has("relu_limit")) {
    const double limit = zero_point ? std::min(127.0, n.f("relu_limit", 0) + zero_point) : n.f("relu_limit", 0);
    v = Halide::min(v, Halide::cast(v.type(), Halide::Expr(limit)));
  }
  if (n.has("leaky_alpha")) v = Halide::select(v < 0, Halide::cast(v.type(), Halide::Expr(float(n.f("leaky_alpha", 0)))) * v, v);
  return v;
}

TensorType same_kind(const TensorType& like, Shape shape) { return {like.dtype, std::move(shape), like.quant}; }

}  // namespace tpuc::ops
