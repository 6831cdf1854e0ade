// The model file: a Model as a .bmodel and its sidecar and back (streams, host layers, tensors),
// the bytes pinned for a tiny model, and one clear error for each kind of bad file.
#include <gtest/gtest.h>

#include <filesystem>

#include "chip/bm1684x/bmodel/sha256.h"
#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/gdma_encoding.h"
#include "chip/bm1684x/model_file.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "tests/chip/bm1684x/model_samples.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::bm1684x::testing::host_layer_model;
using tpuc::bm1684x::testing::host_layer_model_as_read;
using tpuc::bm1684x::testing::tiny_model;
using tpuc::testing::error_of;

namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string sha256_hex(const std::string& bytes) {
  const auto digest = bmodel::sha256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::string text;
  for (uint8_t b : digest) {
    static const char kDigits[] = "0123456789abcdef";
    text += kDigits[b >> 4];
    text += kDigits[b & 15];
  }
  return text;
}

// The streams compared through their encodings (no TiuCommand field read here either).
void expect_same_streams(const Model& a, const Model& b) {
  EXPECT_EQ(encode_tiu(a.program.tiu, a.lane_bytes), encode_tiu(b.program.tiu, b.lane_bytes));
  EXPECT_EQ(encode_gdma_stream(a.program.gdma, a.lane_bytes),
            encode_gdma_stream(b.program.gdma, b.lane_bytes));
}

void expect_same_io(const std::vector<IoTensor>& a, const std::vector<IoTensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_EQ(a[k].type, b[k].type) << a[k].name;
    EXPECT_EQ(a[k].addr, b[k].addr) << a[k].name;
  }
}

void expect_same_model(const Model& want, const Model& got) {
  EXPECT_EQ(want.chip, got.chip);
  EXPECT_EQ(want.name, got.name);
  expect_same_io(want.inputs, got.inputs);
  expect_same_io(want.outputs, got.outputs);
  EXPECT_EQ(want.ddr_bytes, got.ddr_bytes);
  EXPECT_EQ(want.weight_addr, got.weight_addr);
  EXPECT_EQ(want.weights, got.weights);
  EXPECT_EQ(want.macs, got.macs);
  EXPECT_EQ(want.lanes, got.lanes);
  EXPECT_EQ(want.lane_bytes, got.lane_bytes);
  expect_same_streams(want, got);
  ASSERT_EQ(want.layers.size(), got.layers.size());
  for (size_t k = 0; k < want.layers.size(); ++k) {
    EXPECT_EQ(want.layers[k].name, got.layers[k].name);
    EXPECT_EQ(want.layers[k].nodes, got.layers[k].nodes);
    EXPECT_EQ(want.layers[k].tiu, got.layers[k].tiu);
    EXPECT_EQ(want.layers[k].gdma, got.layers[k].gdma);
  }
  ASSERT_EQ(want.host_layers.size(), got.host_layers.size());
  for (size_t k = 0; k < want.host_layers.size(); ++k) {
    const HostLayer &w = want.host_layers[k], &g = got.host_layers[k];
    EXPECT_EQ(w.name, g.name);
    EXPECT_EQ(w.op, g.op);
    EXPECT_EQ(w.graph, g.graph);
    EXPECT_EQ(w.reason, g.reason);
    EXPECT_EQ(w.tiu_at, g.tiu_at);
    EXPECT_EQ(w.gdma_at, g.gdma_at);
    expect_same_io(w.inputs, g.inputs);
    expect_same_io(w.outputs, g.outputs);
  }
}

std::string read_error(const std::string& path) {
  return error_of([&] { read_model(path); });
}

}  // namespace

TEST(ModelBmodel, RoundTripKeepsEverything) {
  const std::string path = temp("tiny.bmodel");
  write_model(path, tiny_model());
  expect_same_model(tiny_model(), read_model(path));
  const bmodel::BmodelFile file = bmodel::read_bmodel(path);  // verifies the FlatBuffer
  EXPECT_EQ(file.model.chip, "BM1684X");
  const bmodel::Parameter& stage = file.model.nets.at(0).parameters.at(0);
  EXPECT_EQ(stage.coeff->address, 0x100000000u);
  EXPECT_EQ(stage.ctx_addr, 0x100000008u);  // right after the weights
  EXPECT_EQ(stage.ctx_size, 0x3000u - 8);
  EXPECT_EQ(file.model.neuron_size, stage.ctx_size);
  EXPECT_FLOAT_EQ(stage.inputs.at(0).scale, 4.0f);  // 1/scale for a net input, as tpu-mlir
  EXPECT_FLOAT_EQ(stage.outputs.at(0).scale, 0.5f);
  EXPECT_EQ(stage.inputs.at(0).hidden, 1);
  EXPECT_EQ(stage.outputs.at(0).hidden, 2);
  ASSERT_EQ(stage.sub_nets.size(), 1u);
  EXPECT_EQ(stage.sub_nets[0].cmd_groups.at(0).tiu_count, 2u);  // END included
  EXPECT_EQ(stage.sub_nets[0].cmd_groups.at(0).gdma_count, 3u);
  EXPECT_EQ(stage.sub_nets[0].next_subnet_ids, std::vector<int32_t>{-1});
}

// The bytes of the tiny model's two files. They change, legitimately, when the command encodings
// change (encoding.h, gdma_encoding.h),
// when the container's writer lays out bytes differently (bmodel/writer.cpp), or when what
// model_file.cpp writes in a field changes (docs/model-format.md says what each holds). Never
// because of the clock or the machine: the time field is fixed.
TEST(ModelBmodel, TinyModelBytesArePinned) {
  const std::string path = temp("golden.bmodel");
  write_model(path, tiny_model());
  const std::string bytes = read_file(path);
  const std::string sidecar = read_file(path + ".json");
  EXPECT_EQ(bytes.size(), 1576u);
  EXPECT_EQ(sha256_hex(bytes), "d49852357396c102e80804c97ab27db25391f408f2995715b8d8ed5846c7b102");
  EXPECT_EQ(sha256_hex(sidecar),
            "52bbdaeec10e4510232f00a78cccaf3404362fbf67f6551aa29a921c74c40f6e");
  write_model(path, tiny_model());
  EXPECT_EQ(read_file(path), bytes);
}

TEST(ModelBmodel, HostLayersBecomeCpuSubnetsBetweenTpuSubnets) {
  const std::string path = temp("host.bmodel");
  write_model(path, host_layer_model());
  const bmodel::Parameter stage = bmodel::read_bmodel(path).model.nets.at(0).parameters.at(0);
  ASSERT_EQ(stage.sub_nets.size(), 3u);
  const bmodel::SubNet &first = stage.sub_nets[0], &cpu = stage.sub_nets[1],
                       &second = stage.sub_nets[2];
  EXPECT_EQ(first.mode, bmodel::SubnetMode::Tpu);
  EXPECT_EQ(cpu.mode, bmodel::SubnetMode::Cpu);
  EXPECT_EQ(second.mode, bmodel::SubnetMode::Tpu);
  for (int32_t k = 0; k < 3; ++k) {
    EXPECT_EQ(stage.sub_nets[size_t(k)].id, k);
    EXPECT_EQ(stage.sub_nets[size_t(k)].next_subnet_ids, std::vector<int32_t>{k == 2 ? -1 : k + 1});
  }
  EXPECT_EQ(first.cmd_groups.at(0).tiu_count, 2u);  // each part with its own END
  EXPECT_EQ(first.cmd_groups.at(0).gdma_count, 3u);
  EXPECT_EQ(second.cmd_groups.at(0).tiu_count, 2u);
  EXPECT_EQ(second.cmd_groups.at(0).gdma_count, 3u);
  EXPECT_EQ(cpu.cpu_params.at(0).op_type, kHostLayerOpType);
  EXPECT_EQ(cpu.inputs.at(0).name, "t");
  EXPECT_EQ(cpu.inputs.at(0).mem_type, bmodel::kMemTpu | bmodel::kMemCpu);
  EXPECT_EQ(first.outputs.at(0).name, "t");
  EXPECT_EQ(second.inputs.at(0).name, "u");
  EXPECT_EQ(second.outputs.at(0).name, "y");
  // GDMA 3 waited for TIU 1 before the host layer: the CPU subnet orders them, the file drops it.
  expect_same_model(host_layer_model_as_read(), read_model(path));
}

// Without the sidecar: the streams, host layers and addresses from the container alone; no layer
// names; tensor types from the container (scales in single precision).
TEST(ModelBmodel, ReadsWithoutTheSidecar) {
  const std::string path = temp("alone.bmodel");
  write_model(path, host_layer_model());
  std::filesystem::remove(path + ".json");
  const Model m = read_model(path);
  Model want = host_layer_model_as_read();
  want.layers.clear();
  want.macs = 0;
  expect_same_model(want, m);
}

TEST(ModelBmodel, BadFilesAreOneErrorNamingTheFile) {
  const std::string path = temp("bad.bmodel");
  write_model(path, host_layer_model());
  const std::string bytes = read_file(path);
  write_file_atomic(path + ".cut", bytes.substr(0, bytes.size() - 10));
  EXPECT_EQ(read_error(path + ".cut").rfind(path + ".cut: ", 0), 0u) << read_error(path + ".cut");
  std::string corrupt = bytes;
  corrupt[66] = '\x7f';  // the FlatBuffer's root offset: past its end
  write_file_atomic(path + ".corrupt", corrupt);
  EXPECT_EQ(read_error(path + ".corrupt").rfind(path + ".corrupt: ", 0), 0u)
      << read_error(path + ".corrupt");
  // The sidecar belongs to other bytes.
  write_file_atomic(path + ".corrupt.json", read_file(path + ".json"));
  write_file_atomic(path + ".other", bytes.substr(0, bytes.size()));
  write_file_atomic(path + ".other.json", "{\"bmodel_sha256\": \"00\"}");
  EXPECT_NE(read_error(path + ".other").find("describes another file"), std::string::npos)
      << read_error(path + ".other");
}

TEST(ModelBmodel, ForeignOrDamagedCpuLayersAreErrors) {
  const std::string path = temp("cpu.bmodel");
  bmodel::Model b = to_model_files(host_layer_model()).bmodel;
  bmodel::CpuParam& layer = b.nets[0].parameters[0].sub_nets[1].cpu_params[0];
  layer.op_type = 7;
  bmodel::write_bmodel(path, b);
  EXPECT_NE(
      read_error(path).find(path + ": subnet 1: CPU layer op_type 7 is not a tpuc host layer"),
      std::string::npos)
      << read_error(path);
  layer.op_type = kHostLayerOpType;
  layer.param = {'{', 'x'};
  bmodel::write_bmodel(path, b);
  EXPECT_NE(read_error(path).find(path + ": subnet 1: the host layer's parameter block does not "
                                         "parse"),
            std::string::npos)
      << read_error(path);
  b.nets[0].parameters.push_back(b.nets[0].parameters[0]);
  bmodel::write_bmodel(path, b);
  EXPECT_NE(read_error(path).find("one net with one stage"), std::string::npos) << read_error(path);
}
