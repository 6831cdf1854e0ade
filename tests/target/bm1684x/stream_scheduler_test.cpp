// The stream scheduler (target/bm1684x/stream_scheduler.h) on a network built here, quantized and
// compiled one layer at a time: the GDMA engine runs ahead of the TIU.
#include <gtest/gtest.h>

#include "chip/bm1684x/sim/simulator.h"
#include "target/bm1684x/codegen.h"
#include "tests/support/chip_checks.h"
#include "tests/support/compile_steps.h"
#include "tests/support/net_builder.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

// One layer at a time, the second convolution's weights (1 MiB) load while the first computes:
// the GDMA runs ahead of the TIU instead of waiting at each layer's border.
TEST(StreamScheduler, TheNextLayersWeightsLoadWhileThisLayerComputes) {
  NetBuilder b({1, 64, 14, 14});
  b.g.outputs = {b.conv(b.conv("x", 512, 3, 1, 1, true), 256, 3, 1, 1, true)};
  const Graph tpu = int8_quantized(with_default_pipeline(b.g), 4, 50);
  bm1684x::CodegenOptions one_layer_at_a_time;
  one_layer_at_a_time.layer_groups = false;
  const bm1684x::Model alone = bm1684x::compile_model(tpu, bm1684x_chip(), one_layer_at_a_time);
  bm1684x::Simulator sim(bm1684x_chip(), alone);
  sim.run({{"x", random_tensor<float>(DType::F32, {1, 64, 14, 14}, -2, 2, 7)}});
  const bm1684x::SimStats& st = sim.stats();
  const auto conv = [&](size_t layer) {  // the layer's CONV command
    for (uint32_t k : alone.layers[layer].tiu)
      if (alone.program.tiu[k].op == bm1684x::TiuOp::Conv) return k;
    return uint32_t(0);
  };
  const uint32_t first = conv(1);  // layer 0 quantizes the input
  uint32_t weights = 0;  // the second layer's weight load: its largest read of the weight blob
  int64_t largest = 0;
  for (uint32_t k : alone.layers[2].gdma) {
    const bm1684x::GdmaCommand& c = alone.program.gdma[k];
    const bool blob = c.src.space == bm1684x::Space::Global && c.src.addr >= alone.weight_addr &&
                      c.src.addr < alone.weight_addr + alone.weights.size();
    if (blob && c.src.elements() > largest) {
      weights = k;
      largest = c.src.elements();
    }
  }
  ASSERT_GT(largest, 1000000);
  EXPECT_LT(st.gdma[weights].start, st.tiu[first].end)
      << "the second layer's loads start only after the first convolution";
}
