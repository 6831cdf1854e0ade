// Labelled image datasets for calibration and validation. Reads the IDX format of (Fashion-)MNIST
// (gzip-compressed, via zlib) and turns each image into the model input: x * scale - mean, in the
// input's shape.
#pragma once
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace tpuc {

struct Preprocess {
  double scale = 1.0;
  double mean = 0.0;
};

struct Dataset {
  std::vector<Tensor> images;   // each of the model input's type
  std::vector<int> labels;      // empty when no label file is given
};

// Reads up to `count` images (all when count <= 0) starting at `first`.
Dataset read_idx_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                         const Preprocess& pre, int64_t count, int64_t first = 0);

}  // namespace tpuc
