// Window geometry shared by Conv and pooling over S spatial dimensions (S = 2 for NCHW, 3 for
// NCDHW): strides, dilations, group, the 2·S pads (explicit, or derived from auto_pad) and the
// output size.
#pragma once
#include "ir/graph.h"

namespace tpuc::ops {

struct ConvGeometry {
  std::vector<int64_t> strides, dilations;  // one per spatial dimension
  std::vector<int64_t> pads;  // every dimension's begin, then every end: top, left, bottom, right
  std::vector<int64_t> out;   // output H, W (D, H, W)
  int64_t group = 1;
};

// `input` is NCHW (NCDHW); `kernel` is {KH, KW} ({KD, KH, KW}). `ceil_mode` rounds the output size
// up (pooling).
ConvGeometry conv_geometry(const Node& n, const Shape& input, const std::vector<int64_t>& kernel,
                           bool ceil_mode = false);

}  // namespace tpuc::ops
