// The chips tests compile for, and the check every code-generation test ends with: the simulator
// running the compiled model agrees bit for bit with the host reference running the graph.
#pragma once
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "ir/graph.h"

namespace tpuc::testing {

// The chip configs/chips/<name>.yaml describes ("bm1684x", "bm1684").
bm1684x::Chip chip_config(const std::string& name);
// The BM1684X, loaded once.
const bm1684x::Chip& bm1684x_chip();

// The interval test inputs are drawn from (random_input).
struct ValueRange {
  double lo;
  double hi;
};
// Every int8 value: the inputs of the int8 layers.
inline constexpr ValueRange kAnyInt8{-128, 127};

// `model`, compiled from g for bm1684x_chip() with no host layers, on the simulator against g on
// the host reference: on `samples` inputs random_input(type of g's first input, range, seed + k),
// g's first output must be the same bytes.
void expect_simulator_matches_host(const Graph& g, const bm1684x::Model& model, ValueRange range,
                                   unsigned seed, unsigned samples);

// g compiled for the BM1684X (in layer groups), then expect_simulator_matches_host on three
// samples.
void expect_bit_exact(const Graph& g, ValueRange range, unsigned seed);

}  // namespace tpuc::testing
