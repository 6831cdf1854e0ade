// A small ResNet built here (stem conv 7×7/2 with relu, max-pool 3×3/2 whose padding is one-sided,
// a basic block, a downsampling block with a 1×1/2 shortcut, global average pool, classifier),
// float, calibrated and quantized like any model, compiled for the BM1684X: the simulator's
// outputs must equal the host int8 reference bit for bit, and stay close to float — for one image
// and for a batch of three (layer groups tile the batch too).
#include <gtest/gtest.h>

#include "chip/bm1684x/sim/simulator.h"
#include "quant/similarity.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/chip_checks.h"
#include "tests/support/compile_steps.h"
#include "tests/support/net_builder.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

void check_residual_net(int64_t batch) {
  NetBuilder b({batch, 3, 32, 32});
  const std::string stem = b.conv("x", 16, 7, 2, 3, true);  // 16×16
  Node pool{"MaxPool", "pool", {stem}, {"pool"}, {}};
  pool.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
  pool.attrs["strides"] = std::vector<int64_t>{2, 2};
  pool.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  const std::string p = b.add_node(pool, false);  // 8×8
  const std::string block1 =
      b.node("Add", {p, b.conv(b.conv(p, 16, 3, 1, 1, true), 16, 3, 1, 1, false)}, true);
  const std::string shortcut = b.conv(block1, 80, 1, 2, 0, false);  // more channels than lanes
  const std::string block2 = b.node(
      "Add", {shortcut, b.conv(b.conv(block1, 80, 3, 2, 1, true), 80, 3, 1, 1, false)}, true);
  const std::string gap = b.node("GlobalAveragePool", {block2});
  b.g.constants["shape"] = make_tensor<int64_t>(DType::I64, {2}, {batch, 80});
  const std::string flat = b.node("Reshape", {gap, "shape"});
  b.g.constants["fc.w"] = random_tensor<float>(DType::F32, {10, 80}, -0.3f, 0.3f, 77);
  b.g.constants["fc.b"] = random_tensor<float>(DType::F32, {10}, -0.1f, 0.1f, 78);
  Node fc{"Gemm", "fc", {flat, "fc.w", "fc.b"}, {"logits"}, {}};
  fc.attrs["transB"] = int64_t{1};
  b.add_node(fc, false);
  b.g.outputs = {"logits"};
  const Graph top = with_default_pipeline(b.g);
  const Graph tpu = int8_quantized(top, 8, 200);
  for (const Node& n : tpu.nodes) {  // every layer runs in int8 on the chip
    if (n.op != "Quantize" && n.op != "Dequantize") {
      EXPECT_EQ(tpu.type(n.outputs[0]).dtype, DType::I8) << n.name << " " << n.op;
    }
  }
  // The chip is data: the BM1684 (twice the local memory per lane, half the banks, other clocks)
  // compiles and runs the same graph with no code of its own.
  for (const char* name : {"bm1684x", "bm1684"}) {
    const bm1684x::Chip chip = chip_config(name);
    bm1684x::Simulator sim(chip, bm1684x::compile_model(tpu, chip));
    host::Executor host(tpu), float_host(top);
    for (unsigned s = 0; s < 3; ++s) {
      const Tensor x = random_tensor<float>(DType::F32, {batch, 3, 32, 32}, -2, 2, 300 + s);
      const Tensor want = host.run({{"x", x}}).at("logits");
      const Tensor got = sim.run({{"x", x}}).at("logits");
      ASSERT_EQ(got.data, want.data) << name << " sample " << s;
      EXPECT_GT(quant::similarity(float_host.run({{"x", x}}).at("logits"), got).cosine, 0.99)
          << name << " sample " << s;
    }
  }
}

}  // namespace

TEST(ResidualNetChip, SimulatorMatchesHostInt8BitExactly) { check_residual_net(1); }

TEST(ResidualNetChip, ABatchOfThreeMatchesBitExactly) { check_residual_net(3); }
