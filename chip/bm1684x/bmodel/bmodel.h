// The .bmodel container, SOPHGO's model file that its runtime (libsophon's bmruntime) loads
// (docs/model-format.md, "The .bmodel container"):
//   header      64 bytes, little-endian: magic 0xFF55AAEE, header_size 64, flatbuffers_size,
//               binary_size (u64), zero to the end
//   FlatBuffer  flatbuffers_size bytes, root Model (schema: bmodel.fbs)
//   blob        binary_size bytes; every Binary{start, size} in the FlatBuffer is a range of it
// The structs below are what a compiler fills and what the reader returns: plain values, no
// FlatBuffers types. Only the fields a static BM1684X network uses are kept; the reader rejects a
// file that needs the others (dynamic shapes, multi-core commands, control-flow subnets).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tpuc::bm1684x::bmodel {

inline constexpr uint32_t kMagic = 0xFF55AAEE;  // tpu-mlir's compiler; bmtap2 wrote 0xFF55AAFF
inline constexpr uint32_t kHeaderSize = 64;
inline constexpr uint32_t kCommandAlign = 128;  // each command binary is zero-padded to this

// Tensor.data_type: the runtime's bm_data_type_t codes.
enum class DataType : uint32_t {
  F32 = 0,
  F16 = 1,
  Int8 = 2,
  UInt8 = 3,
  Int16 = 4,
  UInt16 = 5,
  Int32 = 6,
  UInt32 = 7,
  BF16 = 8,
  Int4 = 9,
  UInt4 = 10,
};
// "f32", "int8", ...; "code N" for a code outside the list (a foreign file may have one).
std::string data_type_name(DataType type);

// Tensor.mem_type bits, as the runtime tests them.
inline constexpr uint32_t kMemTpu = 1;  // in device memory, used by TPU subnets
inline constexpr uint32_t kMemCpu = 2;  // also used by a CPU subnet (host copy)

struct Tensor {
  std::string name;
  DataType data_type = DataType::F32;
  int32_t gmem_stmode = 0;
  uint64_t device_addr = 0;
  uint64_t size = 0;            // bytes in device memory
  std::vector<uint64_t> shape;  // a static stage's one shape
  uint32_t mem_type = kMemTpu;
  float scale = 1.0f;  // tpu-mlir writes 1/scale for a quantized net input
  int32_t zero_point = 0;
  uint32_t cpu_addr = 0;  // offset in the CPU subnets' host buffer
  int32_t hidden = 0;     // 1 a net input, 2 a net output, 0 otherwise
  int32_t index = 0;      // its position among the net's inputs or outputs
};

struct CoeffMem {
  uint64_t address = 0;  // where the runtime loads `data` in device memory
  // SHA-256 of data: the writer computes it (what is here is ignored), the reader checks it.
  std::array<uint8_t, 32> check_code{};
  std::vector<uint8_t> data;
};

// One synchronisation group of commands. Counts include each stream's END command.
struct CmdGroup {
  uint32_t tiu_count = 0;
  uint32_t gdma_count = 0;
  std::vector<uint8_t> tiu_bytes;   // encoded commands; the writer zero-pads them to 128 bytes,
  std::vector<uint8_t> gdma_bytes;  // the reader returns them as stored (padded)
};

// One layer a CPU subnet runs.
struct CpuParam {
  int32_t op_type = 0;         // the runtime's CPU op number
  std::vector<uint8_t> param;  // its parameter block
  int32_t is_custom = 0;
};

enum class SubnetMode : int32_t { Tpu = 0, Cpu = 1 };

struct SubNet {
  SubnetMode mode = SubnetMode::Tpu;
  std::vector<CmdGroup> cmd_groups;  // Tpu
  std::vector<CpuParam> cpu_params;  // Cpu: the runtime runs the first
  std::vector<Tensor> inputs, outputs;
  std::vector<int32_t> next_subnet_ids;  // {-1} after the last subnet
  int32_t id = -1;                       // its index, or -1: the subnets run in order
};

// One stage of a net: one static input shape.
struct Parameter {
  std::vector<Tensor> inputs, outputs;
  uint64_t ctx_addr = 0;  // the context (activations, inputs and outputs) in device memory
  uint64_t ctx_size = 0;
  std::vector<uint64_t> ctx_sizes;  // written when not empty; the runtime prefers it to ctx_size
  std::optional<CoeffMem> coeff;    // tpu-mlir always writes one; a stripped file has none
  // The file keeps every TPU subnet's groups twice: in its SubNet and, all of them in order, in
  // NetParameter.cmd_group, which the runtime loads. Here they live in the subnets only; the
  // writer fills both places and the reader checks that they agree.
  std::vector<SubNet> sub_nets;
  uint32_t cpu_mem_size = 0;
};

struct Net {
  std::string name;
  std::vector<Parameter> parameters;
  int32_t addr_mode = 0;
};

struct Model {
  std::string type = "B";
  std::string version = "2.2";
  std::string time;  // given by the caller, never the clock: the same model gives the same bytes
  std::string chip = "BM1684X";
  std::vector<Net> nets;
  uint64_t neuron_size = 0;  // at least every stage's ctx_size (the runtime allocates this much)
  uint32_t device_num = 0;
};

// The header's fields as read from a file.
struct Header {
  uint32_t magic = kMagic;
  uint32_t header_size = kHeaderSize;
  uint32_t flatbuffers_size = 0;
  uint64_t binary_size = 0;
};

struct BmodelFile {
  Header header;
  Model model;
};

// The file's bytes. Deterministic. A Model that breaks the invariants above (a stage's ctx_size
// above neuron_size, a TPU subnet without commands, a CPU subnet without a layer, a subnet id that
// is not its index or -1, a count that does not fit the file's 32-bit fields) is a caller bug,
// InternalError. write_bmodel is atomic: a temporary name, then renamed.
std::string serialize_bmodel(const Model& model);
void write_bmodel(const std::string& path, const Model& model);

// `name` is what errors call the bytes (a path). Every problem is one tpuc::Error "name: what":
// a wrong magic or header size, sizes past the end of the file or bytes after it, a FlatBuffer
// that fails verification (a required table or field missing among others), a Binary range
// outside the blob, a table tpuc needs missing (a stage, a subnet, a TPU subnet's commands, a
// tensor's shape), the two copies of the command groups disagreeing, a command binary not padded
// to 128 bytes, a coefficient check code that does not match, values the runtime would reject (a
// subnet id that is not its index or -1, a next subnet that does not exist, a context larger than
// neuron_size, a tensor without a name), a feature tpuc does not read (dynamic shapes, control
// flow, multi-core commands, encryption, CPU constants). Never a crash, a read out of bounds or
// an allocation out of proportion to the file.
BmodelFile parse_bmodel(const std::string& bytes, const std::string& name);
BmodelFile read_bmodel(const std::string& path);

// A readable summary: header, nets, stages, tensors (type, shape, address), coefficients (size,
// SHA-256), subnets and their command groups (counts and bytes). One item per line.
std::string dump_bmodel(const BmodelFile& file);

}  // namespace tpuc::bm1684x::bmodel
