#include <algorithm>
#include <set>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"
#include "ir/special_functions.h"
#include "ops/attrs.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

namespace {

// A registry row, built as TVM's RELAY_REGISTER_OP(...).set_attr(...) chains: the name and the
// algorithm, then the traits that differ from the defaults.
struct Op {
  OpDef def;
  Op(const char* name, InferFn infer, BuildFn build) : def{name, infer, build} {}
  Op& int8(Int8Form form, Int8Check check = nullptr) {
    def.int8 = form;
    def.int8_check = check;
    return *this;
  }
  Op& reshape() {
    def.reshape = true;
    return *this;
  }
  Op& identity() {
    def.identity = true;
    return reshape();
  }
  Op& weighted() {
    def.weighted = true;
    return *this;
  }
  Op& control_operands(std::initializer_list<int> inputs) {
    for (int i : inputs) def.control_operands |= 1u << i;
    return *this;
  }
  Op& internal() {
    def.internal = true;
    return *this;
  }
  Op& broadcasts() {
    def.broadcasts = true;
    return *this;
  }
  Op& bounded() {
    def.bounded = true;
    return *this;
  }
  Op& macs(MacsFn count) {
    def.macs = count;
    return *this;
  }
  Op& shape_operands(std::initializer_list<int> inputs) {
    for (int i : inputs) def.shape_operands |= 1u << i;
    return *this;
  }
};

std::string int8_resize_check(const Node& n, const std::vector<const TensorType*>&,
                              const TensorType&) {
  return n.s("mode", "nearest") == "nearest" ? "" : "only a nearest resize has an int8 form";
}

std::string int8_gemm_check(const Node& n, const std::vector<const TensorType*>& in,
                            const TensorType& result) {
  return plain_gemm_refusal(n, in.size() > 2 ? in[2] : nullptr, result);
}

// One entry per op: a table, not logic, so its length is the number of ops.
// NOLINTNEXTLINE(readability-function-size)
std::vector<OpDef> table() {
  constexpr Int8Form kOwnScale = Int8Form::OwnScale, kInputScale = Int8Form::InputScale;
  const Op ops[] = {
      Op("ArgMax", infer_argmax, build_argmax),
      Op("ArgMin", infer_argmax, build_argmax),
      Op("AveragePool", infer_averagepool, build_averagepool),
      Op("BatchNormalization", infer_batchnorm, build_batchnorm),
      Op("Cast", infer_cast, build_cast),
      Op("CastLike", infer_castlike, build_cast),
      Op("Clip", infer_clip, build_clip).bounded(),
      // int8: its inputs share the result's scale (the quantizer gives them one class).
      Op("Concat", infer_concat, build_concat).int8(kInputScale),
      Op("ConstantOfShape", infer_constant_of_shape, build_constant_of_shape).shape_operands({0}),
      Op("Conv", infer_conv, build_conv).int8(kOwnScale).weighted().macs(macs_conv),
      Op("ConvTranspose", infer_conv_transpose, build_conv_transpose).macs(macs_conv_transpose),
      Op("Einsum", infer_einsum, build_einsum),
      Op("DepthToSpace", infer_depth_space, build_depth_space),
      Op("Dequantize", infer_dequantize, build_dequantize).int8(kOwnScale).internal(),
      Op("Dropout", infer_identity, build_identity)
          .int8(kInputScale)
          .identity()
          .shape_operands({1, 2}),
      Op("Expand", infer_expand, build_expand).shape_operands({1}),
      Op("Flatten", infer_flatten, build_flatten).int8(kInputScale).reshape(),
      Op("CumSum", infer_cumsum, build_cumsum).shape_operands({1}),
      Op("Gather", infer_gather, build_gather),
      Op("GatherElements", infer_gather_elements, build_gather_elements),
      Op("GatherND", infer_gather_nd, build_gather_nd),
      Op("Gemm", infer_gemm, build_gemm)
          .int8(kOwnScale, int8_gemm_check)
          .weighted()
          .macs(macs_gemm),
      Op("GlobalAveragePool", infer_globalpool, build_globalpool).int8(kOwnScale),
      Op("GlobalMaxPool", infer_globalpool, build_globalpool).int8(kInputScale),
      Op("Identity", infer_identity, build_identity).int8(kInputScale).identity(),
      Op("InstanceNormalization", infer_same, build_instancenorm),
      Op("IsInf", infer_predicate, build_predicate),
      Op("IsNaN", infer_predicate, build_predicate),
      Op("LayerNormalization", infer_layernorm, build_layernorm),
      Op("LogSoftmax", infer_softmax, build_logsoftmax),
      Op("Lut", infer_lut, build_lut).int8(kOwnScale).internal(),
      Op("MatMul", infer_matmul, build_matmul).macs(macs_matmul),
      Op("MaxPool", infer_maxpool, build_maxpool).int8(kInputScale),
      Op("NonZero", infer_nonzero, build_nonzero).shape_operands({0}),
      Op("Not", infer_predicate, build_predicate),
      Op("Pad", infer_pad, build_pad).shape_operands({1, 3}),
      Op("PRelu", infer_prelu, build_prelu),
      Op("Quantize", infer_quantize, build_quantize).int8(kOwnScale).internal(),
      Op("Range", infer_range, build_range).shape_operands({0, 1, 2}),
      Op("ReduceL1", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceL2", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceLogSum", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceLogSumExp", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceMax", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceMean", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceMin", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceProd", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceSum", infer_reduce, build_reduce).shape_operands({1}),
      Op("ReduceSumSquare", infer_reduce, build_reduce).shape_operands({1}),
      Op("Relu", infer_relu, build_relu).int8(kInputScale),
      Op("Reshape", infer_reshape, build_reshape).int8(kInputScale).reshape().shape_operands({1}),
      Op("Resize", infer_resize, build_resize)
          .int8(kInputScale, int8_resize_check)
          .control_operands({1, 2})
          .shape_operands({1, 2, 3}),
      Op("Scatter", infer_scatter_elements, build_scatter_elements),
      Op("ScatterElements", infer_scatter_elements, build_scatter_elements),
      Op("ScatterND", infer_scatter_nd, build_scatter_nd),
      Op("Shape", infer_shape, build_shape),
      Op("Size", infer_size, build_size),
      Op("Slice", infer_slice, build_slice).shape_operands({1, 2, 3, 4}),
      Op("Softmax", infer_softmax, build_softmax).bounded(),
      Op("SpaceToDepth", infer_depth_space, build_depth_space),
      Op("Split", infer_split, build_split).shape_operands({1}),
      // tpuc's own (stack-kernel-rows): a Conv's input rows at each kernel row, on the channels.
      Op("StackRows", infer_stack_rows, build_stack_rows).int8(kInputScale).internal(),
      Op("Squeeze", infer_squeeze, build_reshape).int8(kInputScale).reshape().shape_operands({1}),
      Op("Tile", infer_expand, build_expand).shape_operands({1}),
      Op("TopK", infer_topk, build_topk).shape_operands({1}),
      Op("Trilu", infer_trilu, build_trilu).shape_operands({1}),
      Op("Transpose", infer_transpose, build_transpose).int8(kInputScale),
      Op("Unsqueeze", infer_unsqueeze, build_reshape)
          .int8(kInputScale)
          .reshape()
          .shape_operands({1}),
      Op("Upsample", infer_resize, build_resize)
          .int8(kInputScale, int8_resize_check)
          .control_operands({1})
          .shape_operands({1}),
      Op("Where", infer_where, build_where).broadcasts(),
  };
  std::vector<OpDef> defs;
  for (const Op& op : ops) defs.push_back(op.def);
  // The table-driven families: every unary function is elementwise (an int8 table stands for
  // it); the binary ops broadcast, and only Add has an int8 algorithm.
  const std::set<std::string> bounded_unary = {"HardSigmoid", "Sigmoid", "Tanh"};
  for (const char* name : unary_ops()) {
    OpDef def{name, infer_unary, build_unary};
    def.elementwise = true;
    def.bounded = bounded_unary.count(name) != 0;
    def.internal = std::string(name) == "Silu";
    defs.push_back(def);
  }
  for (const char* name : binary_ops()) {
    OpDef def{name, infer_binary, build_binary};
    def.broadcasts = true;
    if (std::string(name) == "Add") def.int8 = kOwnScale;
    defs.push_back(def);
  }
  std::sort(defs.begin(), defs.end(),
            [](const OpDef& a, const OpDef& b) { return std::string(a.name) < b.name; });
  return defs;
}

}  // namespace

const std::vector<OpDef>& all_ops() {
  static const std::vector<OpDef> ops = table();
  return ops;
}

const OpDef* find_op(const std::string& name) {
  const std::vector<OpDef>& ops = all_ops();
  auto it = std::lower_bound(ops.begin(), ops.end(), name,
                             [](const OpDef& op, const std::string& n) { return op.name < n; });
  return it != ops.end() && it->name == name ? &*it : nullptr;
}

const OpDef& op_of(const Node& n) {
  const OpDef* def = find_op(n.op);
  if (!def) node_error(n, "tpuc has no operator '" + n.op + "'");
  return *def;
}

std::vector<Halide::Func> Stages::defined() const {
  std::vector<Halide::Func> all = {
      pad,       acc,       weights,  requant,      sum,        count,   max,          shifted,
      exp,       mean,      centered, square,       square_sum, var,     var_eps,      std,
      norm,      scaled,    erf,      erf_plus_one, half,       negated, exp_plus_one, quotient,
      magnitude, rectified, gate,     widened,      special,    rank,    equal,        ordered};
  all.erase(
      std::remove_if(all.begin(), all.end(), [](const Halide::Func& f) { return !f.defined(); }),
      all.end());
  return all;
}
Halide::Type halide_type(DType t) {
  static const std::map<DType, Halide::Type> types = {
      {DType::F32, Halide::Float(32)},   {DType::F16, Halide::Float(16)},
      {DType::BF16, Halide::BFloat(16)}, {DType::I8, Halide::Int(8)},
      {DType::U8, Halide::UInt(8)},      {DType::I16, Halide::Int(16)},
      {DType::I32, Halide::Int(32)},     {DType::I64, Halide::Int(64)},
      {DType::F64, Halide::Float(64)},   {DType::U16, Halide::UInt(16)},
      {DType::U32, Halide::UInt(32)},    {DType::U64, Halide::UInt(64)},
      {DType::Bool, Halide::UInt(8)},
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
  if (in.size() < count)
    node_error(n, "needs " + std::to_string(count) + " inputs, has " + std::to_string(in.size()));
  for (size_t i = 0; i < count; ++i)
    if (!in[i].type) node_error(n, "input " + std::to_string(i) + " is absent or untyped");
}

void requantization_table(const Node& n, int64_t channels, int zero_point, Stages& stages) {
  const Requantization r = Requantization::of(n);
  for (const auto& [what, values] : {std::pair{"multiplier", &r.multiplier}, {"rshift", &r.rshift}})
    if (int64_t(values->size()) != channels)
      node_error(n, std::string("'") + what + "' has " + std::to_string(values->size()) +
                        " values, expected " + std::to_string(channels));
  Halide::Buffer<int32_t> table(3, static_cast<int>(channels));
  for (int64_t i = 0; i < channels; ++i) {
    table(0, int(i)) = int32_t(r.multiplier[size_t(i)]);
    table(1, int(i)) = int32_t(r.rshift[size_t(i)]);
    table(2, int(i)) = zero_point;
  }
  Halide::Var k("k"), c("c");
  stages.requant = Halide::Func(halide_name(n.name + "_requant"));
  stages.requant(k, c) = table(k, c);
}

Halide::Expr requantize_channel(const Stages& stages, Halide::Expr acc, Halide::Expr c) {
  return requantize(std::move(acc), stages.requant(0, c), stages.requant(1, c),
                    stages.requant(2, c));
}

Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape,
                            const std::vector<Halide::Expr>& out) {
  std::vector<Halide::Expr> args;
  for (size_t i = 0; i < shape.size(); ++i)
    args.push_back(shape[shape.size() - 1 - i] == 1 ? Halide::Expr(0) : out[i]);
  return f(args);
}

Halide::Expr broadcast_call(const Halide::Func& f, const Shape& shape,
                            const std::vector<Halide::Var>& out) {
  return broadcast_call(f, shape, as_exprs(out));
}

namespace {
Halide::Expr extern_f32(const char* name, Halide::Expr x) {
  return Halide::Internal::Call::make(Halide::Float(32), name, {Halide::cast<float>(std::move(x))},
                                      Halide::Internal::Call::PureExtern);
}
}  // namespace

const std::map<std::string, SpecialFunction>& special_function_calls() {
  static const std::map<std::string, SpecialFunction> calls = {
      {"tpuc_erf_f32", SpecialFunction::Erf},
      {"tpuc_exp_f32", SpecialFunction::Exp},
      {"tpuc_log_f32", SpecialFunction::Log},
      {"tpuc_sqrt_f32", SpecialFunction::Sqrt}};
  return calls;
}

namespace {
Halide::Expr call_of(SpecialFunction f, Halide::Expr x) {
  for (const auto& [name, function] : special_function_calls())
    if (function == f) return extern_f32(name.c_str(), std::move(x));
  TPUC_INTERNAL_ERROR("no call for a special function");
}
}  // namespace

Halide::Expr exp_f32(Halide::Expr x) { return call_of(SpecialFunction::Exp, std::move(x)); }
Halide::Expr erf_f32(Halide::Expr x) { return call_of(SpecialFunction::Erf, std::move(x)); }
Halide::Expr sqrt_f32(Halide::Expr x) { return call_of(SpecialFunction::Sqrt, std::move(x)); }
Halide::Expr log_f32(Halide::Expr x) { return call_of(SpecialFunction::Log, std::move(x)); }

const std::map<std::string, SpecialFunction>& special_function_ops() {
  static const std::map<std::string, SpecialFunction> ops = {{"Erf", SpecialFunction::Erf},
                                                             {"Exp", SpecialFunction::Exp},
                                                             {"Log", SpecialFunction::Log},
                                                             {"Sqrt", SpecialFunction::Sqrt}};
  return ops;
}

Halide::Expr special_f32(SpecialFunction f, Halide::Expr x) {
  using SpecialFn = Halide::Expr (*)(Halide::Expr);
  static const std::map<SpecialFunction, SpecialFn> functions = {{SpecialFunction::Erf, erf_f32},
                                                                 {SpecialFunction::Exp, exp_f32},
                                                                 {SpecialFunction::Log, log_f32},
                                                                 {SpecialFunction::Sqrt, sqrt_f32}};
  return functions.at(f)(std::move(x));
}

bool is_immediate(const OpInput& input) {
  const bool real =
      input.type && (input.type->dtype == DType::F32 || input.type->dtype == DType::F16 ||
                     input.type->dtype == DType::BF16);
  return real && input.constant && input.constant->size() == 1;
}

// An f32 immediate whatever the input's float type: the arithmetic is f32 (a f16 operand widens).
Halide::Expr immediate(const OpInput& input) {
  return Halide::Internal::make_const(Halide::Float(32), input.constant->at(0));
}

Halide::Expr accumulate(Halide::Expr acc, Halide::Expr term) {
  Halide::Expr sum = std::move(acc) + std::move(term);
  return sum.type().is_float() ? Halide::strict_float(sum) : sum;
}

Halide::Expr activation(const Node& n, Halide::Expr v, int zero_point) {
  const FusedActivation a = FusedActivation::of(n);
  if (a.relu) v = Halide::max(v, Halide::cast(v.type(), zero_point));
  if (a.relu_limit) {
    const double limit = zero_point ? std::min(127.0, *a.relu_limit + zero_point) : *a.relu_limit;
    v = Halide::min(v, Halide::cast(v.type(), Halide::Expr(limit)));
  }
  if (a.leaky_alpha) {
    Halide::Expr alpha = Halide::cast(v.type(), Halide::Expr(float(*a.leaky_alpha)));
    v = Halide::select(v < 0, alpha * v, v);
  }
  return v;
}

Halide::Expr staged_activation(const Node& n, const Halide::Func& value,
                               const std::vector<Halide::Var>& at, Stages& stages) {
  const std::optional<double> alpha = FusedActivation::of(n).leaky_alpha;
  if (!alpha) return activation(n, value(at));
  stages.scaled = Halide::Func("scaled");
  stages.scaled(at) = value(at) * float(*alpha);
  return leaky_relu(value(at), stages.scaled(at), *alpha);
}

Halide::Expr leaky_relu(const Halide::Expr& x, const Halide::Expr& scaled, double alpha) {
  return alpha <= 1 ? Halide::max(x, scaled) : Halide::min(x, scaled);
}

TensorType same_kind(const TensorType& like, Shape shape) {
  return {like.dtype, std::move(shape), like.quant};
}

}  // namespace tpuc::ops
