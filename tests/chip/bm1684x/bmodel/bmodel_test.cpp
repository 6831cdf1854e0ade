// The .bmodel writer and reader: a round trip with every field set, byte-identical output, and a
// golden tiny file whose header and blob are checked against values worked out by hand and whose
// FlatBuffer is checked with the schema's own verifier and accessors.
#include "chip/bm1684x/bmodel/bmodel.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "bmodel_generated.h"
#include "chip/bm1684x/bmodel/sha256.h"
#include "ir/files.h"
#include "tests/chip/bm1684x/bmodel/samples.h"

using namespace tpuc::bm1684x::bmodel;
using namespace tpuc::bm1684x::bmodel::testing;

namespace {

std::vector<uint8_t> padded(std::vector<uint8_t> bytes) {
  bytes.resize((bytes.size() + 127) / 128 * 128, 0);
  return bytes;
}

void expect_same(const Tensor& a, const Tensor& b) {
  SCOPED_TRACE(a.name);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.data_type, b.data_type);
  EXPECT_EQ(a.gmem_stmode, b.gmem_stmode);
  EXPECT_EQ(a.device_addr, b.device_addr);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.mem_type, b.mem_type);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.zero_point, b.zero_point);
  EXPECT_EQ(a.cpu_addr, b.cpu_addr);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.index, b.index);
}

void expect_same(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i]);
}

// `read` came from a file `written` was serialized to: equal, command bytes padded.
void expect_same(const SubNet& written, const SubNet& read) {
  EXPECT_EQ(written.mode, read.mode);
  EXPECT_EQ(written.id, read.id);
  EXPECT_EQ(written.next_subnet_ids, read.next_subnet_ids);
  expect_same(written.inputs, read.inputs);
  expect_same(written.outputs, read.outputs);
  ASSERT_EQ(written.cmd_groups.size(), read.cmd_groups.size());
  for (size_t i = 0; i < written.cmd_groups.size(); ++i) {
    const CmdGroup& w = written.cmd_groups[i];
    const CmdGroup& r = read.cmd_groups[i];
    EXPECT_EQ(w.tiu_count, r.tiu_count);
    EXPECT_EQ(w.gdma_count, r.gdma_count);
    EXPECT_EQ(padded(w.tiu_bytes), r.tiu_bytes);
    EXPECT_EQ(padded(w.gdma_bytes), r.gdma_bytes);
  }
  ASSERT_EQ(written.cpu_params.size(), read.cpu_params.size());
  for (size_t i = 0; i < written.cpu_params.size(); ++i) {
    EXPECT_EQ(written.cpu_params[i].op_type, read.cpu_params[i].op_type);
    EXPECT_EQ(written.cpu_params[i].param, read.cpu_params[i].param);
    EXPECT_EQ(written.cpu_params[i].is_custom, read.cpu_params[i].is_custom);
  }
}

void expect_same(const Parameter& written, const Parameter& read) {
  expect_same(written.inputs, read.inputs);
  expect_same(written.outputs, read.outputs);
  EXPECT_EQ(written.ctx_addr, read.ctx_addr);
  EXPECT_EQ(written.ctx_size, read.ctx_size);
  EXPECT_EQ(written.ctx_sizes, read.ctx_sizes);
  EXPECT_EQ(written.cpu_mem_size, read.cpu_mem_size);
  ASSERT_EQ(written.coeff.has_value(), read.coeff.has_value());
  if (written.coeff) {
    EXPECT_EQ(written.coeff->address, read.coeff->address);
    EXPECT_EQ(written.coeff->data, read.coeff->data);
    EXPECT_EQ(sha256(written.coeff->data.data(), written.coeff->data.size()),
              read.coeff->check_code);
  }
  ASSERT_EQ(written.sub_nets.size(), read.sub_nets.size());
  for (size_t i = 0; i < written.sub_nets.size(); ++i) {
    SCOPED_TRACE("subnet " + std::to_string(i));
    expect_same(written.sub_nets[i], read.sub_nets[i]);
  }
}

void expect_same(const Model& written, const Model& read) {
  EXPECT_EQ(written.type, read.type);
  EXPECT_EQ(written.version, read.version);
  EXPECT_EQ(written.time, read.time);
  EXPECT_EQ(written.chip, read.chip);
  EXPECT_EQ(written.neuron_size, read.neuron_size);
  EXPECT_EQ(written.device_num, read.device_num);
  ASSERT_EQ(written.nets.size(), read.nets.size());
  for (size_t n = 0; n < written.nets.size(); ++n) {
    EXPECT_EQ(written.nets[n].name, read.nets[n].name);
    EXPECT_EQ(written.nets[n].addr_mode, read.nets[n].addr_mode);
    ASSERT_EQ(written.nets[n].parameters.size(), read.nets[n].parameters.size());
    for (size_t p = 0; p < written.nets[n].parameters.size(); ++p) {
      expect_same(written.nets[n].parameters[p], read.nets[n].parameters[p]);
    }
  }
}

std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

}  // namespace

TEST(Bmodel, RoundTripsEveryFieldOfATpuAndACpuSubnet) {
  const Model model = two_subnet_model();
  const BmodelFile file = parse_bmodel(serialize_bmodel(model), "two.bmodel");
  expect_same(model, file.model);
  // What the reader returns writes the same bytes again: nothing was lost or reordered.
  EXPECT_EQ(serialize_bmodel(file.model), serialize_bmodel(model));
}

TEST(Bmodel, WritesTheCommandGroupsInBothPlacesOverTheSameBytes) {
  const std::string bytes = serialize_bmodel(two_subnet_model());
  const std::vector<uint64_t> storage = flatbuffer_of(bytes);
  const fb::NetParameter* stage = fb::GetModel(storage.data())->net()->Get(0)->parameter()->Get(0);
  const auto* subnet_groups = stage->sub_net()->Get(0)->cmd_group();
  ASSERT_NE(stage->cmd_group(), nullptr);
  ASSERT_EQ(stage->cmd_group()->size(), 2u);  // the CPU subnet has none
  for (uint32_t i = 0; i < 2; ++i) {
    const fb::CmdGroup* net_level = stage->cmd_group()->Get(i);
    const fb::CmdGroup* own = subnet_groups->Get(i);
    EXPECT_EQ(net_level->bdc_num(), own->bdc_num());
    EXPECT_EQ(net_level->binary_bdc()->start(), own->binary_bdc()->start());
    EXPECT_EQ(net_level->bdc_cmd_byte(), own->binary_bdc()->size());
  }
  // The second group has no GDMA commands: no binary, byte count 0, as tpu-mlir writes it.
  EXPECT_EQ(subnet_groups->Get(1)->binary_gdma(), nullptr);
  EXPECT_EQ(subnet_groups->Get(1)->gdma_cmd_byte(), 0u);
  EXPECT_EQ(stage->sub_net()->Get(1)->cmd_group(), nullptr);
}

TEST(Bmodel, SameModelSameBytes) {
  EXPECT_EQ(serialize_bmodel(two_subnet_model()), serialize_bmodel(two_subnet_model()));
  const std::string a = temp_path("bmodel_a.bmodel");
  const std::string b = temp_path("bmodel_b.bmodel");
  write_bmodel(a, two_subnet_model());
  write_bmodel(b, two_subnet_model());
  EXPECT_EQ(tpuc::read_file(a), tpuc::read_file(b));
  EXPECT_FALSE(std::filesystem::exists(a + ".tmp"));  // renamed into place
  expect_same(two_subnet_model(), read_bmodel(a).model);
}

TEST(Bmodel, GoldenTinyModelHeaderAndBlob) {
  const std::string bytes = serialize_bmodel(tiny_model());
  // Header, worked out by hand: magic EE AA 55 FF, header_size 64, then the blob: "abc" (3 bytes),
  // the TIU END padded to 128, the GDMA END padded to 128: 3 + 128 + 128 = 259 bytes.
  const uint8_t magic[] = {0xEE, 0xAA, 0x55, 0xFF, 64, 0, 0, 0};
  EXPECT_EQ(std::memcmp(bytes.data(), magic, sizeof magic), 0);
  const uint64_t flatbuffers_size = read_le(bytes, 8, 4);
  EXPECT_EQ(read_le(bytes, 12, 8), 259u);
  for (size_t i = 20; i < 64; ++i) EXPECT_EQ(bytes[i], 0) << "reserved byte " << i;
  ASSERT_EQ(bytes.size(), 64 + flatbuffers_size + 259);
  // FlatBuffers align the buffer's size to its largest scalar (8 bytes).
  EXPECT_EQ(flatbuffers_size % 8, 0u);

  const std::string blob = bytes.substr(64 + flatbuffers_size);
  EXPECT_EQ(blob.substr(0, 3), "abc");
  const std::vector<uint8_t> tiu = tiu_end(1);
  const std::vector<uint8_t> gdma = gdma_end(1);
  EXPECT_EQ(blob.substr(3, 16), std::string(tiu.begin(), tiu.end()));
  EXPECT_EQ(blob.substr(19, 112), std::string(112, '\0'));
  EXPECT_EQ(blob.substr(131, 16), std::string(gdma.begin(), gdma.end()));
  EXPECT_EQ(blob.substr(147), std::string(112, '\0'));

  // The FlatBuffer passes the schema's verifier and says what the blob holds.
  const std::vector<uint64_t> storage = flatbuffer_of(bytes);
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(storage.data()),
                                 flatbuffers_size);
  ASSERT_TRUE(fb::VerifyModelBuffer(verifier));
  const fb::Model* m = fb::GetModel(storage.data());
  EXPECT_EQ(m->type()->str(), "B");
  EXPECT_EQ(m->version()->str(), "2.2");
  EXPECT_EQ(m->chip()->str(), "BM1684X");
  const fb::NetParameter* stage = m->net()->Get(0)->parameter()->Get(0);
  EXPECT_EQ(stage->coeff_mem()->binary_coeff()->start(), 0u);
  EXPECT_EQ(stage->coeff_mem()->binary_coeff()->size(), 3u);
  // SHA-256("abc"), the FIPS 180-2 example.
  const uint8_t abc_sha256[] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  const auto* check_code = stage->coeff_mem()->check_code();
  ASSERT_EQ(check_code->size(), 32u);
  EXPECT_EQ(std::memcmp(check_code->data(), abc_sha256, 32), 0);
  const fb::CmdGroup* group = stage->sub_net()->Get(0)->cmd_group()->Get(0);
  EXPECT_EQ(group->bdc_num(), 1u);
  EXPECT_EQ(group->binary_bdc()->start(), 3u);
  EXPECT_EQ(group->binary_bdc()->size(), 128u);
  EXPECT_EQ(group->binary_gdma()->start(), 131u);
  EXPECT_EQ(group->bdc_cmd_byte(), 128u);
  EXPECT_EQ(stage->cmd_group()->Get(0)->binary_gdma()->start(), 131u);
  EXPECT_EQ(stage->sub_net()->Get(0)->id(), 0);
  EXPECT_EQ(stage->sub_net()->Get(0)->next_subnet_ids()->Get(0), -1);

  // The whole file, pinned (FlatBuffers 2.0.8, Debian 12): a change to the writer's output shows
  // here first. Update the digest only for an intended change of the format.
  const std::array<uint8_t, 32> digest =
      sha256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::string hex;
  for (uint8_t b : digest) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  EXPECT_EQ(bytes.size(), 1267u);
  EXPECT_EQ(hex, "86cd3ec88d248cbf1b01f089420c7cfa6b83ccf0b642d7215db61ad179f1870d");
}

TEST(Bmodel, DumpListsHeaderTensorsCoefficientsSubnetsAndGroups) {
  const BmodelFile file = parse_bmodel(serialize_bmodel(two_subnet_model()), "two.bmodel");
  const std::string text = dump_bmodel(file);
  for (const char* expected :
       {"header  magic 0xFF55AAEE  header_size 64", "chip \"BM1684X\"",
        "net 0  \"two_subnets\"  addr_mode 1  1 stage(s)",
        "input 0  \"input\"  f32 [1,3,4,4]  addr 0x100100000  size 192  scale 0.5  zero_point 3",
        "output 0  \"output\"  bf16 [1,3,4,4]", "coeff  address 0x100000000  300 bytes  sha256 ",
        "subnet 0  TPU  id 0  next [1]", "subnet 1  CPU  id 1  next [-1]",
        "cmd_group 0  TIU 3 commands 256 bytes  GDMA 2 commands 128 bytes",
        "cmd_group 1  TIU 1 commands 128 bytes  GDMA 0 commands 0 bytes",
        "cpu_param 0  op_type 7  12 bytes  is_custom 1", "cpu_addr 16"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}
