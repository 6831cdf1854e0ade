#include "cli/dataset.h"

#include <stb_image_resize.h>
#include <zlib.h>

#include <memory>

#include "ir/diagnostics.h"

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

}  // namespace

Dataset read_idx_dataset(const std::string& images, const std::string& labels, const TensorType& input,
                         const Preprocess& pre, int64_t count, int64_t first) {
  const Idx im = read_idx(images);
  if (input.dtype != DType::F32) throw Error(images + ": the model input must be f32");
  // Source images: [channels,] height, width after the count.
  const std::vector<int64_t> dims(im.dims.begin() + 1, im.dims.end());
  if (dims.size() < 2) throw Error(images + ": images must have a height and a width");
  const int64_t source_h = dims[dims.size() - 2], source_w = dims.back();
  const int64_t source_channels = num_elements(Shape(dims.begin(), dims.end() - 2));
  const int64_t h = pre.resize.empty() ? source_h : pre.resize[0], w = pre.resize.empty() ? source_w : pre.resize[1];
  const int64_t channels = input.shape.size() > 1 ? input.shape[1] : 1, plane = h * w;
  if (source_channels * plane != input.num_elements() || source_channels != channels)
    throw Error(images + ": images of " + std::to_string(source_channels) + " × " + std::to_string(h) + " × " + std::to_string(w) +
                (pre.resize.empty() ? "" : " (resized)") + " values do not fill the model input " + to_string(input));
  for (const std::vector<double>* v : {&pre.scale, &pre.mean})
    if (v->size() != 1 && int64_t(v->size()) != channels)
      throw Error(images + ": preprocessing has " + std::to_string(v->size()) + " values, the model input has " +
                  std::to_string(channels) + " channels");
  auto per_channel = [](const std::vector<double>& v, int64_t c) { return v.size() == 1 ? v[0] : v[size_t(c)]; };
  const int64_t available = im.dims[0] - first;
  const int64_t n = count > 0 ? std::min(count, available) : available;
  std::vector<uint8_t> resized(static_cast<size_t>(plane));
  Dataset d;
  for (int64_t i = 0; i < n; ++i) {
    Tensor t(input);
    float* x = t.as<float>();
    const uint8_t* src = im.data.data() + (first + i) * source_channels * source_h * source_w;
    for (int64_t c = 0; c < channels; ++c) {
      const uint8_t* from = src + (pre.bgr ? channels - 1 - c : c) * source_h * source_w;
      if (!pre.resize.empty()) {
        stbir_resize_uint8(from, int(source_w), int(source_h), 0, resized.data(), int(w), int(h), 0, 1);
        from = resized.data();
      }
      const double scale = per_channel(pre.scale, c), mean = per_channel(pre.mean, c);
      for (int64_t k = 0; k < plane; ++k) x[c * plane + k] = float(from[k] * scale - mean);
    }
    d.images.push_back(std::move(t));
  }
  if (!labels.empty()) {
    const Idx lb = read_idx(labels);
    if (lb.dims.size() != 1 || lb.dims[0] != im.dims[0]) throw Error(labels + ": label count does not match the images");
    d.labels.assign(lb.data.begin() + first, lb.data.begin() + first + n);
  }
  return d;
}

}  // namespace tpuc
