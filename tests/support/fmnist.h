// The example's Fashion-MNIST model and Debian's copy of the data set it was trained on, prepared
// as `tpuc compile` prepares them with examples/fmnist/config.yaml (pixels / 255).
#pragma once
#include <vector>

#include "driver/dataset.h"
#include "ir/graph.h"
#include "ir/npz.h"

namespace tpuc::testing {

// examples/fmnist/model.onnx imported and run through the default pipeline.
Graph fmnist_top();

// The first `count` training images as calibration samples of top's input.
std::vector<TensorMap> fmnist_calibration_samples(const Graph& top, int64_t count);

// The first `count` test images, typed as `input`, with their labels.
Dataset fmnist_test_images(const TensorType& input, int64_t count);

}  // namespace tpuc::testing
