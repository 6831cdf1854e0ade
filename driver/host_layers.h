// The host layers of a model file (ops the chip cannot run, model_file.h) run on tpuc's host
// reference executor: each layer's graph is parsed and compiled on first use and kept.
#pragma once
#include "chip/bm1684x/sim/simulator.h"

namespace tpuc {

bm1684x::HostRunner host_layer_runner();

}  // namespace tpuc
