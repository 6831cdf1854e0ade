// Binary encoding and the .tpumodel container: round trips, and clear errors for damaged files.
#include "chip/bm1684x/model_file.h"

#include <gtest/gtest.h>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::error_of;

namespace {

Model sample() {
  Model m;
  m.chip = "bm1684x";
  m.inputs = {{"x", {DType::F32, {1, 3}, std::nullopt}, 0x100001000}};
  m.outputs = {{"y", {DType::I8, {1, 3}, QuantParams{{0.5}, 0, -1}}, 0x100002000}};
  m.ddr_bytes = 0x3000;
  m.weight_addr = 0x100000000;
  m.weights = {1, 2, 3, 4, 5};
  m.macs = 42;
  for (ArithOp op : {ArithOp::Copy, ArithOp::Max, ArithOp::Min, ArithOp::Copy, ArithOp::Max}) {
    TiuCommand c;
    c.id = uint32_t(m.program.tiu.size() + 1);
    c.op = TiuOp::Arith;
    c.arith = op;
    c.res = c.opd0 = c.opd1 = {Space::Local, DType::I8, 0x40, 5, 1, 70, 3, 4, 12, 16, 4, 1};
    m.program.tiu.push_back(c);
  }
  GdmaCommand g;
  g.id = 1;
  g.op = GdmaOp::Fill;
  g.fill_value = -128;
  g.dst = {Space::Local, DType::I8, 0x80, 1, 1, 2, 3, 4, 0, 12, 4, 1};
  m.program.gdma.push_back(g);
  m.layers = {{"conv", "Conv", {"conv"}, 1, {0, 1, 2, 3, 4}, {0}}};
  return m;
}

// The error reading the model file at `path` gives.
std::string read_error(const std::string& path) {
  return error_of([&] { read_model(path); });
}

}  // namespace

TEST(ModelFile, RoundTripAndDamage) {
  const std::string path = ::testing::TempDir() + "/m.tpumodel";
  write_model(path, sample());
  const Model back = read_model(path);
  EXPECT_EQ(back.weights, sample().weights);
  EXPECT_EQ(back.outputs[0].type, sample().outputs[0].type);
  EXPECT_EQ(back.layers[0].tiu, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(back.macs, 42u);
  const std::string bytes = read_file(path);
  write_file_atomic(path + ".cut", bytes.substr(0, bytes.size() - 10));
  EXPECT_NE(read_error(path + ".cut").find("truncated or padded"), std::string::npos)
      << read_error(path + ".cut");
  std::string flipped = bytes;
  flipped[flipped.size() - 3] ^= 0x40;
  write_file_atomic(path + ".flip", flipped);
  EXPECT_EQ(read_error(path + ".flip"),
            path + ".flip: not a valid .tpumodel: checksum mismatch (the file is corrupted)");
  write_file_atomic(path + ".magic", "NOTMODEL" + bytes.substr(8));
  EXPECT_EQ(read_error(path + ".magic"), path + ".magic: not a valid .tpumodel: wrong magic");
}
