// Ops that select or repeat elements by index: Gather (`axis`, constant or computed indices,
// negative indices wrap), Slice (constant starts/ends/axes/steps inputs), Split (one output per
// part; sizes from the `split` input or attribute, else equal), Pad (constant, reflect, edge;
// constant pads), Expand and Tile (constant shape / repeats), Shape, Size, NonZero (of a constant),
// ConstantOfShape, Range, Trilu, GatherElements and GatherND.
#include <algorithm>
#include <cmath>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

std::vector<int64_t> constant_ints(const Node& n, const InferInput& in, const char* what) {
  if (!in.constant) node_error(n, std::string(what) + " must be a constant");
  std::vector<int64_t> v;
  for (int64_t i = 0; i < in.constant->size(); ++i) v.push_back(int64_t(in.constant->at(i)));
  return v;
}

std::vector<int64_t> constant_ints(const Node& n, const OpInput& in, const char* what) {
  return constant_ints(n, InferInput{in.type, in.constant}, what);
}

int64_t wrap_axis(const Node& n, int64_t axis, size_t rank) {
  if (axis < 0) axis += int64_t(rank);
  if (axis < 0 || axis >= int64_t(rank)) node_error(n, "axis out of range");
  return axis;
}

// Func argument of tensor dimension d.
size_t arg_of(size_t rank, size_t d) { return rank - 1 - d; }

struct SliceSpec {
  std::vector<int64_t> start, step;  // per tensor dimension
  Shape out;
};

SliceSpec slice_spec(const Node& n, const Shape& x, const std::vector<InferInput>& in) {
  const std::vector<int64_t> starts = constant_ints(n, in[1], "starts"),
                             ends = constant_ints(n, in[2], "ends");
  std::vector<int64_t> axes, steps;
  if (in.size() > 3 && in[3].type) axes = constant_ints(n, in[3], "axes");
  if (in.size() > 4 && in[4].type) steps = constant_ints(n, in[4], "steps");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  SliceSpec s{std::vector<int64_t>(x.size(), 0), std::vector<int64_t>(x.size(), 1), x};
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t d = size_t(wrap_axis(n, axes[i], x.size()));
    const int64_t dim = x[d], step = steps.empty() ? 1 : steps[i];
    if (step == 0) node_error(n, "slice step 0");
    auto clampi = [&](int64_t v, int64_t lo, int64_t hi) {
      return std::max(lo, std::min(hi, v < 0 ? v + dim : v));
    };
    const int64_t b = step > 0 ? clampi(starts[i], 0, dim) : clampi(starts[i], 0, dim - 1);
    const int64_t e =
        step > 0 ? clampi(ends[i], 0, dim) : (ends[i] < -dim ? -1 : clampi(ends[i], -1, dim - 1));
    s.start[d] = b;
    s.step[d] = step;
    s.out[d] =
        std::max<int64_t>(0, step > 0 ? (e - b + step - 1) / step : (b - e - step - 1) / -step);
  }
  return s;
}

}  // namespace

std::vector<TensorType> infer_gather(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), x.size()));
  Shape out(x.begin(), x.begin() + std::ptrdiff_t(axis));
  out.insert(out.end(), in[1].type->shape.begin(), in[1].type->shape.end());
  out.insert(out.end(), x.begin() + std::ptrdiff_t(axis) + 1, x.end());
  return {same_kind(*in[0].type, out)};
}

Algorithm build_gather(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const Shape& x = in[0].type->shape;
  const Shape& idx = in[1].type->shape;
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), x.size())), orank = out[0].shape.size();
  const std::vector<Var> v = make_vars(orank);
  // Output tensor dims: x[:axis], idx[...], x[axis+1:].
  std::vector<Expr> idx_args(idx.size()), x_args(x.size());
  for (size_t d = 0; d < idx.size(); ++d)
    idx_args[arg_of(idx.size(), d)] = v[arg_of(orank, axis + d)];
  // One constant index (a class token's row) is an immediate, so the gather is a plain copy from
  // an offset (a chip schedule's one GDMA command).
  Expr i = in[1].constant && in[1].constant->size() == 1 ? Expr(int(in[1].constant->at(0)))
                                                         : cast<int>(in[1].func(idx_args));
  i = clamp(select(i < 0, i + int(x[axis]), i), 0, int(x[axis]) - 1);
  for (size_t d = 0; d < x.size(); ++d)
    x_args[arg_of(x.size(), d)] = d < axis    ? Expr(v[arg_of(orank, d)])
                                  : d == axis ? i
                                              : Expr(v[arg_of(orank, d + idx.size() - 1)]);
  Func output(halide_name(n.name));
  output(v) = in[0].func(x_args);
  return {{output}, {}, {}};
}

// GatherElements: the result has the indices' shape; along `axis` it reads the element the index
// there names (negative indices wrap), elsewhere the same position.
std::vector<TensorType> infer_gather_elements(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (in[1].type->shape.size() != in[0].type->shape.size())
    node_error(n, "data and indices need the same rank");
  wrap_axis(n, n.i("axis", 0), in[0].type->shape.size());
  return {same_kind(*in[0].type, in[1].type->shape)};
}

Algorithm build_gather_elements(const Node& n, const std::vector<OpInput>& in,
                                const std::vector<TensorType>&) {
  const Shape& x = in[0].type->shape;
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), x.size()));
  const std::vector<Var> v = make_vars(x.size());
  Expr i = cast<int>(in[1].func(v));
  const int length = int(x[axis]);
  std::vector<Expr> args = as_exprs(v);
  args[arg_of(x.size(), axis)] = clamp(select(i < 0, i + length, i), 0, length - 1);
  Func output(halide_name(n.name));
  output(v) = in[0].func(args);
  return {{output}, {}, {}};
}

// GatherND: the indices' last dimension (of length r) names a slice of data after the first
// batch_dims dimensions; the result is indices' other dimensions, then the slice's
// (data.shape[batch_dims + r:]). Negative indices wrap.
std::vector<TensorType> infer_gather_nd(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape &x = in[0].type->shape, &idx = in[1].type->shape;
  const size_t batch = size_t(n.i("batch_dims", 0));
  if (idx.empty() || batch >= idx.size() || batch + size_t(idx.back()) > x.size())
    node_error(n, "indices do not fit data's dimensions");
  Shape out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), x.begin() + std::ptrdiff_t(batch + size_t(idx.back())), x.end());
  return {same_kind(*in[0].type, out)};
}

Algorithm build_gather_nd(const Node& n, const std::vector<OpInput>& in,
                          const std::vector<TensorType>& out) {
  const Shape &x = in[0].type->shape, &idx = in[1].type->shape;
  const size_t batch = size_t(n.i("batch_dims", 0)), r = size_t(idx.back()),
               orank = out[0].shape.size(), prefix = idx.size() - 1;
  const std::vector<Var> v = make_vars(orank);
  std::vector<Expr> idx_args(idx.size()), x_args(x.size());
  for (size_t d = 0; d < prefix; ++d) idx_args[arg_of(idx.size(), d)] = v[arg_of(orank, d)];
  for (size_t d = 0; d < batch; ++d) x_args[arg_of(x.size(), d)] = v[arg_of(orank, d)];
  for (size_t k = 0; k < r; ++k) {
    idx_args[arg_of(idx.size(), prefix)] = int(k);
    Expr i = cast<int>(in[1].func(idx_args));
    const int length = int(x[batch + k]);
    x_args[arg_of(x.size(), batch + k)] = clamp(select(i < 0, i + length, i), 0, length - 1);
  }
  for (size_t d = batch + r; d < x.size(); ++d)
    x_args[arg_of(x.size(), d)] = v[arg_of(orank, prefix + d - batch - r)];
  Func output(halide_name(n.name));
  output(v) = in[0].func(x_args);
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_slice(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 3);
  return {same_kind(*in[0].type, slice_spec(n, in[0].type->shape, in).out)};
}

Algorithm build_slice(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>& out) {
  std::vector<InferInput> spec_in;
  for (const OpInput& i : in) spec_in.push_back({i.type, i.constant});
  const Shape& x = in[0].type->shape;
  const SliceSpec s = slice_spec(n, x, spec_in);
  const std::vector<Var> v = make_vars(x.size());
  std::vector<Expr> args(x.size());
  for (size_t d = 0; d < x.size(); ++d)
    args[arg_of(x.size(), d)] = int(s.start[d]) + v[arg_of(x.size(), d)] * int(s.step[d]);
  Func output(halide_name(n.name));
  output(v) = in[0].func(args);
  (void)out;
  return {{output}, {}, {}};
}

static std::vector<int64_t> split_sizes(const Node& n, const std::vector<InferInput>& in) {
  const Shape& x = in[0].type->shape;
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), x.size()));
  std::vector<int64_t> sizes = n.ints("split");
  if (in.size() > 1 && in[1].type) sizes = constant_ints(n, in[1], "split");
  if (sizes.empty()) {
    const int64_t parts = int64_t(n.outputs.size()), each = (x[axis] + parts - 1) / parts;
    for (int64_t p = 0; p < parts; ++p) sizes.push_back(std::min(each, x[axis] - p * each));
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (total != x[axis] || sizes.size() != n.outputs.size())
    node_error(n, "split sizes do not cover the axis");
  return sizes;
}

std::vector<TensorType> infer_split(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), in[0].type->shape.size()));
  std::vector<TensorType> outs;
  for (int64_t s : split_sizes(n, in)) {
    Shape shape = in[0].type->shape;
    shape[axis] = s;
    outs.push_back(same_kind(*in[0].type, shape));
  }
  return outs;
}

Algorithm build_split(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>& out) {
  std::vector<InferInput> spec_in;
  for (const OpInput& i : in) spec_in.push_back({i.type, i.constant});
  const Shape& x = in[0].type->shape;
  const size_t axis = size_t(wrap_axis(n, n.i("axis", 0), x.size()));
  const std::vector<Var> v = make_vars(x.size());
  Algorithm a;
  int64_t offset = 0;
  for (int64_t size : split_sizes(n, spec_in)) {
    std::vector<Expr> args = as_exprs(v);
    args[arg_of(x.size(), axis)] = v[arg_of(x.size(), axis)] + int(offset);
    Func part(halide_name(n.name + "_" + std::to_string(a.outputs.size())));
    part(v) = in[0].func(args);
    a.outputs.push_back(part);
    offset += size;
  }
  (void)out;
  return a;
}

std::vector<TensorType> infer_pad(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  const std::vector<int64_t> pads =
      in.size() > 1 && in[1].type ? constant_ints(n, in[1], "pads") : n.ints("pads");
  if (pads.size() != 2 * x.size()) node_error(n, "pads needs two values per dimension");
  Shape out = x;
  for (size_t d = 0; d < x.size(); ++d) out[d] += pads[d] + pads[d + x.size()];
  return {same_kind(*in[0].type, out)};
}

Algorithm build_pad(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const Shape& x = in[0].type->shape;
  const std::vector<int64_t> pads =
      in.size() > 1 && in[1].func.defined() ? constant_ints(n, in[1], "pads") : n.ints("pads");
  const std::string mode = n.s("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    node_error(n, "unknown pad mode '" + mode + "'");
  const std::vector<Var> v = make_vars(x.size());
  std::vector<Expr> args(x.size());
  Expr inside = Internal::const_true();
  for (size_t d = 0; d < x.size(); ++d) {
    const int size = int(x[d]);
    Expr i = v[arg_of(x.size(), d)] - int(pads[d]);
    inside = inside && i >= 0 && i < size;
    if (mode == "reflect" && size > 1) {  // mirror without repeating the edge
      const int period = 2 * (size - 1);
      Expr m = ((i % period) + period) % period;
      i = select(m >= size, period - m, m);
    }
    args[arg_of(x.size(), d)] = clamp(i, 0, size - 1);
  }
  Expr value = in[0].func(args);
  Expr fill = cast(value.type(), 0);
  if (in.size() > 2 && in[2].func.defined())  // a float constant: an immediate (a chip FILL's)
    fill = is_immediate(in[2]) ? immediate(in[2])
                               : in[2].func(std::vector<Expr>(in[2].type->shape.size(), 0));
  Func output(halide_name(n.name));
  output(v) = mode == "constant" ? select(inside, value, cast(value.type(), fill)) : value;
  return {{output}, {}, {}};
}

// Expand and Tile: the output shape from a constant input; each output element reads the input
// at its index modulo the input size (Expand: size-1 dimensions broadcast).
std::vector<TensorType> infer_expand(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const std::vector<int64_t> s = constant_ints(n, in[1], n.op == "Tile" ? "repeats" : "shape");
  Shape out;
  if (n.op == "Tile") {
    if (s.size() != x.size()) node_error(n, "repeats needs one value per dimension");
    for (size_t d = 0; d < x.size(); ++d) out.push_back(x[d] * s[d]);
  } else {
    out.assign(std::max(x.size(), s.size()), 1);
    for (size_t i = 0; i < out.size(); ++i) {
      const int64_t a = i < x.size() ? x[x.size() - 1 - i] : 1,
                    b = i < s.size() ? s[s.size() - 1 - i] : 1;
      if (a != b && a != 1 && b != 1) node_error(n, "shape does not broadcast");
      out[out.size() - 1 - i] = std::max(a, b);
    }
  }
  return {same_kind(*in[0].type, out)};
}

Algorithm build_expand(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const Shape& x = in[0].type->shape;
  const std::vector<Var> v = make_vars(out[0].shape.size());
  std::vector<Expr> args;
  for (size_t i = 0; i < x.size(); ++i)
    args.push_back(x[x.size() - 1 - i] == 1 ? Expr(0) : v[i] % int(x[x.size() - 1 - i]));
  Func output(halide_name(n.name));
  output(v) = in[0].func(args);
  return {{output}, {}, {}};
}

// Shape's dimensions [start, end) (opset 15), negative values counting from the end.
static std::pair<int64_t, int64_t> shape_range(const Node& n, size_t rank) {
  auto wrap = [&](int64_t v) {
    return std::max<int64_t>(0, std::min<int64_t>(int64_t(rank), v < 0 ? v + int64_t(rank) : v));
  };
  const int64_t start = wrap(n.i("start", 0)), end = wrap(n.i("end", int64_t(rank)));
  return {start, std::max(start, end)};
}

std::vector<TensorType> infer_shape(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const auto [start, end] = shape_range(n, in[0].type->shape.size());
  return {{DType::I64, {end - start}, std::nullopt}};
}

Algorithm build_shape(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>&) {
  Var i("x");
  Expr value = cast<int64_t>(0);
  const Shape& s = in[0].type->shape;
  const auto [start, end] = shape_range(n, s.size());
  for (int64_t d = end; d-- > start;)
    value = select(i == int(d - start), cast<int64_t>(Expr(s[size_t(d)])), value);
  Func output(halide_name(n.name));
  output(i) = value;
  return {{output}, {}, {}};
}

// Size: the number of elements, an int64 scalar.
std::vector<TensorType> infer_size(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {{DType::I64, {}, std::nullopt}};
}

Algorithm build_size(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>&) {
  Func output(halide_name(n.name));
  output() = Internal::make_const(Int(64), num_elements(in[0].type->shape));
  return {{output}, {}, {}};
}

// NonZero of a constant (its result's shape is its count of nonzero elements): the coordinates of
// each, in row-major order, as an int64 [rank, count] table.
static std::vector<int64_t> nonzero_coordinates(const Node& n, const InferInput& in) {
  if (!in.constant)
    node_error(n,
               "only a constant input is supported (the result's shape "
               "depends on its values)");
  const Shape& s = in.type->shape;
  std::vector<std::vector<int64_t>> rows(s.size());
  for (int64_t i = 0; i < in.constant->size(); ++i) {
    if (in.constant->at(i) == 0) continue;
    for (size_t d = s.size(), rest = size_t(i); d-- > 0; rest /= size_t(s[d]))
      rows[d].push_back(int64_t(rest % size_t(s[d])));
  }
  std::vector<int64_t> table;
  for (const std::vector<int64_t>& row : rows) table.insert(table.end(), row.begin(), row.end());
  return table;
}

std::vector<TensorType> infer_nonzero(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const int64_t rank = int64_t(in[0].type->shape.size()),
                count = rank ? int64_t(nonzero_coordinates(n, in[0]).size()) / rank : 0;
  return {{DType::I64, {rank, count}, std::nullopt}};
}

Algorithm build_nonzero(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>& out) {
  const std::vector<int64_t> table = nonzero_coordinates(n, {in[0].type, in[0].constant});
  Buffer<int64_t> values(int(out[0].shape[1]), int(out[0].shape[0]));
  std::copy(table.begin(), table.end(), values.begin());
  Var i("x"), d("y");
  Func output(halide_name(n.name));
  output(i, d) = values(i, d);
  return {{output}, {}, {}};
}

// Trilu: the upper (upper = 1) or lower triangle of the last two dimensions, from the k-th
// diagonal (the optional constant input k; 0 the main one), zeros elsewhere.
std::vector<TensorType> infer_trilu(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->shape.size() < 2) node_error(n, "needs at least two dimensions");
  if (in.size() > 1 && in[1].type) constant_ints(n, in[1], "k");
  return {*in[0].type};
}

Algorithm build_trilu(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>&) {
  const int64_t k = in.size() > 1 && in[1].type ? constant_ints(n, in[1], "k").at(0) : 0;
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Expr above = cast<int64_t>(v[0]) - cast<int64_t>(v[1]);  // column − row
  const Expr diagonal = Internal::make_const(Int(64), k);
  Expr keep = n.i("upper", 1) ? above >= diagonal : above <= diagonal;
  Func output(halide_name(n.name));
  Expr x = in[0].func(v);
  output(v) = select(keep, x, cast(x.type(), 0));
  return {{output}, {}, {}};
}

// Range(start, limit, delta), three constant scalars: max(ceil((limit − start) / delta), 0)
// elements start + i·delta, of start's type.
std::vector<TensorType> infer_range(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 3);
  for (size_t k = 0; k < 3; ++k)
    if (!in[k].constant || in[k].constant->size() != 1)
      node_error(n, "start, limit and delta must be constant scalars");
  const double start = in[0].constant->at(0), limit = in[1].constant->at(0),
               delta = in[2].constant->at(0);
  if (delta == 0) node_error(n, "delta is 0");
  const int64_t count = std::max<int64_t>(int64_t(std::ceil((limit - start) / delta)), 0);
  return {{in[0].type->dtype, {count}, std::nullopt}};
}

Algorithm build_range(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>&) {
  const Var i("i");
  const Halide::Type t = in[0].func.value().type();
  Func output(halide_name(n.name));
  output(i) = cast(t, in[0].func() + cast(t, i) * in[2].func());
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_constant_of_shape(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const DType t = parse_dtype(n.s("dtype", "f32")).value_or(DType::F32);
  return {{t, constant_ints(n, in[0], "shape"), std::nullopt}};
}

Algorithm build_constant_of_shape(const Node& n, const std::vector<OpInput>&,
                                  const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  output(v) = cast(halide_type(out[0].dtype), float(n.f("value", 0.0)));
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
