#include "driver/dataset.h"

#include <stb_image.h>
#include <stb_image_resize.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "ir/diagnostics.h"
#include "ir/npz.h"

namespace tpuc {

namespace {

// An IDX file: big-endian magic (0, 0, type 0x08 = u8, rank), dims, then the u8 data.
struct Idx {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

Idx read_idx(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) throw Error(path + ": cannot open file");
  auto read = [&](void* dst, size_t n) {
    if (gzread(f.get(), dst, unsigned(n)) != int(n)) throw Error(path + ": truncated IDX file");
  };
  uint8_t magic[4];
  read(magic, 4);
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4)
    throw Error(path + ": not an IDX file of unsigned bytes");
  Idx idx;
  int64_t total = 1;
  for (int i = 0; i < magic[3]; ++i) {
    uint8_t b[4];
    read(b, 4);
    idx.dims.push_back(int64_t(b[0]) << 24 | int64_t(b[1]) << 16 | int64_t(b[2]) << 8 | b[3]);
    total *= idx.dims.back();
  }
  idx.data.resize(size_t(total));
  read(idx.data.data(), idx.data.size());
  return idx;
}

// Turns planar u8 images (channels × height × width, as stored) into model inputs, one call per
// image: channel order, resize, then x · scale[c] − mean[c]. Checks once that they fit the
// input.
class InputMaker {
 public:
  InputMaker(const std::string& source, const TensorType& input, const Preprocess& pre,
             int64_t channels, int64_t height, int64_t width)
      : input_(input), pre_(pre), channels_(channels), source_h_(height), source_w_(width) {
    if (input.dtype != DType::F32) throw Error(source + ": the model input must be f32");
    h_ = pre.resize.empty() ? height : pre.resize[0];
    w_ = pre.resize.empty() ? width : pre.resize[1];
    const int64_t model_channels = input.shape.size() > 1 ? input.shape[1] : 1;
    if (channels * h_ * w_ != input.num_elements() || channels != model_channels)
      throw Error(source + ": images of " + std::to_string(channels) + " × " + std::to_string(h_) +
                  " × " + std::to_string(w_) + (pre.resize.empty() ? "" : " (resized)") +
                  " values do not fill the model input " + to_string(input));
    for (const std::vector<double>* v : {&pre.scale, &pre.mean})
      if (v->size() != 1 && int64_t(v->size()) != channels)
        throw Error(source + ": preprocessing has " + std::to_string(v->size()) +
                    " values, the model input has " + std::to_string(channels) + " channels");
    resized_.resize(size_t(h_ * w_));
  }

  Tensor operator()(const uint8_t* planes) {
    Tensor t(input_);
    float* x = t.as<float>();
    const int64_t plane = h_ * w_;
    for (int64_t c = 0; c < channels_; ++c) {
      const uint8_t* from = planes + (pre_.bgr ? channels_ - 1 - c : c) * source_h_ * source_w_;
      if (!pre_.resize.empty()) {
        stbir_resize_uint8(from, int(source_w_), int(source_h_), 0, resized_.data(), int(w_),
                           int(h_), 0, 1);
        from = resized_.data();
      }
      const double scale = per_channel(pre_.scale, c), mean = per_channel(pre_.mean, c);
      for (int64_t k = 0; k < plane; ++k) x[c * plane + k] = float(from[k] * scale - mean);
    }
    return t;
  }

 private:
  static double per_channel(const std::vector<double>& v, int64_t c) {
    return v.size() == 1 ? v[0] : v[size_t(c)];
  }
  TensorType input_;
  Preprocess pre_;
  int64_t channels_, source_h_, source_w_, h_ = 0, w_ = 0;
  std::vector<uint8_t> resized_;
};

// The sorted regular files of a folder: a dataset's order never depends on the file system.
std::vector<std::string> sorted_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return ext;
}

// The labels of `files` from a JSON object keyed by file name.
std::vector<metrics::Label> read_json_labels(const std::string& path,
                                             const std::vector<std::string>& files,
                                             const std::string& metric_kind) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open file");
  nlohmann::json all;
  try {
    all = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not JSON (" + e.what() + ")");
  }
  if (!all.is_object()) throw Error(path + ": labels are a JSON object from file name to label");
  std::vector<metrics::Label> labels;
  for (const std::string& f : files) {
    auto it = all.find(f);
    if (it == all.end()) throw Error(path + ": no label for '" + f + "'");
    labels.push_back(metrics::read_label(metric_kind, *it, path + ": '" + f + "'"));
  }
  return labels;
}

// A folder of PNG/JPEG/BMP images (decoded by stb_image to the model's channel count) or of
// .npy/.npz files holding ready model inputs.
Dataset read_folder(const std::string& dir, const TensorType& input, const Preprocess& pre,
                    int64_t count, int64_t first) {
  const std::set<std::string> images{".png", ".jpg", ".jpeg", ".bmp"}, arrays{".npy", ".npz"};
  std::vector<std::string> files;
  for (const std::string& f : sorted_files(dir))
    if (images.count(lower_extension(f)) || arrays.count(lower_extension(f))) files.push_back(f);
  if (files.empty()) throw Error(dir + ": no .png, .jpg, .bmp, .npy or .npz files");
  const int64_t available = int64_t(files.size()) - std::min<int64_t>(first, int64_t(files.size()));
  const int64_t n = count > 0 ? std::min(count, available) : available;
  const int64_t channels = input.shape.size() > 1 ? input.shape[1] : 1;
  Dataset d;
  for (int64_t i = 0; i < n; ++i) {
    const std::string& file = files[size_t(first + i)];
    d.files.push_back(std::filesystem::path(file).filename().string());
    if (arrays.count(lower_extension(file))) {
      const TensorMap tensors = read_tensors(file);
      if (tensors.size() != 1 || tensors.begin()->second.type.dtype != input.dtype ||
          tensors.begin()->second.type.shape != input.shape)
        throw Error(file + ": must hold one tensor of the model input's type " + to_string(input));
      d.images.push_back(tensors.begin()->second);
      continue;
    }
    if (channels != 1 && channels != 3 && channels != 4)
      throw Error(file + ": images give 1, 3 or 4 channels; the model input is " +
                  to_string(input));
    int w = 0, h = 0, stored = 0;
    std::unique_ptr<uint8_t, void (*)(void*)> pixels(
        stbi_load(file.c_str(), &w, &h, &stored, int(channels)), stbi_image_free);
    if (!pixels)
      throw Error(file + ": cannot decode image (" + std::string(stbi_failure_reason()) + ")");
    std::vector<uint8_t> planes(size_t(channels * h * w));  // interleaved → planar
    for (int64_t k = 0; k < int64_t(h) * w; ++k)
      for (int64_t c = 0; c < channels; ++c)
        planes[size_t(c * h * w + k)] = pixels.get()[k * channels + c];
    d.images.push_back(InputMaker(file, input, pre, channels, h, w)(planes.data()));
  }
  return d;
}

}  // namespace

Dataset read_idx_dataset(const std::string& images, const std::string& labels,
                         const TensorType& input, const Preprocess& pre, int64_t count,
                         int64_t first) {
  const Idx im = read_idx(images);
  // Source images: [channels,] height, width after the count.
  const std::vector<int64_t> dims(im.dims.begin() + 1, im.dims.end());
  if (dims.size() < 2) throw Error(images + ": images must have a height and a width");
  const int64_t height = dims[dims.size() - 2], width = dims.back(),
                channels = num_elements(Shape(dims.begin(), dims.end() - 2));
  InputMaker make(images, input, pre, channels, height, width);
  const int64_t available = im.dims[0] - first;
  const int64_t n = count > 0 ? std::min(count, available) : available;
  Dataset d;
  for (int64_t i = 0; i < n; ++i)
    d.images.push_back(make(im.data.data() + (first + i) * channels * height * width));
  if (!labels.empty()) {
    const Idx lb = read_idx(labels);
    if (lb.dims.size() != 1 || lb.dims[0] != im.dims[0])
      throw Error(labels + ": label count does not match the images");
    for (int64_t i = first; i < first + n; ++i) d.labels.push_back({lb.data[size_t(i)], {}, ""});
  }
  return d;
}

Dataset read_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                     const Preprocess& pre, int64_t count, int64_t first,
                     const std::string& metric_kind) {
  if (!std::filesystem::is_directory(images)) {
    if (!labels.empty() && metric_kind != "top1")
      throw Error(labels + ": IDX labels are classes; a " + metric_kind +
                  " metric needs a folder of images and a JSON file of labels");
    return read_idx_dataset(images, labels, input, pre, count, first);
  }
  Dataset d = read_folder(images, input, pre, count, first);
  if (!labels.empty()) d.labels = read_json_labels(labels, d.files, metric_kind);
  return d;
}

double neighbour_correlation(const Dataset& d) {
  double n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (const Tensor& t : d.images) {
    const int64_t w = t.type.shape.empty() ? 1 : t.type.shape.back();
    for (int64_t i = 0; i + 1 < t.size(); ++i) {
      if ((i + 1) % w == 0) continue;  // the next value starts a new row
      const double a = t.at(i), b = t.at(i + 1);
      n += 1;
      sa += a;
      sb += b;
      saa += a * a;
      sbb += b * b;
      sab += a * b;
    }
  }
  if (n == 0) return 1.0;
  const double va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n);
  if (va <= 0 || vb <= 0) return 1.0;
  return (sab / n - (sa / n) * (sb / n)) / std::sqrt(va * vb);
}

}  // namespace tpuc
