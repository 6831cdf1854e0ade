// trim-padding-taps: the kernel rows and columns of a 2-D Conv that read nothing but its zero
// padding, for every output position, are dropped, with the padding only they reached. They add
// exact zeros. DeepLabV3's ASPP convolves its 14×14 map at dilations 24 and 36: only the centre
// tap ever reads the map, so each is the 1×1 Conv it computes — where the BM1684X's dilation
// field holds at most 16, and where every target would spend 9 taps' MACs on one.
#include "ops/conv_geometry.h"
#include "passes/passes.h"

namespace tpuc::passes {

namespace {

// The taps of one axis that read the input for some output position, and the padding left.
struct AxisTrim {
  int64_t first = 0, last = 0;  // kept taps
  int64_t pad_begin = 0, pad_end = 0;
};

// Tap k reads positions o·stride + k·dilation − pad_begin for o in [0, out): it reads the input
// when that range meets [0, in). Dropping taps before `first` removes first·dilation of padding
// before; the padding after shrinks with the taps dropped after `last`.
std::optional<AxisTrim> trim_axis(int64_t kernel, int64_t in, int64_t out, int64_t stride,
                                  int64_t dilation, int64_t pad_begin, int64_t pad_end) {
  auto reads = [&](int64_t k) {
    const int64_t lo = k * dilation - pad_begin, hi = (out - 1) * stride + lo;
    return lo < in && hi >= 0;
  };
  AxisTrim t{0, kernel - 1, pad_begin, pad_end};
  while (t.first < kernel && !reads(t.first)) ++t.first;
  while (t.last > t.first && !reads(t.last)) --t.last;
  if (t.first == kernel) return std::nullopt;  // every tap in the padding: leave the Conv alone
  t.pad_begin -= t.first * dilation;
  t.pad_end -= (kernel - 1 - t.last) * dilation;
  if (t.pad_begin < 0 || t.pad_end < 0) return std::nullopt;
  return t;
}

// The weights [OC, IC/g, KH, KW] cut to rows h.first..h.last and columns w.first..w.last.
Tensor cut_kernel(const Tensor& w, const AxisTrim& h, const AxisTrim& v) {
  const Shape& s = w.type.shape;
  const int64_t kh = h.last - h.first + 1, kw = v.last - v.first + 1;
  std::vector<float> out;
  for (int64_t oi = 0; oi < s[0] * s[1]; ++oi)
    for (int64_t y = h.first; y <= h.last; ++y)
      for (int64_t x = v.first; x <= v.last; ++x)
        out.push_back(float(w.at((oi * s[2] + y) * s[3] + x)));
  return make_tensor(DType::F32, {s[0], s[1], kh, kw}, out);
}

}  // namespace

void trim_padding_taps(Graph& g, const PassOptions&) {
  for (Node& n : g.nodes) {
    if (n.op != "Conv" || n.inputs.size() < 2 || !g.types.count(n.inputs[0]) ||
        !g.is_constant(n.inputs[1]) || n.s("auto_pad", "NOTSET") != "NOTSET")
      continue;
    const Shape& x = g.types.at(n.inputs[0]).shape;
    const Tensor& w = g.constants.at(n.inputs[1]);
    if (x.size() != 4 || w.type.dtype != DType::F32 || w.type.shape.size() != 4) continue;
    const Shape& ws = w.type.shape;
    const ops::ConvGeometry geo = ops::conv_geometry(n, x, {ws[2], ws[3]});
    std::vector<AxisTrim> trims;
    for (size_t a = 0; a < 2; ++a) {
      const std::optional<AxisTrim> t = trim_axis(ws[2 + a], x[2 + a], geo.out[a], geo.strides[a],
                                                  geo.dilations[a], geo.pads[a], geo.pads[a + 2]);
      trims.push_back(t.value_or(AxisTrim{0, ws[2 + a] - 1, geo.pads[a], geo.pads[a + 2]}));
    }
    if (trims[0].last - trims[0].first + 1 == ws[2] && trims[1].last - trims[1].first + 1 == ws[3])
      continue;
    const std::string cut = g.fresh_name(n.inputs[1] + "_trimmed");
    g.constants[cut] = cut_kernel(w, trims[0], trims[1]);
    n.inputs[1] = cut;
    std::vector<int64_t> kernel, dilations;
    for (size_t a = 0; a < 2; ++a) {
      kernel.push_back(trims[a].last - trims[a].first + 1);
      dilations.push_back(kernel.back() == 1 ? 1 : geo.dilations[a]);  // one tap: no spread
    }
    n.attrs["kernel_shape"] = kernel;
    n.attrs["dilations"] = dilations;
    n.attrs["pads"] = std::vector<int64_t>{trims[0].pad_begin, trims[1].pad_begin, trims[0].pad_end,
                                           trims[1].pad_end};
  }
}

}  // namespace tpuc::passes
