#include "tests/support/fmnist.h"

#include "frontend/onnx/importer.h"
#include "tests/support/compile_steps.h"
#include "tests/support/source_tree.h"

namespace tpuc::testing {

namespace {

const std::string kData = "/usr/share/datasets/fashion-mnist/";
// Pixels scaled to [0, 1], as examples/fmnist/config.yaml prepares them.
Preprocess pixels_to_unit() {
  Preprocess p;
  p.scale = {1.0 / 255};
  return p;
}

}  // namespace

Graph fmnist_top() {
  return with_default_pipeline(import_onnx(source_path("examples/fmnist/model.onnx")));
}

std::vector<TensorMap> fmnist_calibration_samples(const Graph& top, int64_t count) {
  const std::string& input = top.inputs[0];
  const Dataset train = read_idx_dataset(kData + "train-images-idx3-ubyte.gz", "", top.type(input),
                                         pixels_to_unit(), count);
  std::vector<TensorMap> samples;
  for (const Tensor& image : train.images) samples.push_back({{input, image}});
  return samples;
}

Dataset fmnist_test_images(const TensorType& input, int64_t count) {
  return read_idx_dataset(kData + "t10k-images-idx3-ubyte.gz", kData + "t10k-labels-idx1-ubyte.gz",
                          input, pixels_to_unit(), count);
}

}  // namespace tpuc::testing
