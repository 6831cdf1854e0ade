// Reductions over a set of axes (ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp; `axes`, as the importer normalizes it,
// and `keepdims`), and ArgMax (first index of the maximum, int64).
#include <algorithm>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

// The reduced tensor dimensions, sorted (all of them when `axes` is absent or empty).
std::vector<int64_t> reduced_axes(const Node& n, size_t rank) {
  std::vector<int64_t> axes = n.ints("axes");
  if (axes.empty() && !n.i("noop_with_empty_axes", 0))
    for (size_t d = 0; d < rank; ++d) axes.push_back(int64_t(d));
  for (int64_t& a : axes) {
    if (a < 0) a += int64_t(rank);
    if (a < 0 || a >= int64_t(rank)) node_error(n, "axis out of range");
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

bool reduced(const std::vector<int64_t>& axes, size_t d) {
  return std::binary_search(axes.begin(), axes.end(), int64_t(d));
}

Shape reduced_shape(const Node& n, const Shape& s, const std::vector<int64_t>& axes) {
  Shape out;
  for (size_t d = 0; d < s.size(); ++d) {
    if (!reduced(axes, d)) {
      out.push_back(s[d]);
    } else if (n.i("keepdims", 1)) {
      out.push_back(1);
    }
  }
  return out;
}

// Input arguments: output variables for kept dims, the RDom for reduced ones.
std::vector<Expr> reduction_args(const Node& n, const Shape& s, const std::vector<int64_t>& axes,
                                 const std::vector<Var>& out_vars, const RDom& r) {
  const bool keep = n.i("keepdims", 1) != 0;
  std::vector<Expr> tensor_index;  // in tensor dimension order
  size_t out_dim = 0, k = 0;
  const size_t out_rank = out_vars.size();
  for (size_t d = 0; d < s.size(); ++d) {
    if (reduced(axes, d)) {
      tensor_index.push_back(r[int(k++)]);
      if (keep) ++out_dim;
    } else {
      tensor_index.push_back(out_vars[out_rank - 1 - out_dim++]);
    }
  }
  return std::vector<Expr>(tensor_index.rbegin(), tensor_index.rend());
}

RDom reduction_domain(const Shape& s, const std::vector<int64_t>& axes) {
  Region region;
  for (int64_t a : axes) region.emplace_back(0, int(s[size_t(a)]));
  return RDom(region, "r");
}

}  // namespace

std::vector<TensorType> infer_reduce(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {{in[0].type->dtype,
           reduced_shape(n, in[0].type->shape, reduced_axes(n, in[0].type->shape.size())),
           std::nullopt}};
}

Algorithm build_reduce(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const Shape& s = in[0].type->shape;
  const std::vector<int64_t> axes = reduced_axes(n, s.size());
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  if (axes.empty()) {
    output(v) = in[0].func(v);
    return {{output}, {}, {}};
  }
  const RDom r = reduction_domain(s, axes);
  Expr x = in[0].func(reduction_args(n, s, axes, v, r));
  int64_t count = 1;
  for (int64_t a : axes) count *= s[size_t(a)];
  static const std::map<std::string, Expr (*)(Expr, int64_t)> kReduce = {
      {"ReduceSum", [](Expr e, int64_t) { return sum(e); }},
      {"ReduceMean", [](Expr e, int64_t c) { return sum(e) / cast(e.type(), int(c)); }},
      {"ReduceMax", [](Expr e, int64_t) { return maximum(e); }},
      {"ReduceMin", [](Expr e, int64_t) { return minimum(e); }},
      {"ReduceProd", [](Expr e, int64_t) { return product(e); }},
      {"ReduceL1", [](Expr e, int64_t) { return sum(cast(e.type(), abs(e))); }},
      {"ReduceSumSquare", [](Expr e, int64_t) { return sum(e * e); }},
      {"ReduceL2", [](Expr e, int64_t) { return cast(e.type(), sqrt(cast<float>(sum(e * e)))); }},
      {"ReduceLogSum", [](Expr e, int64_t) { return cast(e.type(), log(cast<float>(sum(e)))); }},
      {"ReduceLogSumExp",
       [](Expr e, int64_t) { return cast(e.type(), log(sum(exp(cast<float>(e))))); }},
  };
  output(v) = kReduce.at(n.op)(x, count);
  return {{output}, {}, {r}};
}

// CumSum along the constant input `axis`: a scan (each element the previous sum plus its own),
// from the end with `reverse`, each sum without its own element with `exclusive`.
std::vector<TensorType> infer_cumsum(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (!in[1].constant || in[1].constant->size() != 1) node_error(n, "axis must be a constant");
  return {*in[0].type};
}

Algorithm build_cumsum(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>&) {
  const Shape& s = in[0].type->shape;
  int64_t axis = int64_t(in[1].constant->at(0));
  if (axis < 0) axis += int64_t(s.size());
  if (axis < 0 || axis >= int64_t(s.size())) node_error(n, "axis out of range");
  const size_t arg = s.size() - 1 - size_t(axis);
  const int length = int(s[size_t(axis)]);
  const bool reverse = n.i("reverse", 0) != 0;
  const std::vector<Var> v = make_vars(s.size());
  Func inclusive(halide_name(n.name) + "_inclusive"), output(halide_name(n.name));
  inclusive(v) = in[0].func(v);
  if (length > 1) {
    RDom r(1, length - 1, "r");
    std::vector<Expr> at = as_exprs(v), before = as_exprs(v);
    at[arg] = reverse ? length - 1 - r : Expr(r);
    before[arg] = reverse ? length - r : r - 1;
    inclusive(at) = accumulate(inclusive(before), in[0].func(at));
  }
  if (!n.i("exclusive", 0)) {
    output(v) = inclusive(v);
    return {{output}, {}, {}};
  }
  std::vector<Expr> previous = as_exprs(v);  // the sum before this element, 0 for the first
  previous[arg] = clamp(reverse ? v[arg] + 1 : v[arg] - 1, 0, length - 1);
  const Expr first = reverse ? v[arg] == length - 1 : v[arg] == 0;
  output(v) = select(first, cast(inclusive.value().type(), 0), inclusive(previous));
  Algorithm a{{output}, {}, {}};
  a.stages.acc = inclusive;  // a scan has an update: a stage of its own
  return a;
}

// ArgMax and ArgMin along `axis`; ties go to the first index, or with select_last_index to the
// last (the reduction then walks the axis backwards).
std::vector<TensorType> infer_argmax(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  Node one = n;
  one.attrs["axes"] = std::vector<int64_t>{n.i("axis", 0)};
  return {{DType::I64,
           reduced_shape(one, in[0].type->shape, reduced_axes(one, in[0].type->shape.size())),
           std::nullopt}};
}

Algorithm build_argmax(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  Node one = n;
  one.attrs["axes"] = std::vector<int64_t>{n.i("axis", 0)};
  const Shape& s = in[0].type->shape;
  const std::vector<int64_t> axes = reduced_axes(one, s.size());
  const std::vector<Var> v = make_vars(out[0].shape.size());
  const RDom r = reduction_domain(s, axes);
  std::vector<Expr> args = reduction_args(one, s, axes, v, r);
  const int length = int(s[size_t(axes[0])]);
  const bool last = n.i("select_last_index", 0);
  if (last) args[s.size() - 1 - size_t(axes[0])] = length - 1 - r.x;
  const Expr value = in[0].func(args);
  Expr index = (n.op == "ArgMin" ? argmin(value) : argmax(value))[0];
  if (last) index = length - 1 - index;
  Func output(halide_name(n.name));
  output(v) = cast<int64_t>(index);
  return {{output}, {}, {r}};
}

// TopK along `axis` (K from a constant input; `largest`, sorted output). Each element's rank is
// the number of elements ahead of it (larger, or equal with a smaller index, as ONNX orders ties);
// output position k takes the element of rank k. Quadratic in the axis length: a reference, not a
// fast path.
std::vector<TensorType> infer_topk(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (!in[1].constant || in[1].constant->size() != 1) node_error(n, "K must be a constant");
  Shape s = in[0].type->shape;
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(s.size());
  if (axis < 0 || axis >= int64_t(s.size())) node_error(n, "axis out of range");
  const int64_t k = int64_t(in[1].constant->at(0));
  if (k < 0 || k > s[size_t(axis)]) node_error(n, "K is larger than the axis");
  s[size_t(axis)] = k;
  return {{in[0].type->dtype, s, std::nullopt}, {DType::I64, s, std::nullopt}};
}

Algorithm build_topk(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>& out) {
  const Shape& s = in[0].type->shape;
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(s.size());
  const size_t a = s.size() - 1 - size_t(axis);  // the Func argument of the axis
  const int extent = int(s[size_t(axis)]);
  const bool largest = n.i("largest", 1) != 0;
  const std::vector<Var> v = make_vars(s.size());
  RDom j(0, extent, "j"), i(0, extent, "i");
  std::vector<Expr> at_j = as_exprs(v);
  at_j[a] = j;
  Expr x = in[0].func(v), y = in[0].func(at_j);
  Func rank("rank");
  rank(v) = sum(select((largest ? y > x : y < x) || (y == x && j < v[a]), 1, 0));
  std::vector<Expr> at_i = as_exprs(v);
  at_i[a] = i;
  Expr hit = rank(at_i) == v[a];
  Func values(halide_name(n.name + "_values")), indices(halide_name(n.name + "_indices"));
  values(v) = sum(select(hit, in[0].func(at_i), cast(x.type(), 0)));
  indices(v) = sum(select(hit, cast<int64_t>(Expr(i)), cast<int64_t>(0)));
  (void)out;
  Algorithm alg{{values, indices}, {}, {j, i}};
  alg.stages.rank = rank;
  return alg;
}

}  // namespace tpuc::ops
