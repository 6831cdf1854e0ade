// The real Fashion-MNIST model, int8, compiled for the BM1684X and run on the simulator:
// outputs must equal the host int8 reference bit for bit.
#include <gtest/gtest.h>

#include <cstdio>

#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "quant/calibration.h"
#include "quant/quant_policy.h"
#include "quant/quantize.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/chip_checks.h"
#include "tests/support/fmnist.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using namespace tpuc::testing;

TEST(FmnistChip, SimulatorMatchesHostInt8BitExactly) {
  const Graph top = fmnist_top();
  const Graph tpu =
      quant::quantize(top, quant::calibrate(top, fmnist_calibration_samples(top, 20), {}),
                      quant::load_quant_policy(source_path("configs/quant/int8_sym.yaml")));
  const bm1684x::Chip& chip = bm1684x_chip();
  host::Executor host(tpu);
  const Dataset test = fmnist_test_images(top.type("image"), 50);
  for (bool groups : {false, true}) {  // one layer at a time, and fused into layer groups
    bm1684x::CodegenOptions options;
    options.layer_groups = groups;
    options.dump_dir = ::testing::TempDir() + "/fmnist-dump";
    const bm1684x::Model model = bm1684x::compile_model(tpu, chip, options);
    const std::string path = ::testing::TempDir() + "/fmnist.bmodel";
    bm1684x::write_model(path, model);
    bm1684x::Simulator sim(chip, bm1684x::read_model(path));
    for (size_t i = 0; i < test.images.size(); ++i) {
      const Tensor want = host.run({{"image", test.images[i]}}).at("logits");
      const Tensor got = sim.run({{"image", test.images[i]}}).at("logits");
      ASSERT_EQ(got.data, want.data) << "image " << i << (groups ? ", layer groups" : "");
    }
    std::printf("%s: %zu layers, %zu TIU + %zu GDMA commands, %.1f us, MAC utilization %.2f%%\n",
                groups ? "grouped" : "ungrouped", model.layers.size(), model.program.tiu.size(),
                model.program.gdma.size(), sim.stats().latency_us,
                100 * sim.stats().mac_utilization);
  }
}
