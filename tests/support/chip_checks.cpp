#include "tests/support/chip_checks.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/sim/simulator.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/random_tensor.h"
#include "tests/support/source_tree.h"

namespace tpuc::testing {

bm1684x::Chip chip_config(const std::string& name) {
  return bm1684x::load_chip(source_path("configs/chips/" + name + ".yaml"));
}

const bm1684x::Chip& bm1684x_chip() {
  static const bm1684x::Chip chip = chip_config("bm1684x");
  return chip;
}

void expect_simulator_matches_host(const Graph& g, const bm1684x::Model& model, ValueRange range,
                                   unsigned seed, unsigned samples) {
  ASSERT_TRUE(model.host_layers.empty()) << model.host_layers[0].reason;
  bm1684x::Simulator sim(bm1684x_chip(), model);
  host::Executor host(g);
  const std::string& in = g.inputs[0];
  for (unsigned k = 0; k < samples; ++k) {
    const TensorMap x{{in, random_input(g.type(in), range.lo, range.hi, seed + k)}};
    const Tensor want = host.run(x).at(g.outputs[0]);
    const Tensor got = sim.run(x).at(g.outputs[0]);
    ASSERT_EQ(got.data, want.data) << "sample " << k;
  }
}

void expect_bit_exact(const Graph& g, ValueRange range, unsigned seed) {
  expect_simulator_matches_host(g, bm1684x::compile_model(g, bm1684x_chip()), range, seed, 3);
}

}  // namespace tpuc::testing
