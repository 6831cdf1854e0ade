// The real Fashion-MNIST model, int8, compiled for the BM1684X and run on the simulator:
// outputs must equal the host int8 reference bit for bit.
#include <gtest/gtest.h>

#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "driver/dataset.h"
#include "frontend/onnx/importer.h"
#include "passes/pass_manager.h"
#include "quant/calibration.h"
#include "quant/quantize.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"

using namespace tpuc;

TEST(FmnistChip, SimulatorMatchesHostInt8BitExactly) {
  const std::string src = TPUC_SOURCE_DIR, data = "/usr/share/datasets/fashion-mnist/";
  Graph top = import_onnx(src + "/examples/fmnist/model.onnx");
  passes::run_pipeline(top, passes::load_pipeline(src + "/configs/pipelines/default.yaml"));
  const TensorType& input = top.type("image");
  const Dataset cal = read_idx_dataset(data + "train-images-idx3-ubyte.gz", "", input,
                                       Preprocess{{1.0 / 255}, {0.0}, false}, 20);
  std::vector<TensorMap> samples;
  for (const Tensor& t : cal.images) samples.push_back({{"image", t}});
  const Graph tpu = quant::quantize(top, quant::calibrate(top, samples, {}),
                                    quant::load_quant_policy(src + "/configs/quant/int8_sym.yaml"));
  const bm1684x::Chip chip = bm1684x::load_chip(src + "/configs/chips/bm1684x.yaml");
  host::Executor host(tpu);
  const Dataset test =
      read_idx_dataset(data + "t10k-images-idx3-ubyte.gz", data + "t10k-labels-idx1-ubyte.gz",
                       input, Preprocess{{1.0 / 255}, {0.0}, false}, 50);
  for (bool groups : {false, true}) {  // one layer at a time, and fused into layer groups
    bm1684x::CodegenOptions options;
    options.layer_groups = groups;
    options.dump_dir = ::testing::TempDir() + "/fmnist-dump";
    const bm1684x::Model model = bm1684x::compile_model(tpu, chip, options);
    const std::string path = ::testing::TempDir() + "/fmnist.tpumodel";
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
