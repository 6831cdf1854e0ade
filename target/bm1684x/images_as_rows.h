// Reorders a TENSOR copy's walk so that DDR is read in long runs. The GDMA walks n, c, h, w: a view
// whose images (n) lie inside each channel, as a CONV kernel's input channels do ([ic, oc, kh, kw]
// over ONNX's [oc, ic, kh, kw] bytes), reads kh·kw bytes and then jumps a whole output channel.
// Where both sides store image n right after image n − 1's rows (ns = h·hs), the images become
// rows: the same elements at the same addresses, walked one channel at a time (one 4608-byte run
// per output channel of a 512-channel 3×3 int8 kernel instead of 512 runs of 9 bytes).
#pragma once
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

GdmaCommand with_images_as_rows(GdmaCommand c);

}  // namespace tpuc::bm1684x
