// Ops that write updates into a copy of their data at positions an index tensor names:
// ScatterElements (and Scatter, its opset 9–10 name: along `axis`, each update goes where its index
// says, elsewhere at its own position) and ScatterND (the indices' last dimension names a slice of
// data that the update replaces). Both take `reduction` none, add, mul, max or min; negative
// indices wrap. Algorithm: the output is the data, then one update definition over the updates'
// domain, so the updates apply in row-major order (the last of equal indices wins with none).
#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

using Reduction = Expr (*)(Expr, Expr);
Reduction reduction_of(const Node& n) {
  static const std::map<std::string, Reduction> kReductions = {
      {"none", [](Expr, Expr u) { return u; }},
      {"add", [](Expr old, Expr u) { return old + u; }},
      {"mul", [](Expr old, Expr u) { return old * u; }},
      {"max", [](Expr old, Expr u) { return max(old, u); }},
      {"min", [](Expr old, Expr u) { return min(old, u); }},
  };
  auto it = kReductions.find(n.s("reduction", "none"));
  if (it == kReductions.end()) node_error(n, "unknown reduction '" + n.s("reduction", "") + "'");
  return it->second;
}

// Index `i` of a dimension of `length`, negative ones counted from the end, kept inside it.
Expr wrapped(Expr i, int length) {
  i = cast<int>(i);
  return clamp(select(i < 0, i + length, i), 0, length - 1);
}

// The domain of a tensor of `shape`, RDom dimension d its Func argument d.
RDom domain_of(const Shape& shape, const std::string& name) {
  Region region;
  for (size_t d = shape.size(); d-- > 0;) region.emplace_back(0, int(shape[d]));
  return RDom(region, name);
}

std::vector<Expr> positions(const RDom& r) {
  std::vector<Expr> at;
  for (int d = 0; d < r.dimensions(); ++d) at.push_back(r[d]);
  return at;
}

// The output as a copy of data, its update at `to` from `update` by the node's reduction.
Algorithm scatter(const Node& n, const OpInput& data, const RDom& r, const std::vector<Expr>& to,
                  Expr update) {
  const std::vector<Var> v = make_vars(data.type->shape.size());
  Func output(halide_name(n.name));
  output(v) = data.func(v);
  output(to) = reduction_of(n)(output(to), update);
  return {{output}, {}, {r}};
}

}  // namespace

std::vector<TensorType> infer_scatter_elements(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 3);
  const size_t rank = in[0].type->shape.size();
  if (in[1].type->shape.size() != rank || in[2].type->shape != in[1].type->shape)
    node_error(n, "indices and updates need data's rank and one shape");
  int64_t axis = n.i("axis", 0);
  if (axis < -int64_t(rank) || axis >= int64_t(rank)) node_error(n, "axis out of range");
  reduction_of(n);
  return {*in[0].type};
}

Algorithm build_scatter_elements(const Node& n, const std::vector<OpInput>& in,
                                 const std::vector<TensorType>&) {
  const Shape& x = in[0].type->shape;
  int64_t axis = n.i("axis", 0);
  if (axis < 0) axis += int64_t(x.size());
  const RDom r = domain_of(in[1].type->shape, "r");
  const std::vector<Expr> at = positions(r);
  std::vector<Expr> to = at;
  const size_t arg = x.size() - 1 - size_t(axis);
  to[arg] = wrapped(in[1].func(at), int(x[size_t(axis)]));
  return scatter(n, in[0], r, to, in[2].func(at));
}

// ScatterND: indices [i0 .. ip-1, k], updates [i0 .. ip-1] + data.shape[k:].
std::vector<TensorType> infer_scatter_nd(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 3);
  const Shape &x = in[0].type->shape, &idx = in[1].type->shape;
  if (idx.empty() || idx.back() < 1 || size_t(idx.back()) > x.size())
    node_error(n, "the indices' last dimension must be 1 .. data's rank");
  Shape updates(idx.begin(), idx.end() - 1);
  updates.insert(updates.end(), x.begin() + std::ptrdiff_t(idx.back()), x.end());
  if (in[2].type->shape != updates)
    node_error(n,
               "updates are " + to_string(in[2].type->shape) + ", expected " + to_string(updates));
  if (updates.empty())
    node_error(n, "a scalar update (indices " + to_string(idx) + ") is not supported");
  reduction_of(n);
  return {*in[0].type};
}

Algorithm build_scatter_nd(const Node& n, const std::vector<OpInput>& in,
                           const std::vector<TensorType>&) {
  const Shape &x = in[0].type->shape, &idx = in[1].type->shape, &us = in[2].type->shape;
  const size_t k = size_t(idx.back()), prefix = idx.size() - 1;
  const RDom r = domain_of(us, "r");
  const std::vector<Expr> at = positions(r);  // at[a]: updates' Func argument a
  // indices(k-th entry, prefix dims) and data's dims from k on: the updates' own positions.
  std::vector<Expr> idx_args(idx.size()), to(x.size());
  for (size_t d = 0; d < prefix; ++d) idx_args[idx.size() - 1 - d] = at[us.size() - 1 - d];
  for (size_t j = 0; j < k; ++j) {
    idx_args[0] = int(j);
    to[x.size() - 1 - j] = wrapped(in[1].func(idx_args), int(x[j]));
  }
  for (size_t d = k; d < x.size(); ++d) to[x.size() - 1 - d] = at[us.size() - 1 - (prefix + d - k)];
  return scatter(n, in[0], r, to, in[2].func(at));
}

}  // namespace tpuc::ops
