// MaxPool (2-D, NCHW), float and int8 (the scale is unchanged, so no requantization).
// Stages: pad(x, y, c, n) — the input padded with the type's lowest value; pool — the max
// reduction over RDom (kx, ky), which is also the output.
#include "ops/conv_geometry.h"
#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

static ConvGeometry pool_geometry(const Node& n, const Shape& x) {
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  if (kernel.size() != 2) node_error(n, "only 2-D pooling (kernel_shape with 2 values) is supported");
  if (n.i("storage_order", 0) != 0) node_error(n, "storage_order = 1 is not supported");
  return conv_geometry(n, x, kernel, n.i("ceil_mode", 0) != 0);
}

std::vector<TensorType> infer_maxpool(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  if (x.size() != 4) node_error(n, "only 4-D (NCHW) input is supported");
  if (n.outputs.size() > 1) node_error(n, "the Indices output is not supported");
  const ConvGeometry g = pool_geometry(n, x);
  return {same_kind(*in[0].type, {x[0], x[1], g.out[0], g.out[1]})};
}

Algorithm build_maxpool(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const ConvGeometry g = pool_geometry(n, xs);
  const int H = int(xs[2]), W = int(xs[3]), pt = int(g.pads[0]), pl = int(g.pads[1]);
  Var x("x"), y("y"), c("c"), k("n");
  Func input = in[0].func;
  const Type t = input.value().type();
  Func pad("pad");
  pad(x, y, c, k) = select(x >= pl && x < pl + W && y >= pt && y < pt + H,
                           input(clamp(x - pl, 0, W - 1), clamp(y - pt, 0, H - 1), c, k), t.min());
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  RDom r(0, int(kernel[1]), 0, int(kernel[0]), "r");
  Func pool(halide_name(n.name));
  pool(x, y, c, k) = t.min();
  pool(x, y, c, k) = max(pool(x, y, c, k), pad(x * int(g.strides[1]) + r.x * int(g.dilations[1]),
                                               y * int(g.strides[0]) + r.y * int(g.dilations[0]), c, k));
  return {{pool}, {{"pad", pad}, {"pool", pool}}, {r}};
}

}  // namespace tpuc::ops
