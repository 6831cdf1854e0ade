// Models built by hand for the model file and disassembler tests, independent of the compiler's
// schedules: a few commands each, valid for the simulator.
#pragma once
#include "chip/bm1684x/model_file.h"

namespace tpuc::bm1684x::testing {

// x (i8 [1,1,1,4], scale 0.25) → GDMA load, TIU copy, GDMA store → y (i8, scale 0.5); weights
// 1..8 at the DDR base; one layer.
Model tiny_model();

// x → TPU (load, copy, store to t) → host layer 'neg' (t → u) → TPU (load u, copy, store y) → y.
// The second part's first GDMA command depends on the first part's TIU copy: a dependency the
// split drops (model_subnets.h).
Model host_layer_model();

// host_layer_model() with that dependency dropped, as it reads back.
Model host_layer_model_as_read();

}  // namespace tpuc::bm1684x::testing
