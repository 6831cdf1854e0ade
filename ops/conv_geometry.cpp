#include "ops/conv_geometry.h"

#include "ops/families.h"

namespace tpuc::ops {

ConvGeometry conv_geometry(const Node& n, const Shape& input, const std::vector<int64_t>& kernel,
                           bool ceil_mode) {
  ConvGeometry g;
  g.strides = n.ints("strides", {1, 1});
  g.dilations = n.ints("dilations", {1, 1});
  g.group = n.i("group", 1);
  if (n.has("kernel_shape") && n.ints("kernel_shape") != kernel)
    node_error(n, "kernel_shape disagrees with the weight");
  if (g.strides.size() != 2 || g.dilations.size() != 2)
    node_error(n, "strides and dilations need 2 values");
  if (g.group < 1) node_error(n, "group must be positive");
  const std::string auto_pad = n.s("auto_pad", "NOTSET");
  g.pads = n.ints("pads", {0, 0, 0, 0});
  if (g.pads.size() != 4) node_error(n, "pads needs 4 values");
  for (int d = 0; d < 2; ++d) {
    const int64_t size = input[2 + d], span = (kernel[d] - 1) * g.dilations[d] + 1,
                  s = g.strides[d];
    if (s < 1 || g.dilations[d] < 1 || kernel[d] < 1)
      node_error(n, "strides, dilations and kernel must be positive");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(((size + s - 1) / s - 1) * s + span - size, 0);
      const int64_t small = total / 2, large = total - small;
      g.pads[d] = auto_pad == "SAME_UPPER" ? small : large;
      g.pads[d + 2] = auto_pad == "SAME_UPPER" ? large : small;
    } else if (auto_pad == "VALID") {
      g.pads[d] = g.pads[d + 2] = 0;
    } else if (auto_pad != "NOTSET") {
      node_error(n, "unknown auto_pad '" + auto_pad + "'");
    }
    const int64_t room = size + g.pads[d] + g.pads[d + 2] - span;
    if (room < 0) node_error(n, "the window is larger than the padded input");
    int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
    if (ceil_mode && (out - 1) * s >= size + g.pads[d]) --out;  // the last window must start inside
    g.out.push_back(out);
  }
  return g;
}

}  // namespace tpuc::ops
