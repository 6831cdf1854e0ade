// Image datasets for calibration and validation: the IDX format of (Fashion-)MNIST (gzip, via
// zlib) with labels, or folders of images or arrays (read_dataset). Each image becomes a model
// input: channels reversed when channel_order is bgr, each channel resized (stb_image_resize, its
// default filters) when a size is given, then x · scale[c] − mean[c] for channel c (dimension 1
// of the NCHW input; one value applies to every channel).
#pragma once
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace tpuc {

struct Preprocess {
  std::vector<double> scale{1.0};  // one value, or one per channel
  std::vector<double> mean{0.0};
  bool bgr = false;             // the model wants the source's channels in reverse order
  std::vector<int64_t> resize;  // {height, width} of the model input, or empty: as stored
};

struct Dataset {
  std::vector<Tensor> images;  // each of the model input's type
  std::vector<int> labels;     // empty when no label file is given
};

// Reads up to `count` images (all when count <= 0) starting at `first` from an IDX file.
Dataset read_idx_dataset(const std::string& images, const std::string& labels,
                         const TensorType& input, const Preprocess& pre, int64_t count,
                         int64_t first = 0);

// `images` is an IDX file (labels: an IDX file too), or a folder of PNG/JPEG/BMP images (decoded
// with stb_image to the model's channels, then preprocessed the same way) and/or .npy/.npz files
// holding ready inputs, taken in sorted file-name order.
Dataset read_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                     const Preprocess& pre, int64_t count, int64_t first = 0);

}  // namespace tpuc
