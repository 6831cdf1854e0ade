// The compiler's steps before code generation, as tests run them on the graphs they build.
#pragma once
#include "ir/graph.h"

namespace tpuc::testing {

// The default pipeline (configs/pipelines/default.yaml) run on g.
Graph with_default_pipeline(Graph g);

// `top` quantized by the default policy (symmetric int8), calibrated on `count` inputs x drawn
// uniformly from [-2, 2] with seeds seed, seed + 1, ...
Graph int8_quantized(const Graph& top, unsigned count, unsigned seed);

}  // namespace tpuc::testing
