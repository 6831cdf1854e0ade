// Labelled image datasets for calibration and validation. Reads the IDX format of (Fashion-)MNIST
// (gzip-compressed, via zlib) and turns each image into the model input: x · scale[c] − mean[c]
// for channel c (dimension 1 of the NCHW input; one value applies to every channel), in the
// input's shape, channels reversed first when channel_order is bgr, and each channel resized first
// (stb_image_resize, its default filters) when a size is given.
#pragma once
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace tpuc {

struct Preprocess {
  std::vector<double> scale{1.0};  // one value, or one per channel
  std::vector<double> mean{0.0};
  bool bgr = false;                // the model wants the source's channels in reverse order
  std::vector<int64_t> resize;     // {height, width} of the model input, or empty: as stored
};

struct Dataset {
  std::vector<Tensor> images;   // each of the model input's type
  std::vector<int> labels;      // empty when no label file is given
};

// Reads up to `count` images (all when count <= 0) starting at `first`.
Dataset read_idx_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                         const Preprocess& pre, int64_t count, int64_t first = 0);

}  // namespace tpuc
