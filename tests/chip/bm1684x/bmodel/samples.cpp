#include "tests/chip/bm1684x/bmodel/samples.h"

#include <cstring>

namespace tpuc::bm1684x::bmodel::testing {

namespace {

void put_le32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

// A subnet reading `input`, writing `output`, the subnet `next` after it (-1: the last).
SubNet subnet(SubnetMode mode, int32_t id, const Tensor& input, const Tensor& output,
              int32_t next) {
  SubNet s;
  s.mode = mode;
  s.id = id;
  s.inputs = {input};
  s.outputs = {output};
  s.next_subnet_ids = {next};
  return s;
}

constexpr uint64_t kCoeffAddr = 0x100000000;  // coefficients below the context (BM1684X.h)
constexpr uint64_t kCtxAddr = 0x100100000;

}  // namespace

// TIU SYS END: cmd_id in bits [1, 21), tsk_typ 15 in [41, 45), tsk_eu_typ 31 in [45, 50).
std::vector<uint8_t> tiu_end(uint32_t cmd_id) {
  std::vector<uint8_t> bytes(16, 0);
  put_le32(bytes, 0, cmd_id << 1);
  put_le32(bytes, 4, (15u << 9) | (31u << 13));
  return bytes;
}

// GDMA sys END: cmd_short (bit 3), cmd_id_en 1 (bits [5, 9)), cmd_id in [9, 29), cmd_type 6 in
// [32, 36).
std::vector<uint8_t> gdma_end(uint32_t cmd_id) {
  std::vector<uint8_t> bytes(16, 0);
  put_le32(bytes, 0, (1u << 3) | (1u << 5) | (cmd_id << 9));
  put_le32(bytes, 4, 6);
  return bytes;
}

uint64_t read_le(const std::string& bytes, size_t at, int count) {
  uint64_t value = 0;
  for (int i = 0; i < count; ++i) value |= uint64_t(uint8_t(bytes[at + i])) << (8 * i);
  return value;
}

std::vector<uint64_t> flatbuffer_of(const std::string& file) {
  const size_t size = read_le(file, 8, 4);
  std::vector<uint64_t> storage(size / 8 + 1);
  std::memcpy(storage.data(), file.data() + 64, size);
  return storage;
}

std::vector<uint8_t> pattern(size_t count, uint8_t seed) {
  std::vector<uint8_t> bytes(count);
  for (size_t i = 0; i < count; ++i) bytes[i] = static_cast<uint8_t>(i % 251 + seed);
  return bytes;
}

Model tiny_model() {
  Tensor x;
  x.name = "x";
  x.data_type = DataType::UInt8;
  x.device_addr = kCtxAddr;
  x.size = 4;
  x.shape = {1, 1, 2, 2};
  Tensor y = x;
  y.name = "y";
  y.data_type = DataType::Int8;
  y.device_addr = kCtxAddr + 0x1000;

  SubNet tpu = subnet(SubnetMode::Tpu, 0, x, y, -1);
  tpu.cmd_groups = {{1, 1, tiu_end(1), gdma_end(1)}};

  Parameter stage;
  stage.inputs = {x};
  stage.outputs = {y};
  stage.ctx_addr = kCtxAddr;
  stage.ctx_size = 0x2000;
  stage.coeff = CoeffMem{kCoeffAddr, {}, {'a', 'b', 'c'}};
  stage.sub_nets = {tpu};

  Model model;
  model.time = "Thu Jan  1 00:00:00 2026";
  model.nets = {{"tiny", {stage}, 0}};
  model.neuron_size = 0x2000;
  return model;
}

Model two_subnet_model() {
  Tensor x;
  x.name = "input";
  x.data_type = DataType::F32;
  x.gmem_stmode = 0;
  x.device_addr = kCtxAddr;
  x.size = 192;
  x.shape = {1, 3, 4, 4};
  x.scale = 0.5f;
  x.zero_point = 3;
  x.hidden = 1;
  x.index = 0;
  Tensor mid;
  mid.name = "mid";
  mid.data_type = DataType::Int8;
  mid.gmem_stmode = 2;
  mid.device_addr = kCtxAddr + 0x1000;
  mid.size = 48;
  mid.shape = {1, 3, 4, 4};
  mid.mem_type = kMemTpu | kMemCpu;
  mid.scale = 0.25f;
  mid.zero_point = -7;
  mid.cpu_addr = 16;
  Tensor y = mid;
  y.name = "output";
  y.data_type = DataType::BF16;
  y.device_addr = kCtxAddr + 0x2000;
  y.size = 96;
  y.hidden = 2;
  y.index = 0;
  y.cpu_addr = 64;

  SubNet tpu = subnet(SubnetMode::Tpu, 0, x, mid, 1);
  tpu.cmd_groups.push_back({3, 2, pattern(200, 1), pattern(112, 2)});
  tpu.cmd_groups.push_back({1, 0, tiu_end(1), {}});
  SubNet cpu = subnet(SubnetMode::Cpu, 1, mid, y, -1);
  cpu.cpu_params = {{7, pattern(12, 3), 1}};

  Parameter stage;
  stage.inputs = {x};
  stage.outputs = {y};
  stage.ctx_addr = kCtxAddr;
  stage.ctx_size = 0x3000;
  stage.ctx_sizes = {0x3000};
  stage.coeff = CoeffMem{kCoeffAddr, {}, pattern(300, 4)};
  stage.sub_nets = {tpu, cpu};
  stage.cpu_mem_size = 160;

  Model model;
  model.time = "Thu Jan  1 00:00:00 2026";
  model.nets = {{"two_subnets", {stage}, 1}};
  model.neuron_size = 0x4000;
  model.device_num = 1;
  return model;
}

}  // namespace tpuc::bm1684x::bmodel::testing
