// average-pool-by-counts: a 2-D AveragePool whose windows count different numbers of positions —
// padding left out of the count (count_include_pad 0), or ceil_mode's last windows reaching past
// the padding — becomes the window sums, a depthwise Conv of ones (its end padding grown to give
// ceil_mode's last windows), divided by a constant map of each window's count, [1, 1, OH, OW]:
// ops every target runs (on the BM1684X a depthwise Conv and an ARITH div with an operand in every
// lane). as-depthwise-conv takes the AveragePools whose windows all count kh·kw first.
#include "ops/conv_geometry.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// How many positions the window at `out` counts along one axis: inside [lo, hi) of the input's
// coordinates (the input alone, or the padded input with count_include_pad).
int64_t counted(int64_t out, int64_t stride, int64_t kernel, int64_t pad, int64_t lo, int64_t hi) {
  int64_t n = 0;
  for (int64_t k = 0; k < kernel; ++k) {
    const int64_t at = out * stride + k - pad;
    n += at >= lo && at < hi ? 1 : 0;
  }
  return n;
}

}  // namespace

void average_pool_by_counts(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    if (n.op != "AveragePool" || !g.types.count(n.inputs[0]) || n.has("dilations")) continue;
    const TensorType x = g.types.at(n.inputs[0]);
    const std::vector<int64_t> kernel = n.ints("kernel_shape");
    if (x.shape.size() != 4 || x.dtype != DType::F32 || kernel.size() != 2) continue;
    const ops::ConvGeometry geo = ops::conv_geometry(n, x.shape, kernel, n.i("ceil_mode", 0));
    const bool include_pad = n.i("count_include_pad", 0) != 0;
    std::vector<float> counts;
    std::vector<int64_t> pads = geo.pads;
    for (int64_t a = 0; a < 2; ++a) {  // the end padding that gives every window of the output
      const int64_t size = x.shape[size_t(2 + a)];
      pads[size_t(2 + a)] =
          std::max<int64_t>(0, (geo.out[a] - 1) * geo.strides[a] + kernel[a] - size - pads[a]);
    }
    for (int64_t oy = 0; oy < geo.out[0]; ++oy)
      for (int64_t ox = 0; ox < geo.out[1]; ++ox) {
        auto along = [&](int64_t a, int64_t o) {
          const int64_t size = x.shape[size_t(2 + a)];
          const int64_t lo = include_pad ? -geo.pads[a] : 0;
          const int64_t hi = include_pad ? size + geo.pads[size_t(2 + a)] : size;
          return counted(o, geo.strides[a], kernel[a], geo.pads[a], lo, hi);
        };
        counts.push_back(float(std::max<int64_t>(1, along(0, oy) * along(1, ox))));
      }
    if (std::all_of(counts.begin(), counts.end(), [&](float c) { return c == counts[0]; }))
      continue;  // one count: as-depthwise-conv's case
    const int64_t channels = x.shape[1];
    const std::string ones =
        float_constant(g, n.name + "/ones", {channels, 1, kernel[0], kernel[1]},
                       std::vector<float>(size_t(channels * kernel[0] * kernel[1]), 1));
    const std::string count_map =
        float_constant(g, n.name + "/counts", {1, 1, geo.out[0], geo.out[1]}, counts);
    const std::string sums =
        typed_value(g, n.name + "/sums", x.dtype, {x.shape[0], channels, geo.out[0], geo.out[1]});
    std::map<std::string, Attr> window = depthwise_attrs(channels, kernel);
    window["strides"] = geo.strides;
    window["pads"] = pads;
    i = replace_node(g, i,
                     {{"Conv", n.name + "/sums", {n.inputs[0], ones}, {sums}, window},
                      {"Div", n.name, {sums, count_map}, n.outputs, {}}});
  }
}

}  // namespace tpuc::passes
