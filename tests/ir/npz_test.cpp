// .npy/.npz I/O against files written by NumPy itself (tests/ir/data, made with numpy.savez).
#include "ir/npz.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "tests/support/errors.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using tpuc::testing::error_of;

const std::string kData = tpuc::testing::source_path("tests/ir/data/");

TEST(Npz, ReadsWhatNumpyWrote) {
  TensorMap t = read_tensors(kData + "numpy_made.npz");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t["a"].type.shape, (Shape{2, 3}));
  EXPECT_EQ(t["a"].type.dtype, DType::F32);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t["a"].at(i), 0.5 * i);
  EXPECT_EQ(t["b"].type.dtype, DType::I8);
  EXPECT_EQ(t["b"].at(0), -128);
  EXPECT_EQ(t["b"].at(2), 127);
  EXPECT_EQ(t["c"].type.shape, Shape{});
  EXPECT_EQ(t["c"].at(0), 7);
  TensorMap single = read_tensors(kData + "numpy_made.npy");
  EXPECT_EQ(single.at("numpy_made").type.shape, (Shape{1, 2}));
  EXPECT_EQ(single.at("numpy_made").at(1), -2.25);
}

TEST(Npz, WriteReadRoundTripIsByteIdentical) {
  const std::string dir = ::testing::TempDir();
  TensorMap t = read_tensors(kData + "numpy_made.npz");
  write_npz(dir + "/one.npz", t);
  write_npz(dir + "/two.npz", t);
  EXPECT_EQ(read_file(dir + "/one.npz"), read_file(dir + "/two.npz"));
  EXPECT_EQ(read_tensors(dir + "/one.npz"), t);
  // NumPy writes the same .npy header layout (version 1.0, 64-byte aligned) as tpuc.
  EXPECT_EQ(npy_bytes(read_tensors(kData + "numpy_made.npy").begin()->second),
            read_file(kData + "numpy_made.npy"));
}

// float64 and the unsigned 16-, 32- and 64-bit types, as NumPy wrote them (numpy.savez of
// d = [0.1, -2.5e300] f8, h = [0, 65535] u2, w = [4294967295, 1] u4, q = [2**53, 7] u8).
TEST(Npz, ReadsNumpysWideAndUnsignedTypes) {
  TensorMap t = read_tensors(kData + "numpy_wide.npz");
  EXPECT_EQ(t["d"].type.dtype, DType::F64);
  EXPECT_EQ(t["d"].at(0), 0.1);
  EXPECT_EQ(t["d"].at(1), -2.5e300);
  EXPECT_EQ(t["h"].type.dtype, DType::U16);
  EXPECT_EQ(t["h"].at(1), 65535);
  EXPECT_EQ(t["w"].type.dtype, DType::U32);
  EXPECT_EQ(t["w"].at(0), 4294967295.0);
  EXPECT_EQ(t["q"].type.dtype, DType::U64);
  EXPECT_EQ(t["q"].at(0), 9007199254740992.0);
  const std::string copy = ::testing::TempDir() + "/wide.npz";
  write_npz(copy, t);
  EXPECT_EQ(read_tensors(copy), t);
}

TEST(Npz, BadFilesGiveClearErrors) {
  const std::string dir = ::testing::TempDir();
  EXPECT_THROW(read_tensors(dir + "/missing.npz"), Error);
  write_file_atomic(dir + "/garbage.npz", "not a zip");
  EXPECT_THROW(read_tensors(dir + "/garbage.npz"), Error);
  std::string npy = read_file(kData + "numpy_made.npy");
  write_file_atomic(dir + "/short.npy", npy.substr(0, npy.size() - 3));
  const std::string error = error_of([&] { read_tensors(dir + "/short.npy"); });
  EXPECT_NE(error.find("short.npy: not a valid .npy: holds 5 data bytes"), std::string::npos)
      << error;
}
