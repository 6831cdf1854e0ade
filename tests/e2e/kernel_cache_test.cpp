// The host kernel cache (target/host/kernel_cache.h) as a user meets it: a second run compiles
// nothing, a damaged kernel file is rebuilt, the size limit holds, `off` leaves nothing behind and
// layers of one shape share a kernel.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "ir/files.h"
#include "ir/npz.h"
#include "ir/text.h"
#include "tests/support/fmnist.h"
#include "tests/support/random_tensor.h"
#include "tests/support/source_tree.h"
#include "tests/support/tpuc_process.h"

using namespace tpuc;
using namespace tpuc::testing;
namespace fs = std::filesystem;

namespace {

// A fresh, empty folder in the test's temporary folder.
std::string fresh_folder(const std::string& name) {
  const fs::path path = fs::path(::testing::TempDir()) / name;
  fs::remove_all(path);
  fs::create_directories(path);
  return path.string();
}

// An environment variable set for the tpuc runs of one test, restored after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (old) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// The kernel files of a cache folder and their inodes (a rebuilt file is a new inode).
std::map<std::string, ino_t> kernel_files(const std::string& folder) {
  std::map<std::string, ino_t> files;
  for (const fs::directory_entry& e : fs::directory_iterator(folder)) {
    struct stat s {};
    if (e.path().extension() == ".so" && stat(e.path().c_str(), &s) == 0)
      files[e.path().filename().string()] = s.st_ino;
  }
  return files;
}

// The Fashion-MNIST example's first test image, written beside `folder`; its path.
std::string example_image(const std::string& folder) {
  const std::string input = folder + "/../kernel-cache-image.npz";
  const TensorType image{DType::F32, {1, 1, 28, 28}, std::nullopt};
  write_npz(input, {{"image", fmnist_test_images(image, 1).images.at(0)}});
  return input;
}

// `tpuc run` of the Fashion-MNIST example on its first test image; the logits file's bytes.
std::string run_example(const std::string& folder, const std::string& output) {
  const TpucResult r = run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " +
                                example_image(folder) + " --output " + output);
  EXPECT_EQ(r.code, 0) << r.output;
  return read_file(output);
}

}  // namespace

TEST(KernelCache, ASecondRunCompilesNothing) {
  const std::string cache = fresh_folder("kernel-cache-reuse");
  ScopedEnv env("TPUC_KERNEL_CACHE", cache);
  const std::string first = run_example(cache, cache + "/../first.npz");
  const std::map<std::string, ino_t> built = kernel_files(cache);
  EXPECT_GE(built.size(), 2u);  // Halide's runtime and at least one kernel
  EXPECT_EQ(run_example(cache, cache + "/../second.npz"), first);
  EXPECT_EQ(kernel_files(cache), built);  // the same files, none rewritten
}

TEST(KernelCache, ADamagedKernelIsRebuilt) {
  const std::string cache = fresh_folder("kernel-cache-damaged");
  ScopedEnv env("TPUC_KERNEL_CACHE", cache);
  const std::string first = run_example(cache, cache + "/../undamaged.npz");
  for (const auto& [name, inode] : kernel_files(cache))
    std::ofstream(cache + "/" + name, std::ios::trunc) << "not a shared object";
  EXPECT_EQ(run_example(cache, cache + "/../rebuilt.npz"), first);
  for (const auto& [name, inode] : kernel_files(cache))
    EXPECT_EQ(read_file(cache + "/" + name).substr(0, 4),
              "\x7f"
              "ELF")
        << name;
}

TEST(KernelCache, TheSizeLimitHolds) {
  const std::string cache = fresh_folder("kernel-cache-limit");
  std::string unlimited;
  {
    ScopedEnv elsewhere("TPUC_KERNEL_CACHE", fresh_folder("kernel-cache-unlimited"));
    unlimited = run_example(cache, cache + "/../unlimited.npz");
  }
  ScopedEnv env("TPUC_KERNEL_CACHE", cache);
  {
    ScopedEnv limit("TPUC_KERNEL_CACHE_MB", "0");
    EXPECT_EQ(run_example(cache, cache + "/../limited.npz"), unlimited);
    EXPECT_TRUE(kernel_files(cache).empty());  // every kernel ran, then went
  }
  ScopedEnv wrong("TPUC_KERNEL_CACHE_MB", "lots");
  const TpucResult r =
      run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " + cache +
               "/../kernel-cache-image.npz --output " + cache + "/../never.npz");
  EXPECT_EQ(r.code, 2);  // a user's error
  EXPECT_NE(r.output.find("TPUC_KERNEL_CACHE_MB=lots: expected a number of megabytes"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(cache + "/../never.npz"));
}

TEST(KernelCache, OffLeavesNothingBehind) {
  const std::string temporary = fresh_folder("kernel-cache-off-tmp");
  ScopedEnv off("TPUC_KERNEL_CACHE", "off");
  ScopedEnv tmpdir("TMPDIR", temporary);
  run_example(temporary, temporary + "/../off.npz");
  EXPECT_TRUE(fs::is_empty(temporary));
}

TEST(KernelCache, AFolderThatCannotBeMadeIsOneError) {
  const std::string folder = fresh_folder("kernel-cache-unmakeable");
  std::ofstream(folder + "/file") << "a file, not a folder";
  ScopedEnv env("TPUC_KERNEL_CACHE", folder + "/file/kernels");
  const TpucResult r = run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " +
                                example_image(folder) + " --output " + folder + "/never.npz");
  EXPECT_EQ(r.code, 2);  // a user's error
  EXPECT_NE(r.output.find(folder + "/file/kernels: cannot create the kernel cache"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(folder + "/never.npz"));
}

// Two int8 Conv layers of one shape that differ in everything else (weights, bias,
// requantization, result scale) run on one kernel: the cache holds Halide's runtime and it.
TEST(KernelCache, LayersOfOneShapeShareAKernel) {
  const std::string cache = fresh_folder("kernel-cache-shared");
  ScopedEnv env("TPUC_KERNEL_CACHE", cache);
  Graph g;
  g.name = "two_convs";
  g.inputs = {"x"};
  g.types["x"] = {DType::I8, {1, 4, 6, 6}, QuantParams{{0.05}, 0, -1}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string id = std::to_string(layer);
    const unsigned seed = 10 + 2 * unsigned(layer);
    g.constants["w" + id] = random_tensor<int8_t>(DType::I8, {4, 4, 3, 3}, -127, 127, seed);
    g.constants["b" + id] = random_tensor<int32_t>(DType::I32, {4}, -900, 900, seed + 1);
    Node conv{"Conv", "conv" + id, {"x", "w" + id, "b" + id}, {"y" + id}, {}};
    conv.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
    conv.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
    conv.attrs["multiplier"] = std::vector<int64_t>(4, 1500000000 - 300000000 * layer);
    conv.attrs["rshift"] = std::vector<int64_t>(4, 38 + layer);
    g.nodes.push_back(conv);
    g.types["y" + id] = {DType::I8, {1, 4, 6, 6}, QuantParams{{0.1 * (layer + 1)}, 0, -1}};
    g.outputs.push_back("y" + id);
  }
  const std::string model = cache + "/../two-convs.tpuir", input = cache + "/../two-convs.npz";
  write_file_atomic(model, print(g));
  write_npz(input, {{"x", random_tensor<int8_t>(DType::I8, {1, 4, 6, 6}, -128, 127, 9)}});
  const TpucResult r =
      run_tpuc("run " + model + " --input " + input + " --output " + cache + "/../two-convs.y.npz");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(kernel_files(cache).size(), 2u);
}
