// Ops that only change the shape: Reshape (shape from a constant input; 0 copies a dimension,
// -1 is inferred), Flatten (to 2-D at `axis`), Squeeze and Unsqueeze (`axes`, as the importer
// normalizes it), and Identity/Dropout (inference: the input). All keep the element type and
// quantization, and share one algorithm: output element i is input element i in row-major order.
// Also the ops that move elements: Transpose (`perm`), Concat (`axis`), and Cast (`to`, a tpuc
// dtype name; float to integer truncates, as ONNX does).
#include <algorithm>

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
      if (size_t(i) >= x.size())
        node_error(n, "shape entry 0 copies a dimension the input does not have");
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
    if (known == 0 || total % known)
      node_error(n, "cannot infer -1: " + to_string(x) + " does not divide");
    out[size_t(infer_at)] = total / known;
  }
  if (num_elements(out) != total)
    node_error(n, "cannot reshape " + to_string(x) + " to " + to_string(out));
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
static Algorithm relinearize(const Node& n, const std::vector<OpInput>& in,
                             const std::vector<TensorType>& out) {
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

Algorithm build_reshape(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

Algorithm build_flatten(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

std::vector<TensorType> infer_identity(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {*in[0].type};
}

Algorithm build_identity(const Node& n, const std::vector<OpInput>& in,
                         const std::vector<TensorType>& out) {
  return relinearize(n, in, out);
}

static std::vector<int64_t> normalized_axes(const Node& n, int64_t rank) {
  std::vector<int64_t> axes = n.ints("axes");
  for (int64_t& a : axes) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) node_error(n, "axis out of range");
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

std::vector<TensorType> infer_squeeze(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  Shape out;
  const std::vector<int64_t> axes = normalized_axes(n, int64_t(x.size()));
  for (size_t d = 0; d < x.size(); ++d) {
    const bool listed = std::binary_search(axes.begin(), axes.end(), int64_t(d));
    if (listed && x[d] != 1)
      node_error(n, "cannot squeeze a dimension of size " + std::to_string(x[d]));
    if (!(listed || (axes.empty() && x[d] == 1))) out.push_back(x[d]);
  }
  return {same_kind(*in[0].type, out)};
}

std::vector<TensorType> infer_unsqueeze(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  const std::vector<int64_t> axes = normalized_axes(n, int64_t(x.size() + n.ints("axes").size()));
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < int64_t(x.size() + axes.size()); ++d)
    out.push_back(std::binary_search(axes.begin(), axes.end(), d) ? 1 : x[next++]);
  return {same_kind(*in[0].type, out)};
}

std::vector<TensorType> infer_transpose(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  std::vector<int64_t> perm = n.ints("perm");
  if (perm.empty())
    for (size_t d = x.size(); d-- > 0;) perm.push_back(int64_t(d));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t d = 0; d < sorted.size(); ++d)
    if (sorted[d] != int64_t(d) || sorted.size() != x.size())
      node_error(n, "perm is not a permutation of the dimensions");
  Shape out;
  for (int64_t p : perm) out.push_back(x[size_t(p)]);
  return {same_kind(*in[0].type, out)};
}

Algorithm build_transpose(const Node& n, const std::vector<OpInput>& in,
                          const std::vector<TensorType>& out) {
  const size_t rank = out[0].shape.size();
  std::vector<int64_t> perm = n.ints("perm");
  if (perm.empty())
    for (size_t d = rank; d-- > 0;) perm.push_back(int64_t(d));
  const std::vector<Var> v = make_vars(rank);
  // Output tensor dim d reads input tensor dim perm[d]; Func argument i is tensor dim rank-1-i.
  std::vector<Expr> args(rank);
  for (size_t d = 0; d < rank; ++d) args[rank - 1 - size_t(perm[d])] = v[rank - 1 - d];
  Func output(halide_name(n.name));
  output(v) = in[0].func(args);
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_concat(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  Shape out = in[0].type->shape;
  int64_t axis = n.i("axis", 0);
  if (axis < 0) axis += int64_t(out.size());
  if (axis < 0 || axis >= int64_t(out.size())) node_error(n, "axis out of range");
  for (size_t i = 1; i < in.size(); ++i) {
    require_inputs(n, in, i + 1);
    const Shape& s = in[i].type->shape;
    if (s.size() != out.size()) node_error(n, "inputs have different ranks");
    for (size_t d = 0; d < out.size(); ++d)
      if (int64_t(d) != axis && s[d] != out[d]) node_error(n, "inputs differ outside the axis");
    out[size_t(axis)] += s[size_t(axis)];
  }
  return {same_kind(*in[0].type, out)};
}

// Each input is copied into its slice of the output by an update over the input's domain (the pure
// definition is undef): a plain copy per input, which a chip schedule turns into one GDMA each.
Algorithm build_concat(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const size_t rank = out[0].shape.size();
  int64_t axis = n.i("axis", 0);
  if (axis < 0) axis += int64_t(rank);
  const size_t along = rank - 1 - size_t(axis);  // the Func argument of the axis
  Func output(halide_name(n.name));
  output(make_vars(rank)) = undef(in[0].func.value().type());
  int64_t offset = 0;
  std::vector<RDom> domains;
  for (const OpInput& i : in) {
    const Shape& s = i.type->shape;
    if (num_elements(s) == 0) continue;
    Region region;
    for (size_t d = 0; d < rank; ++d) region.emplace_back(0, int(s[rank - 1 - d]));
    RDom r(region, "r" + std::to_string(domains.size()));
    std::vector<Expr> at = std::vector<Expr>(r.dimensions(), Expr()), to;
    for (int d = 0; d < r.dimensions(); ++d) at[size_t(d)] = r[d];
    to = at;
    to[along] = to[along] + int(offset);
    output(to) = i.func(at);
    domains.push_back(r);
    offset += s[size_t(axis)];
  }
  return {{output}, {}, domains};
}

std::vector<TensorType> infer_cast(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const auto to = parse_dtype(n.s("to", ""));
  if (!to) node_error(n, "unknown target type '" + n.s("to", "") + "'");
  return {{*to, in[0].type->shape, std::nullopt}};
}

// CastLike: Cast to the type of its second input.
std::vector<TensorType> infer_castlike(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  return {{in[1].type->dtype, in[0].type->shape, std::nullopt}};
}

Algorithm build_cast(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Expr x = in[0].func(v);
  Func output(halide_name(n.name));
  output(v) = out[0].dtype == DType::Bool ? cast<uint8_t>(x != cast(x.type(), 0))
                                          : cast(halide_type(out[0].dtype), x);
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
