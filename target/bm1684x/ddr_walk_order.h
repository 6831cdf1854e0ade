// Reorders a TENSOR copy's walk so that it reads and writes DDR in long runs. The GDMA walks n, c,
// h, w (w innermost) and DDR moves whole blocks per contiguous run (docs/isa.md, "Cycle model"),
// while the same elements can be named in any order of n, h and w (c picks a local operand's lane
// and stays):
// - a single image's row dimension (h or w) whose DDR stride exceeds the channels' is walked as n,
//   outside the channels: a Gemm's A [M, K] loaded with K on the lanes and M along w would read
//   one element per run; walked with M as n, it reads each row of K elements whole;
// - images that follow each other's rows on both sides (ns = h·hs) become rows: a CONV kernel
//   loaded with its input channels as n ([ic, oc, kh, kw] over ONNX's [oc, ic, kh, kw] bytes)
//   reads one run per output channel (4608 bytes for a 512-channel 3×3 int8 kernel) instead of
//   one per input and output channel (9 bytes).
// The command copies the same elements to the same addresses either way.
#pragma once
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

GdmaCommand in_ddr_walk_order(GdmaCommand c);

}  // namespace tpuc::bm1684x
