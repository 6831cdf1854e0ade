// A small graph that uses every part of the IR, for tests of its text form and its verifier.
#pragma once
#include "ir/graph.h"

namespace tpuc::testing {

// image → Conv "conv/1" → y (int8, quantized) → Reshape "odd name" → logits (left untyped), with
// constants of several dtypes (one per-channel quantized, one large enough for hex), attributes of
// every kind and an absent optional input.
Graph sample_graph();

}  // namespace tpuc::testing
