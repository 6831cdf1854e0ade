// Reads a .bmodel: the header's sizes against the file's, the FlatBuffer through the verifier the
// schema generates, then every table tpuc uses, each range into the blob checked before a byte of
// it is read. What tpu-mlir's ModelCtx (lib/Builder/bmodel.cpp) and libsophon's bmruntime
// (src/bmruntime_bmodel.cpp) assume or assert, this reader checks and reports as one tpuc::Error
// naming the file and the place, so a damaged or hostile file never crashes tpuc.
#include <flatbuffers/flatbuffers.h>

#include <cstdio>
#include <cstring>

#include "bmodel_generated.h"
#include "chip/bm1684x/bmodel/bmodel.h"
#include "chip/bm1684x/bmodel/sha256.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::bm1684x::bmodel {
namespace {

using flatbuffers::Offset;
using flatbuffers::Vector;
using FbTensors = Vector<Offset<fb::Tensor>>;
using FbGroups = Vector<Offset<fb::CmdGroup>>;

uint64_t get_le(const std::string& bytes, size_t at, int count) {
  uint64_t value = 0;
  for (int i = 0; i < count; ++i) {
    value |= uint64_t(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  }
  return value;
}

// A vector of u64, read byte-wise: the verifier checks a vector's length word for 4-byte
// alignment only, so a crafted file can place 8-byte elements where the accessors' plain loads
// would be misaligned.
std::vector<uint64_t> u64_vector(const Vector<uint64_t>* values) {
  std::vector<uint64_t> out(values->size());
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t v = 0;
    std::memcpy(&v, values->Data() + 8 * i, 8);
    out[i] = flatbuffers::EndianScalar(v);
  }
  return out;
}

std::string hex32(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

class Reader {
 public:
  Reader(const std::string& bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {}
  BmodelFile read();

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }
  Header read_header();
  const fb::Model* verify_flatbuffer(const Header& header);
  void spend(uint64_t bytes, const std::string& where);
  const uint8_t* range(const fb::Binary* binary, const std::string& where);
  std::vector<uint8_t> copy(const fb::Binary* binary, const std::string& where);
  Tensor tensor(const fb::Tensor* t, const std::string& where);
  std::vector<Tensor> tensors(const FbTensors* list, const std::string& where);
  CmdGroup cmd_group(const fb::CmdGroup* g, const std::string& where);
  SubNet sub_net(const fb::SubNet* s, size_t index, size_t count, const std::string& where);
  CoeffMem coeff_mem(const fb::CoeffMem* c, const std::string& where);
  bool same_bytes(const fb::Binary* x, const fb::Binary* y, const std::string& where);
  void check_net_groups(const fb::NetParameter* p, const std::string& where);
  Parameter parameter(const fb::NetParameter* p, const std::string& where);
  Net net(const fb::Net* n);

  const std::string& bytes_;
  const std::string name_;
  uint64_t blob_start_ = 0;
  uint64_t blob_size_ = 0;
  uint64_t neuron_size_ = 0;
  // The FlatBuffer copied to 8-byte-aligned storage: its accessors read scalars in place.
  std::vector<uint64_t> flatbuffer_;
  // A FlatBuffer may refer to one table or range many times, so a small file could make the
  // reader copy far more than its size. What is copied or compared is counted against a budget
  // that a real file never comes near (each of its ranges is read about once).
  uint64_t budget_limit_ = 0;
  uint64_t budget_ = 0;
};

Header Reader::read_header() {
  if (bytes_.size() < 4) {
    fail("not a .bmodel: " + std::to_string(bytes_.size()) + " bytes, no room for its magic");
  }
  Header h;
  h.magic = static_cast<uint32_t>(get_le(bytes_, 0, 4));
  if (h.magic != kMagic) {
    fail("not a .bmodel: magic " + hex32(h.magic) + ", expected " + hex32(kMagic));
  }
  if (bytes_.size() < kHeaderSize) {
    fail("truncated: " + std::to_string(bytes_.size()) + " bytes, shorter than the " +
         std::to_string(kHeaderSize) + "-byte header");
  }
  h.header_size = static_cast<uint32_t>(get_le(bytes_, 4, 4));
  h.flatbuffers_size = static_cast<uint32_t>(get_le(bytes_, 8, 4));
  h.binary_size = get_le(bytes_, 12, 8);
  if (h.header_size != kHeaderSize) {
    fail("header_size is " + std::to_string(h.header_size) + ", expected " +
         std::to_string(kHeaderSize) + " (an encrypted or foreign file)");
  }
  const uint64_t after_header = bytes_.size() - kHeaderSize;
  const std::string file_size = " in a file of " + std::to_string(bytes_.size()) + " bytes";
  if (h.flatbuffers_size > after_header) {
    fail("truncated: the header's flatbuffers_size " + std::to_string(h.flatbuffers_size) +
         " runs past the end of the file" + file_size);
  }
  if (h.binary_size > after_header - h.flatbuffers_size) {
    fail("truncated: the header's binary_size " + std::to_string(h.binary_size) +
         " runs past the end of the file" + file_size);
  }
  const uint64_t end = kHeaderSize + h.flatbuffers_size + h.binary_size;
  if (end != bytes_.size()) {
    fail(std::to_string(bytes_.size() - end) +
         " bytes after the blob, which the header says ends at byte " + std::to_string(end));
  }
  return h;
}

const fb::Model* Reader::verify_flatbuffer(const Header& h) {
  // flatbuffers::Verifier asserts (aborts) on buffers at or above this size.
  if (h.flatbuffers_size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    fail("flatbuffers_size " + std::to_string(h.flatbuffers_size) +
         " is beyond FlatBuffers' limit");
  }
  flatbuffer_.assign(h.flatbuffers_size / 8 + 1, 0);  // never empty: memcpy needs a buffer
  std::memcpy(flatbuffer_.data(), bytes_.data() + kHeaderSize, h.flatbuffers_size);
  const auto* data = reinterpret_cast<const uint8_t*>(flatbuffer_.data());
  flatbuffers::Verifier verifier(data, h.flatbuffers_size);
  if (!fb::VerifyModelBuffer(verifier)) {
    fail(
        "the FlatBuffer fails verification against the bmodel schema (corrupt, or a required "
        "table or field is missing)");
  }
  return fb::GetModel(data);
}

void Reader::spend(uint64_t bytes, const std::string& where) {
  if (bytes > budget_) {
    fail(where + ": the FlatBuffer refers to the same data many times over (more than " +
         std::to_string(budget_limit_) + " bytes read), a corrupt file");
  }
  budget_ -= bytes;
}

const uint8_t* Reader::range(const fb::Binary* binary, const std::string& where) {
  if (binary->start() > blob_size_ || binary->size() > blob_size_ - binary->start()) {
    fail(where + ": range [" + std::to_string(binary->start()) + ", +" +
         std::to_string(binary->size()) + ") lies outside the " + std::to_string(blob_size_) +
         "-byte blob");
  }
  return reinterpret_cast<const uint8_t*>(bytes_.data()) + blob_start_ + binary->start();
}

std::vector<uint8_t> Reader::copy(const fb::Binary* binary, const std::string& where) {
  if (!binary) return {};
  const uint8_t* start = range(binary, where);
  spend(binary->size(), where);
  return std::vector<uint8_t>(start, start + binary->size());
}

Tensor Reader::tensor(const fb::Tensor* t, const std::string& where) {
  Tensor out;
  out.name = t->name()->str();
  const std::string here = where + " tensor '" + out.name + "'";
  spend(out.name.size(), here);
  // The runtime finds a subnet's tensors by name.
  if (out.name.empty()) fail(where + " has a tensor without a name");
  const auto* shapes = t->shape();
  if (!shapes || shapes->size() == 0) fail(here + " has no shape");
  if (shapes->size() != 1) {
    fail(here + " has " + std::to_string(shapes->size()) +
         " shapes (a dynamic net, which tpuc does not read)");
  }
  if (const auto* dims = shapes->Get(0)->dim()) {
    spend(8 * uint64_t(dims->size()), here);
    out.shape = u64_vector(dims);
  }
  out.data_type = static_cast<DataType>(t->data_type());
  out.gmem_stmode = t->gmem_stmode();
  out.device_addr = t->device_addr();
  out.size = t->size();
  out.mem_type = t->mem_type();
  out.scale = t->scale();
  out.zero_point = t->zero_point();
  out.cpu_addr = t->cpu_addr();
  out.hidden = t->hidden();
  out.index = t->index();
  return out;
}

std::vector<Tensor> Reader::tensors(const FbTensors* list, const std::string& where) {
  std::vector<Tensor> out;
  if (!list) return out;
  for (const fb::Tensor* t : *list) out.push_back(tensor(t, where));
  return out;
}

CmdGroup Reader::cmd_group(const fb::CmdGroup* g, const std::string& where) {
  CmdGroup out;
  out.tiu_count = g->bdc_num();
  out.gdma_count = g->gdma_num();
  struct Stream {
    const char* field;
    uint32_t count;
    const fb::Binary* binary;
    uint32_t cmd_byte;
    std::vector<uint8_t>* bytes;
  };
  const Stream streams[] = {
      {"binary_bdc", g->bdc_num(), g->binary_bdc(), g->bdc_cmd_byte(), &out.tiu_bytes},
      {"binary_gdma", g->gdma_num(), g->binary_gdma(), g->gdma_cmd_byte(), &out.gdma_bytes}};
  for (const Stream& s : streams) {
    const std::string here = where + " " + s.field;
    const uint64_t size = s.binary ? s.binary->size() : 0;
    if (s.count != 0 && size == 0) {
      fail(here + ": " + std::to_string(s.count) + " commands but no bytes");
    }
    if (s.count == 0 && size != 0) fail(here + ": " + std::to_string(size) + " bytes, 0 commands");
    // The runtime copies the last command of a stream up to the next 128-byte boundary.
    if (size % kCommandAlign != 0) {
      fail(here + ": " + std::to_string(size) + " bytes, not padded to a multiple of " +
           std::to_string(kCommandAlign));
    }
    // The runtime sizes its command buffer by the *_cmd_byte field and fills it from the binary.
    if (s.cmd_byte != size) {
      fail(here + ": " + std::to_string(size) + " bytes, but the group's cmd_byte field says " +
           std::to_string(s.cmd_byte));
    }
    *s.bytes = copy(s.binary, here);
  }
  return out;
}

SubNet Reader::sub_net(const fb::SubNet* s, size_t index, size_t count, const std::string& where) {
  SubNet out;
  const int32_t mode = s->subnet_mode();
  if (mode != 0 && mode != 1) {
    fail(where + " has mode " + std::to_string(mode) + " (control flow), which tpuc does not read");
  }
  out.mode = static_cast<SubnetMode>(mode);
  if (s->is_dynamic() != 0) fail(where + " is dynamic, which tpuc does not read");
  if (s->core_commands() && s->core_commands()->size() != 0) {
    fail(where + " has per-core commands (a multi-core chip's file)");
  }
  out.id = s->id();
  if (out.id != -1 && out.id != static_cast<int32_t>(index)) {
    fail(where + " has id " + std::to_string(out.id) + "; the runtime requires its index or -1");
  }
  if (const auto* next = s->next_subnet_ids()) {
    for (int32_t id : *next) {
      if (id < -1 || id >= static_cast<int64_t>(count)) {
        fail(where + " names subnet " + std::to_string(id) + " as the next, of " +
             std::to_string(count));
      }
      out.next_subnet_ids.push_back(id);
    }
  }
  if (out.mode == SubnetMode::Tpu) {
    if (!s->cmd_group() || s->cmd_group()->size() == 0) fail(where + " (TPU) has no cmd_group");
    for (size_t i = 0; i < s->cmd_group()->size(); ++i) {
      const std::string here = where + " cmd_group " + std::to_string(i);
      out.cmd_groups.push_back(cmd_group(s->cmd_group()->Get(i), here));
    }
  } else {
    if (!s->cpu_param() || s->cpu_param()->size() == 0) fail(where + " (CPU) has no cpu_param");
    for (size_t i = 0; i < s->cpu_param()->size(); ++i) {
      const fb::CpuParam* p = s->cpu_param()->Get(i);
      const std::string here = where + " cpu_param " + std::to_string(i);
      if (p->cpu_const() && p->cpu_const()->size() != 0) {
        fail(here + " has CPU constants, which tpuc does not read");
      }
      out.cpu_params.push_back({p->op_type(), copy(p->binary_param(), here), p->is_custom()});
    }
  }
  out.inputs = tensors(s->input_tensor(), where + " input");
  out.outputs = tensors(s->output_tensor(), where + " output");
  return out;
}

CoeffMem Reader::coeff_mem(const fb::CoeffMem* c, const std::string& where) {
  CoeffMem out;
  out.address = c->address();
  if (c->encrypt_mode() != 0) fail(where + " is encrypted, which tpuc does not read");
  out.data = copy(c->binary_coeff(), where + " binary_coeff");
  const auto* code = c->check_code();
  if (!code || code->size() != out.check_code.size()) {
    fail(where + " check_code is " + std::to_string(code ? code->size() : 0) +
         " bytes, not a 32-byte SHA-256");
  }
  std::copy(code->begin(), code->end(), out.check_code.begin());
  if (sha256(out.data.data(), out.data.size()) != out.check_code) {
    fail(where + " check_code is not the SHA-256 of its " + std::to_string(out.data.size()) +
         " coefficient bytes");
  }
  return out;
}

// Whether two (possibly absent) ranges hold the same bytes.
bool Reader::same_bytes(const fb::Binary* x, const fb::Binary* y, const std::string& where) {
  const uint64_t size = x ? x->size() : 0;
  if (size != (y ? y->size() : 0)) return false;
  if (size == 0) return true;
  const uint8_t* bytes_x = range(x, where);
  const uint8_t* bytes_y = range(y, where);
  spend(size, where);
  return std::memcmp(bytes_x, bytes_y, size) == 0;
}

// NetParameter.cmd_group, which the runtime loads, must be the TPU subnets' groups, in order:
// the same counts and the same bytes (tpu-mlir may store the bytes twice).
void Reader::check_net_groups(const fb::NetParameter* p, const std::string& where) {
  std::vector<const fb::CmdGroup*> from_subnets;
  for (const fb::SubNet* s : *p->sub_net()) {
    if (s->subnet_mode() != 0) continue;
    for (const fb::CmdGroup* g : *s->cmd_group()) from_subnets.push_back(g);
  }
  const FbGroups* net_groups = p->cmd_group();
  const size_t count = net_groups ? net_groups->size() : 0;
  if (count != from_subnets.size()) {
    fail(where + " cmd_group lists " + std::to_string(count) + " groups, its TPU subnets " +
         std::to_string(from_subnets.size()));
  }
  for (size_t i = 0; i < count; ++i) {
    const fb::CmdGroup* a = net_groups->Get(i);
    const fb::CmdGroup* b = from_subnets[i];
    const std::string here = where + " cmd_group " + std::to_string(i);
    const bool same = a->bdc_num() == b->bdc_num() && a->gdma_num() == b->gdma_num() &&
                      a->bdc_cmd_byte() == b->bdc_cmd_byte() &&
                      a->gdma_cmd_byte() == b->gdma_cmd_byte() &&
                      same_bytes(a->binary_bdc(), b->binary_bdc(), here) &&
                      same_bytes(a->binary_gdma(), b->binary_gdma(), here);
    if (!same) fail(here + " differs from the same group in its subnet");
  }
}

Parameter Reader::parameter(const fb::NetParameter* p, const std::string& where) {
  Parameter out;
  if (p->is_dynamic() != 0) fail(where + " is dynamic, which tpuc does not read");
  out.inputs = tensors(p->input_tensor(), where + " input");
  out.outputs = tensors(p->output_tensor(), where + " output");
  out.ctx_addr = p->ctx_addr();
  out.ctx_size = p->ctx_size();
  // The model's neuron_size is the largest context (tpu-mlir's ModelGen keeps the maximum).
  if (out.ctx_size > neuron_size_) {
    fail(where + " ctx_size " + std::to_string(out.ctx_size) + " exceeds the model's neuron_size " +
         std::to_string(neuron_size_));
  }
  if (const auto* sizes = p->ctx_sizes()) {
    spend(8 * uint64_t(sizes->size()), where);
    out.ctx_sizes = u64_vector(sizes);
  }
  if (p->coeff_mem()) out.coeff = coeff_mem(p->coeff_mem(), where + " coeff_mem");
  if (!p->sub_net() || p->sub_net()->size() == 0) fail(where + " has no sub_net");
  const size_t count = p->sub_net()->size();
  for (size_t i = 0; i < count; ++i) {
    const std::string here = where + " subnet " + std::to_string(i);
    out.sub_nets.push_back(sub_net(p->sub_net()->Get(i), i, count, here));
  }
  check_net_groups(p, where);
  out.cpu_mem_size = p->cpu_mem_size();
  return out;
}

Net Reader::net(const fb::Net* n) {
  Net out;
  out.name = n->name()->str();
  out.addr_mode = n->addr_mode();
  if (out.name.empty()) fail("a net has no name");
  const std::string where = "net '" + out.name + "'";
  if (!n->parameter() || n->parameter()->size() == 0) fail(where + " has no parameter (stage)");
  for (size_t i = 0; i < n->parameter()->size(); ++i) {
    const std::string here = where + " stage " + std::to_string(i);
    out.parameters.push_back(parameter(n->parameter()->Get(i), here));
  }
  return out;
}

BmodelFile Reader::read() {
  BmodelFile file;
  file.header = read_header();
  blob_start_ = kHeaderSize + uint64_t(file.header.flatbuffers_size);
  blob_size_ = file.header.binary_size;
  budget_limit_ = 8 * uint64_t(bytes_.size()) + (1u << 20);
  budget_ = budget_limit_;
  const fb::Model* m = verify_flatbuffer(file.header);
  Model& model = file.model;
  model.type = m->type()->str();
  model.version = m->version()->str();
  model.time = m->time()->str();
  model.chip = m->chip()->str();
  model.neuron_size = m->neuron_size();
  neuron_size_ = model.neuron_size;
  model.device_num = m->device_num();
  if (m->net()->size() == 0) fail("the model has no net");
  for (const fb::Net* n : *m->net()) model.nets.push_back(net(n));
  return file;
}

}  // namespace

BmodelFile parse_bmodel(const std::string& bytes, const std::string& name) {
  Reader reader(bytes, name);
  return reader.read();
}

BmodelFile read_bmodel(const std::string& path) { return parse_bmodel(read_file(path), path); }

}  // namespace tpuc::bm1684x::bmodel
