// Writes a .bmodel as tpu-mlir's ModelGen does (lib/Builder/bmodel.cpp, and the net builder of
// lib/Dialect/Tpu/Transforms/Codegen/BM168xCodegen.cpp): the FlatBuffer built bottom up, every
// byte array appended to one blob and referred to by its range, then header, FlatBuffer and blob
// in that order. The order in which things are appended is fixed (a stage's coefficients, then
// each subnet's commands or CPU parameters), so the same Model always gives the same bytes.
// Unlike ModelGen, equal arrays are not merged; the one sharing is deliberate: a command group's
// table, and so its bytes, is referred to from both NetParameter.cmd_group and its SubNet.
#include <flatbuffers/flatbuffers.h>

#include "bmodel_generated.h"
#include "chip/bm1684x/bmodel/bmodel.h"
#include "chip/bm1684x/bmodel/sha256.h"
#include "ir/align.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::bm1684x::bmodel {
namespace {

using flatbuffers::Offset;
using flatbuffers::Vector;
using TensorList = Offset<Vector<Offset<fb::Tensor>>>;

// The blob that follows the FlatBuffer. Each array is appended once; a Binary names its range.
class Blob {
 public:
  fb::Binary append(const std::vector<uint8_t>& bytes) {
    if (bytes.empty()) return fb::Binary(0, 0);
    const uint64_t start = bytes_.size();
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return fb::Binary(start, bytes.size());
  }

  // A command stream, zero-padded to 128 bytes as the runtime copies whole 128-byte blocks
  // (bmruntime's get_bdc_cmd_len/get_gdma_cmd_len align the last command's end).
  fb::Binary append_commands(const std::vector<uint8_t>& commands) {
    std::vector<uint8_t> padded = commands;
    padded.resize(align_up<size_t>(commands.size(), kCommandAlign), 0);
    return append(padded);
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class Writer {
 public:
  std::string finish(const Model& model);

 private:
  TensorList tensors(const std::vector<Tensor>& list);
  Offset<fb::CoeffMem> coeff_mem(const CoeffMem& coeff);
  Offset<fb::CmdGroup> cmd_group(const CmdGroup& group);
  Offset<fb::SubNet> sub_net(const SubNet& subnet, size_t index, size_t count,
                             std::vector<Offset<fb::CmdGroup>>& all_groups);
  Offset<fb::NetParameter> parameter(const Parameter& stage);
  Offset<fb::Net> net(const Net& n);

  flatbuffers::FlatBufferBuilder builder_;
  Blob blob_;
};

TensorList Writer::tensors(const std::vector<Tensor>& list) {
  std::vector<Offset<fb::Tensor>> offsets;
  for (const Tensor& t : list) {
    TPUC_INTERNAL_ASSERT(!t.name.empty(), "a .bmodel tensor needs a name");
    const auto name = builder_.CreateString(t.name);
    // A static stage has one shape; the runtime reads shape[0].
    const auto shape = builder_.CreateVector(
        std::vector<Offset<fb::Shape>>{fb::CreateShape(builder_, builder_.CreateVector(t.shape))});
    fb::TensorBuilder tb(builder_);
    tb.add_name(name);
    tb.add_data_type(static_cast<uint32_t>(t.data_type));
    tb.add_gmem_stmode(t.gmem_stmode);
    tb.add_device_addr(t.device_addr);
    tb.add_size(t.size);
    tb.add_shape(shape);
    tb.add_mem_type(t.mem_type);
    tb.add_scale(t.scale);
    tb.add_cpu_addr(t.cpu_addr);
    tb.add_zero_point(t.zero_point);
    tb.add_hidden(t.hidden);
    tb.add_index(t.index);
    offsets.push_back(tb.Finish());
  }
  return builder_.CreateVector(offsets);
}

Offset<fb::CoeffMem> Writer::coeff_mem(const CoeffMem& coeff) {
  const std::array<uint8_t, 32> digest = sha256(coeff.data.data(), coeff.data.size());
  const auto check_code = builder_.CreateVector(digest.data(), digest.size());
  const fb::Binary binary = blob_.append(coeff.data);
  fb::CoeffMemBuilder cb(builder_);
  cb.add_address(coeff.address);
  cb.add_check_code(check_code);
  cb.add_binary_coeff(&binary);
  return cb.Finish();
}

// One stream of a group: its count and bytes must agree on whether there are commands.
fb::Binary stream_binary(Blob& blob, uint32_t count, const std::vector<uint8_t>& bytes,
                         const char* engine) {
  TPUC_INTERNAL_ASSERT((count == 0) == bytes.empty(), std::string("a command group's ") + engine +
                                                          " count is " + std::to_string(count) +
                                                          " with " + std::to_string(bytes.size()) +
                                                          " bytes of commands");
  const fb::Binary binary = blob.append_commands(bytes);
  TPUC_INTERNAL_ASSERT(binary.size() <= UINT32_MAX,
                       std::string(engine) + " commands beyond the file's 32-bit byte count");
  return binary;
}

Offset<fb::CmdGroup> Writer::cmd_group(const CmdGroup& group) {
  const fb::Binary tiu = stream_binary(blob_, group.tiu_count, group.tiu_bytes, "TIU");
  const fb::Binary gdma = stream_binary(blob_, group.gdma_count, group.gdma_bytes, "GDMA");
  fb::CmdGroupBuilder gb(builder_);
  gb.add_bdc_num(group.tiu_count);
  gb.add_gdma_num(group.gdma_count);
  // As tpu-mlir: a stream without commands has no binary (its byte count is 0).
  if (group.tiu_count != 0) gb.add_binary_bdc(&tiu);
  if (group.gdma_count != 0) gb.add_binary_gdma(&gdma);
  gb.add_bdc_cmd_byte(static_cast<uint32_t>(tiu.size()));
  gb.add_gdma_cmd_byte(static_cast<uint32_t>(gdma.size()));
  return gb.Finish();
}

Offset<fb::SubNet> Writer::sub_net(const SubNet& subnet, size_t index, size_t count,
                                   std::vector<Offset<fb::CmdGroup>>& all_groups) {
  const std::string which = "subnet " + std::to_string(index);
  TPUC_INTERNAL_ASSERT(subnet.id == -1 || subnet.id == static_cast<int32_t>(index),
                       which + " has id " + std::to_string(subnet.id) + ", not its index or -1");
  for (int32_t next : subnet.next_subnet_ids) {
    TPUC_INTERNAL_ASSERT(next >= -1 && next < static_cast<int64_t>(count),
                         which + " names subnet " + std::to_string(next) + " as the next");
  }
  Offset<Vector<Offset<fb::CmdGroup>>> groups = 0;
  Offset<Vector<Offset<fb::CpuParam>>> cpu_params = 0;
  if (subnet.mode == SubnetMode::Tpu) {
    TPUC_INTERNAL_ASSERT(!subnet.cmd_groups.empty() && subnet.cpu_params.empty(),
                         which + " runs on the TPU: it needs command groups and no CPU layer");
    std::vector<Offset<fb::CmdGroup>> own;
    for (const CmdGroup& g : subnet.cmd_groups) own.push_back(cmd_group(g));
    // The same group tables, referred to from both places (a FlatBuffer may share a table).
    all_groups.insert(all_groups.end(), own.begin(), own.end());
    groups = builder_.CreateVector(own);
  } else {
    TPUC_INTERNAL_ASSERT(subnet.mode == SubnetMode::Cpu, which + " has an unknown mode");
    TPUC_INTERNAL_ASSERT(!subnet.cpu_params.empty() && subnet.cmd_groups.empty(),
                         which + " runs on the CPU: it needs a CPU layer and no commands");
    std::vector<Offset<fb::CpuParam>> params;
    for (const CpuParam& p : subnet.cpu_params) {
      const fb::Binary binary = blob_.append(p.param);
      params.push_back(fb::CreateCpuParam(builder_, p.op_type, &binary, 0, p.is_custom));
    }
    cpu_params = builder_.CreateVector(params);
  }
  const TensorList inputs = tensors(subnet.inputs);
  const TensorList outputs = tensors(subnet.outputs);
  const auto next_ids = builder_.CreateVector(subnet.next_subnet_ids);
  fb::SubNetBuilder sb(builder_);
  sb.add_subnet_mode(static_cast<int32_t>(subnet.mode));
  if (!groups.IsNull()) sb.add_cmd_group(groups);
  if (!cpu_params.IsNull()) sb.add_cpu_param(cpu_params);
  sb.add_input_tensor(inputs);
  sb.add_output_tensor(outputs);
  sb.add_id(subnet.id);
  sb.add_next_subnet_ids(next_ids);
  return sb.Finish();
}

Offset<fb::NetParameter> Writer::parameter(const Parameter& stage) {
  const TensorList inputs = tensors(stage.inputs);
  const TensorList outputs = tensors(stage.outputs);
  Offset<fb::CoeffMem> coeff = 0;
  if (stage.coeff) coeff = coeff_mem(*stage.coeff);
  std::vector<Offset<fb::CmdGroup>> all_groups;
  std::vector<Offset<fb::SubNet>> subnets;
  for (size_t i = 0; i < stage.sub_nets.size(); ++i) {
    subnets.push_back(sub_net(stage.sub_nets[i], i, stage.sub_nets.size(), all_groups));
  }
  const auto subnet_vector = builder_.CreateVector(subnets);
  Offset<Vector<Offset<fb::CmdGroup>>> group_vector = 0;
  if (!all_groups.empty()) group_vector = builder_.CreateVector(all_groups);
  Offset<Vector<uint64_t>> ctx_sizes = 0;
  if (!stage.ctx_sizes.empty()) ctx_sizes = builder_.CreateVector(stage.ctx_sizes);
  fb::NetParameterBuilder pb(builder_);
  pb.add_input_tensor(inputs);
  pb.add_output_tensor(outputs);
  pb.add_ctx_addr(stage.ctx_addr);
  pb.add_ctx_size(stage.ctx_size);
  if (!coeff.IsNull()) pb.add_coeff_mem(coeff);
  if (!group_vector.IsNull()) pb.add_cmd_group(group_vector);
  pb.add_sub_net(subnet_vector);
  pb.add_cpu_mem_size(stage.cpu_mem_size);
  if (!ctx_sizes.IsNull()) pb.add_ctx_sizes(ctx_sizes);
  return pb.Finish();
}

Offset<fb::Net> Writer::net(const Net& n) {
  TPUC_INTERNAL_ASSERT(!n.name.empty() && !n.parameters.empty(),
                       "a .bmodel net needs a name and at least one stage");
  std::vector<Offset<fb::NetParameter>> stages;
  for (const Parameter& p : n.parameters) stages.push_back(parameter(p));
  const auto stage_vector = builder_.CreateVector(stages);
  const auto name = builder_.CreateString(n.name);
  fb::NetBuilder nb(builder_);
  nb.add_name(name);
  nb.add_parameter(stage_vector);
  nb.add_addr_mode(n.addr_mode);
  return nb.Finish();
}

// Little-endian, as the header's fields are read by a plain struct on the (little-endian) host.
void put_le(std::string& out, size_t at, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string Writer::finish(const Model& model) {
  TPUC_INTERNAL_ASSERT(!model.nets.empty(), "a .bmodel needs at least one net");
  std::vector<Offset<fb::Net>> nets;
  for (const Net& n : model.nets) {
    for (const Parameter& p : n.parameters) {
      TPUC_INTERNAL_ASSERT(p.ctx_size <= model.neuron_size,
                           "net '" + n.name + "' has a stage whose ctx_size " +
                               std::to_string(p.ctx_size) + " exceeds neuron_size " +
                               std::to_string(model.neuron_size));
    }
    nets.push_back(net(n));
  }
  const auto net_vector = builder_.CreateVector(nets);
  const auto type = builder_.CreateString(model.type);
  const auto version = builder_.CreateString(model.version);
  const auto time = builder_.CreateString(model.time);
  const auto chip = builder_.CreateString(model.chip);
  fb::ModelBuilder mb(builder_);
  mb.add_type(type);
  mb.add_version(version);
  mb.add_time(time);
  mb.add_chip(chip);
  mb.add_net(net_vector);
  mb.add_neuron_size(model.neuron_size);
  mb.add_device_num(model.device_num);
  builder_.Finish(mb.Finish());

  const std::vector<uint8_t>& blob = blob_.bytes();
  std::string out(kHeaderSize, '\0');
  put_le(out, 0, kMagic, 4);
  put_le(out, 4, kHeaderSize, 4);
  put_le(out, 8, builder_.GetSize(), 4);
  put_le(out, 12, blob.size(), 8);  // packed: binary_size sits at byte 12, unaligned
  out.append(reinterpret_cast<const char*>(builder_.GetBufferPointer()), builder_.GetSize());
  out.append(reinterpret_cast<const char*>(blob.data()), blob.size());
  return out;
}

}  // namespace

std::string serialize_bmodel(const Model& model) {
  Writer writer;
  return writer.finish(model);
}

void write_bmodel(const std::string& path, const Model& model) {
  write_file_atomic(path, serialize_bmodel(model));
}

}  // namespace tpuc::bm1684x::bmodel
