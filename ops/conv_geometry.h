// Window geometry shared by Conv and pooling: strides, dilations, group, the four pads (explicit,
// or derived from auto_pad) and the output size.
#pragma once
#include "ir/graph.h"

namespace tpuc::ops {

struct ConvGeometry {
  std::vector<int64_t> strides, dilations, pads;  // pads: top, left, bottom, right
  std::vector<int64_t> out;                       // output H, W
  int64_t group = 1;
};

// `input` is NCHW; `kernel` is {KH, KW}. `ceil_mode` rounds the output size up (pooling).
ConvGeometry conv_geometry(const Node& n, const Shape& input, const std::vector<int64_t>& kernel,
                           bool ceil_mode = false);

}  // namespace tpuc::ops
