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

Algorithm build_softmax(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>&) {
  const Shape& s = in[0].type->shape;
  const int axis = softmax_axis(n, s.size());
  const size_t last = n.i("coerce_2d", 0) ? s.size() - 1 : size_t(axis);
  // Func argument i is tensor dim rank-1-i; the reduced tensor dims axis..last are arguments
  // 0..rank-1-axis.
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
    if (std::find(reduced_args.begin(), reduced_args.end(), i) == reduced_args.end())
      outer_vars.push_back(v[i]);
  // One operation per stage, so a chip schedule can place each as one command; all in f32 (a f16
  // input widens, as the host's executor widens it).
  Func input("widened");
  input(v) = cast<float>(in[0].func(v));
  Func mx("max"), shifted("shifted"), e("exp"), sum("sum"), output(halide_name(n.name));
  mx(outer_vars) = input.value().type().min();
  mx(outer_vars) = max(mx(outer_vars), input(at_r));
  shifted(v) = input(v) - mx(outer_vars);
  e(v) = exp_f32(shifted(v));
  sum(outer_vars) = 0.0f;
  sum(outer_vars) = accumulate(sum(outer_vars), e(at_r));
  output(v) = e(v) / sum(outer_vars);
  Algorithm a{{output}, {}, {r}};
  a.stages.max = mx;
  a.stages.shifted = shifted;
  a.stages.exp = e;
  a.stages.sum = sum;
  return a;
}

}  // namespace tpuc::ops
