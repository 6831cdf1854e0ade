// Image datasets for calibration and validation: the IDX format of (Fashion-)MNIST (gzip, via
// zlib) with labels, or folders of images or arrays (read_dataset) with labels in a JSON file. Each
// image becomes a model input: channels reversed when channel_order is bgr, each channel resized
// (stb_image_resize, its default filters) when a size is given, then x · scale[c] − mean[c] for
// channel c (dimension 1 of the NCHW input; one value applies to every channel).
#pragma once
#include <string>
#include <vector>

#include "ir/tensor.h"
#include "metrics/task_metric.h"

namespace tpuc {

struct Preprocess {
  std::vector<double> scale{1.0};  // one value, or one per channel
  std::vector<double> mean{0.0};
  bool bgr = false;             // the model wants the source's channels in reverse order
  std::vector<int64_t> resize;  // {height, width} of the model input, or empty: as stored
};

struct Dataset {
  std::vector<Tensor> images;          // each of the model input's type
  std::vector<metrics::Label> labels;  // empty when no label file is given
  std::vector<std::string> files;      // a folder's file names, in the images' order
};

// Reads up to `count` images (all when count <= 0) starting at `first` from an IDX file.
Dataset read_idx_dataset(const std::string& images, const std::string& labels,
                         const TensorType& input, const Preprocess& pre, int64_t count,
                         int64_t first = 0);

// `images` is an IDX file (labels: an IDX file of classes), or a folder of PNG/JPEG/BMP images
// (decoded with stb_image to the model's channels, then preprocessed the same way) and/or
// .npy/.npz files holding ready inputs, taken in sorted file-name order. A folder's labels are a
// JSON object from each file name to its label in the form `metric_kind` reads: a class (top1),
// a list of [x0, y0, x1, y1] boxes (text_detection) or a string (ctc).
Dataset read_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                     const Preprocess& pre, int64_t count, int64_t first = 0,
                     const std::string& metric_kind = "top1");

// How alike neighbouring values along the last axis of the samples are: their correlation
// coefficient (about 0.9 for photographs and rendered pages, about 0 for independent random
// values); 1 when there is nothing to measure (constant or one-column inputs).
double neighbour_correlation(const Dataset& d);

}  // namespace tpuc
