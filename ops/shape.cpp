// Ops that only change the shape: Reshape (shape from a constant input; 0 copies a dimension,
// -1 is inferred), Flatten (to 2-D at `axis`), and Identity/Dropout (inference: the input).
// All keep the element type and quantization, and share one algorithm: output element i is input
// element i in row-major order.
#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

std::vector<TensorType> infer_reshape(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (!in[1].constant) node_error(n, "the shape input must be a constant");
  const Tensor& spec = *in[1].constant;
  const Shape& x = in[0].type->shape;
  Shape out;
  int infer_at = -1;
  int64_t known = 1;
  for (int64_t i = 0; i < spec.size(); ++i) {
    int64_t d = int64_t(spec.at(i));
    if (d == 0 && !n.i("allowzero", 0)) {
      if (size_t(i) >= x.size()) node_error(n, "shape entry 0 copies a dimension the input does not have");
      d = x[size_t(i)];
    }
    if (d == -1) {
      if (infer_at >= 0) node_error(n, "more than one -1 in the shape");
      infer_at = int(i);
      d = 1;
    } else if (d < 0) {
      node_error(n, "negative dimension in the shape");
    }
    known *= d;
    out.push_back(d);
  }
  const int64_t total = num_elements(x);
  if (infer_at >= 0) {
    if (known == 0 || total % known) node_error(n, "cannot infer -1: " + to_string(x) + " does not divide");
    out[size_t(infer_at)] = total / known;
  }
  if (num_elements(out) != total) node_error(n, "cannot reshape " + to_string(x) + " to " + to_string(out));
  return {same_kind(*in[0].type, out)};
}

std::vector<TensorType> infer_flatten(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  int64_t axis = n.i("axis", 1);
  if (axis < 0) axis += int64_t(x.size());
  if (axis < 0 || axis > int64_t(x.size())) node_error(n, "axis out of range");
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x[size_t(i)];
  return {same_kind(*in[0].type, {outer, num_elements(x) / std::max<int64_t>(outer, 1)})};
}

// Row-major relinearization: the output's flat index, decomposed in the input's shape.
static Algorithm relinearize(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>& out) {
  const Shape& os = out[0].shape;
  const Shape& is = in[0].type->shape;
  const std::vector<Var> v = make_vars(os.size());
  Func output(halide_name(n.name));
  if (os == is) {
    output(v) = in[0].func(v);
    return {{output}, {}, {}};
  }
  Expr flat = 0;
  for (size_t d = 0; d < os.size(); ++d) flat = flat * int(os[d]) + v[os.size() - 1 - d];
  std::vector<Expr> args(is.size());
  for (size_t d = 0; d < is.size(); ++d) {  // innermost first
    const int extent = int(is[is.size() - 1 - d]);
    args[d] = flat % extent;
    flat = flat / extent;
  }
  output(v) = in[0].func(args);
  return {{output}, {}, {}};
}

Algorithm build_reshape(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

Algorithm build_flatten(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

std::vector<TensorType> infer_identity(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {*in[0].type};
}

Algorithm build_identity(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

}  // namespace tpuc::ops
