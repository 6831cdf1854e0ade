// Dataset reading and preprocessing against values computed by hand on small IDX files, image
// folders and label files written here.
#include "driver/dataset.h"

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>

#include "driver/front_end.h"
#include "ir/files.h"
#include "ir/npz.h"
#include "tests/support/errors.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::error_of;

namespace {

// An IDX file of `count` images of 2 channels × 1 × 2 (unsigned bytes), gzip-compressed, named
// after the test (ctest runs tests in parallel processes sharing the temporary folder).
std::string write_idx(const std::vector<uint8_t>& pixels, int count) {
  const std::string path = ::testing::TempDir() +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                           "-idx.gz";
  gzFile f = gzopen(path.c_str(), "wb");
  const uint8_t header[] = {0, 0, 0x08, 4};  // unsigned byte, 4 dimensions
  gzwrite(f, header, sizeof header);
  for (uint32_t d : {uint32_t(count), 2u, 1u, 2u}) {
    const uint8_t be[] = {uint8_t(d >> 24), uint8_t(d >> 16), uint8_t(d >> 8), uint8_t(d)};
    gzwrite(f, be, sizeof be);
  }
  gzwrite(f, pixels.data(), unsigned(pixels.size()));
  gzclose(f);
  return path;
}

}  // namespace

TEST(Dataset, PerChannelScaleMeanAndChannelOrder) {
  const std::string path = write_idx({10, 20, 30, 40}, 1);  // channel 0: 10 20, channel 1: 30 40
  const TensorType input{DType::F32, {1, 2, 1, 2}, std::nullopt};
  const Dataset rgb =
      read_idx_dataset(path, "", input, Preprocess{{0.5, 2.0}, {1.0, 10.0}, false}, 0);
  ASSERT_EQ(rgb.images.size(), 1u);
  EXPECT_EQ(rgb.images[0].as<float>()[0], 4.0f);   // 10 · 0.5 − 1
  EXPECT_EQ(rgb.images[0].as<float>()[1], 9.0f);   // 20 · 0.5 − 1
  EXPECT_EQ(rgb.images[0].as<float>()[2], 50.0f);  // 30 · 2 − 10
  EXPECT_EQ(rgb.images[0].as<float>()[3], 70.0f);  // 40 · 2 − 10
  const Dataset bgr = read_idx_dataset(path, "", input, Preprocess{{1.0}, {0.0}, true}, 0);
  EXPECT_EQ(bgr.images[0].as<float>()[0], 30.0f);  // the source's last channel comes first
  EXPECT_EQ(bgr.images[0].as<float>()[3], 20.0f);
  const Preprocess three_scales{{1.0, 2.0, 3.0}, {0.0}, false};  // for two channels
  EXPECT_EQ(error_of([&] { read_idx_dataset(path, "", input, three_scales, 0); }),
            path + ": preprocessing has 3 values, the model input has 2 channels");
}

// Resizing keeps a flat image flat (every filter is normalized) and fills the model's size.
TEST(Dataset, ResizeToTheModelInput) {
  const std::string path = write_idx({10, 10, 30, 30}, 1);
  const TensorType input{DType::F32, {1, 2, 3, 4}, std::nullopt};
  const Dataset d = read_idx_dataset(path, "", input, Preprocess{{1.0}, {0.0}, false, {3, 4}}, 0);
  ASSERT_EQ(d.images.size(), 1u);
  for (int64_t k = 0; k < 12; ++k) {
    EXPECT_NEAR(d.images[0].at(k), 10.0, 0.5) << k;
    EXPECT_NEAR(d.images[0].at(12 + k), 30.0, 0.5) << k;
  }
  const Preprocess no_resize{{1.0}, {0.0}, false, {}};  // 2 × 1 × 2 images cannot fill 2 × 3 × 4
  EXPECT_EQ(error_of([&] { read_idx_dataset(path, "", input, no_resize, 0); }),
            path + ": images of 2 × 1 × 2 values do not fill the model input f32[1,2,3,4]");
}

// A folder of images (PNG written here with stb_image_write) and arrays, in file-name order.
TEST(Dataset, FolderOfImagesAndArrays) {
  const std::string dir = ::testing::TempDir() + "image-folder";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const uint8_t rgb[] = {10, 20, 30, 40, 50, 60};  // two pixels, interleaved RGB
  ASSERT_NE(stbi_write_png((dir + "/a.png").c_str(), 2, 1, 3, rgb, 6), 0);
  Tensor ready(TensorType{DType::F32, {1, 3, 1, 2}, std::nullopt});
  for (int64_t i = 0; i < ready.size(); ++i) ready.as<float>()[i] = float(i);
  write_npz(dir + "/b.npz", {{"x", ready}});
  tpuc::write_file_atomic(dir + "/notes.txt", "not data");
  const TensorType input{DType::F32, {1, 3, 1, 2}, std::nullopt};
  const Dataset d = read_dataset(dir, "", input, Preprocess{{0.5}, {0.0}, true}, 0);
  ASSERT_EQ(d.images.size(), 2u);
  const std::vector<float> want{15, 30, 10, 25, 5, 20};  // planar, channels reversed (bgr), · 0.5
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(d.images[0].as<float>()[i], want[i]) << i;
  EXPECT_EQ(d.images[1], ready);  // arrays are inputs already
  EXPECT_TRUE(d.labels.empty());
}

// An input whose preprocessing the graph fuses: the dataset leaves the scale and mean to the graph
// but still resizes to the model input (and keeps the channel order).
TEST(Dataset, FusedPreprocessingStillResizes) {
  const std::string path = write_idx({10, 10, 30, 30}, 1);
  Graph g;
  g.inputs = {"x"};
  g.types["x"] = TensorType{DType::F32, {1, 2, 3, 4}, std::nullopt};
  CompileConfig c;
  InputConfig in;
  in.name = "x";
  in.preprocess = Preprocess{{0.5}, {1.0}, false, {3, 4}};
  in.fuse_preprocess = true;
  c.inputs = {in};
  DatasetConfig d;
  d.images = path;
  const Dataset data = load(d, g, c);
  ASSERT_EQ(data.images.size(), 1u);
  for (int64_t k = 0; k < 12; ++k) {
    EXPECT_NEAR(data.images[0].at(k), 10.0, 0.5) << k;  // raw values: no scale, no mean
    EXPECT_NEAR(data.images[0].at(12 + k), 30.0, 0.5) << k;
  }
}

// A folder's labels come from a JSON file by file name, in the metric's form; each mistake is
// named with the file and the key.
TEST(Dataset, JsonLabelsOfAFolder) {
  const std::string dir = ::testing::TempDir() + "labelled-folder";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const uint8_t gray[] = {0, 255};
  for (const char* f : {"/a.png", "/b.png"})
    ASSERT_NE(stbi_write_png((dir + f).c_str(), 2, 1, 1, gray, 2), 0);
  const TensorType input{DType::F32, {1, 1, 1, 2}, std::nullopt};
  auto labels = [&](const std::string& json, const std::string& kind) {
    tpuc::write_file_atomic(dir + ".json", json);
    return read_dataset(dir, dir + ".json", input, Preprocess{}, 0, 0, kind).labels;
  };
  const auto boxes =
      labels(R"({"b.png": [], "a.png": [[1, 2, 5, 6], [0, 0, 1, 1]]})", "text_detection");
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_EQ(boxes[0].boxes, (std::vector<metrics::Box>{{1, 2, 5, 6}, {0, 0, 1, 1}}));
  EXPECT_TRUE(boxes[1].boxes.empty());
  EXPECT_EQ(labels(R"({"a.png": "ab1", "b.png": ""})", "ctc")[0].text, "ab1");
  EXPECT_EQ(labels(R"({"a.png": 3, "b.png": 0})", "top1")[0].cls, 3);
  const std::string file = dir + ".json";
  EXPECT_EQ(error_of([&] { labels(R"({"a.png": "x"})", "ctc"); }), file + ": no label for 'b.png'");
  EXPECT_EQ(error_of([&] { labels(R"({"a.png": "x", "b.png": 7})", "ctc"); }),
            file + ": 'b.png': a ctc label is the text, a string");
  EXPECT_EQ(error_of([&] { labels(R"({"a.png": [[1, 2, 3]], "b.png": []})", "text_detection"); }),
            file + ": 'a.png': a text_detection label is a list of [x0, y0, x1, y1] boxes");
  EXPECT_EQ(
      error_of([&] { labels(R"({"a.png": [[4, 0, 1, 1]], "b.png": []})", "text_detection"); }),
      file + ": 'a.png': a box ends before it starts");
  EXPECT_EQ(error_of([&] { labels("{\"a.png\": ", "top1"); }).rfind(file + ": not JSON (", 0), 0u);
}

// Neighbouring values of images correlate; independent random values do not (the calibration
// warns about those).
TEST(Dataset, NeighbourCorrelationTellsImagesFromNoise) {
  Dataset ramp, noise;
  Tensor smooth(TensorType{DType::F32, {1, 1, 4, 64}, std::nullopt});
  for (int64_t i = 0; i < smooth.size(); ++i) smooth.as<float>()[i] = float(std::sin(i * 0.1));
  ramp.images = {smooth};
  EXPECT_GT(neighbour_correlation(ramp), 0.99);
  noise.images = {tpuc::testing::random_tensor<float>(DType::F32, {1, 3, 64, 64}, -1, 1, 5)};
  EXPECT_LT(std::fabs(neighbour_correlation(noise)), 0.05);
  EXPECT_EQ(neighbour_correlation(Dataset{}), 1.0);
}
