// Softmax over `axis` (opset 13 form), or, with `coerce_2d` (older opsets, set by the importer),
// over all dimensions from `axis` on. Float only: the quantizer keeps it in f32.
#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

static int softmax_axis(const Node& n, size_t rank) {
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(rank);
  if (axis < 0 || axis >= int64_t(rank)) node_error(n, "axis out of range");
  return int(axis);
}

std::vector<TensorType> infer_softmax(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->dtype != DType::F32) node_error(n, "only f32 is supported");
  softmax_axis(n, in[0].type->shape.size());
  return {*in[0].type};
}

Algorithm build_softmax(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const Shape& s = in[0].type->shape;
  const int axis = softmax_axis(n, s.size());
  const size_t last = n.i("coerce_2d", 0) ? s.size() - 1 : size_t(axis);
  // Func argument i is tensor dim rank-1-i; the reduced tensor dims axis..last are arguments 0..rank-1-axis.
  const std::vector<Var> v = make_vars(s.size());
  Region region;
  std::vector<size_t> reduced_args;
  for (size_t d = size_t(axis); d <= last; ++d) {
    region.emplace_back(0, int(s[d]));
    reduced_args.push_back(s.size() - 1 - d);
  }
  RDom r(region, "r");
  std::vector<Expr> at_r = as_exprs(v), outer;
  for (size_t i = 0; i < reduced_args.size(); ++i) at_r[reduced_args[i]] = r[int(i)];
  std::vector<Var> outer_vars;
  for (size_t i = 0; i < v.size(); ++i)
    if (std::find(reduced_args.begin(), reduced_args.end(), i) == reduced_args.end()) outer_vars.push_back(v[i]);
  Func input = in[0].func;
  Func mx("max"), sum("sum"), output(halide_name(n.name));
  mx(outer_vars) = maximum(input(at_r));
  sum(outer_vars) = Halide::sum(exp(input(at_r) - mx(outer_vars)));
  output(v) = exp(input(v) - mx(outer_vars)) / sum(outer_vars);
  return {{output}, {{"max", mx}, {"sum", sum}}, {r}};
}

}  // namespace tpuc::ops
