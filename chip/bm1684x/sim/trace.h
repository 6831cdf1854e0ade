// The simulator's timeline in Chrome's trace event format (opens in Perfetto or chrome://tracing):
// one track per engine with every command as a span (its id, dependency, layer and cycles in the
// arguments) and a track of layers, on a microsecond axis at the chip's TIU clock.
#pragma once
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"

namespace tpuc::bm1684x {

std::string chrome_trace(const Model& model, const SimStats& stats, const Chip& chip);

}  // namespace tpuc::bm1684x
