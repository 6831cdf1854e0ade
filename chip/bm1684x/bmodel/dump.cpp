// The text summary of a .bmodel: one line per header, model, net, stage, tensor, coefficient
// block, subnet, CPU layer and command group, indented by nesting. Commands themselves are left to
// the command decoder; here a group shows its counts and byte sizes.
#include <cstdio>
#include <sstream>

#include "chip/bm1684x/bmodel/bmodel.h"

namespace tpuc::bm1684x::bmodel {

std::string data_type_name(DataType type) {
  static const char* const kNames[] = {"f32",   "f16",    "int8", "uint8", "int16", "uint16",
                                       "int32", "uint32", "bf16", "int4",  "uint4"};
  const auto code = static_cast<uint32_t>(type);
  if (code < sizeof kNames / sizeof kNames[0]) return kNames[code];
  return "code " + std::to_string(code);
}

namespace {

std::string hex(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llX", static_cast<unsigned long long>(v));
  return text;
}

// A string from the file between quotes, with anything unprintable escaped (tpu-mlir's time
// ends in a newline; a foreign file may hold anything).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char code[8];
      std::snprintf(code, sizeof code, "\\x%02X", c);
      out += code;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

template <class T>
std::string list(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

void dump_tensor(std::ostream& out, const std::string& indent, const char* role, size_t index,
                 const Tensor& t) {
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", t.scale);
  out << indent << role << " " << index << "  " << quoted(t.name) << "  "
      << data_type_name(t.data_type) << " " << list(t.shape) << "  addr " << hex(t.device_addr)
      << "  size " << t.size << "  scale " << scale << "  zero_point " << t.zero_point
      << "  mem_type " << t.mem_type;
  if (t.gmem_stmode != 0) out << "  gmem_stmode " << t.gmem_stmode;
  if (t.cpu_addr != 0) out << "  cpu_addr " << t.cpu_addr;
  if (t.hidden != 0 || t.index != 0) out << "  hidden " << t.hidden << "  index " << t.index;
  out << "\n";
}

void dump_tensors(std::ostream& out, const std::string& indent, const Parameter& stage) {
  for (size_t i = 0; i < stage.inputs.size(); ++i) {
    dump_tensor(out, indent, "input", i, stage.inputs[i]);
  }
  for (size_t i = 0; i < stage.outputs.size(); ++i) {
    dump_tensor(out, indent, "output", i, stage.outputs[i]);
  }
}

void dump_coeff(std::ostream& out, const std::string& indent, const std::optional<CoeffMem>& c) {
  if (!c) {
    out << indent << "coeff none\n";
    return;
  }
  std::string sha;
  for (uint8_t b : c->check_code) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    sha += two;
  }
  out << indent << "coeff  address " << hex(c->address) << "  " << c->data.size()
      << " bytes  sha256 " << sha << "\n";
}

void dump_subnet(std::ostream& out, size_t index, const SubNet& s) {
  const bool tpu = s.mode == SubnetMode::Tpu;
  out << "    subnet " << index << "  " << (tpu ? "TPU" : "CPU") << "  id " << s.id << "  next "
      << list(s.next_subnet_ids) << "\n";
  for (size_t i = 0; i < s.inputs.size(); ++i) dump_tensor(out, "      ", "input", i, s.inputs[i]);
  for (size_t i = 0; i < s.outputs.size(); ++i) {
    dump_tensor(out, "      ", "output", i, s.outputs[i]);
  }
  for (size_t i = 0; i < s.cmd_groups.size(); ++i) {
    const CmdGroup& g = s.cmd_groups[i];
    out << "      cmd_group " << i << "  TIU " << g.tiu_count << " commands " << g.tiu_bytes.size()
        << " bytes  GDMA " << g.gdma_count << " commands " << g.gdma_bytes.size() << " bytes\n";
  }
  for (size_t i = 0; i < s.cpu_params.size(); ++i) {
    const CpuParam& p = s.cpu_params[i];
    out << "      cpu_param " << i << "  op_type " << p.op_type << "  " << p.param.size()
        << " bytes  is_custom " << p.is_custom << "\n";
  }
}

}  // namespace

std::string dump_bmodel(const BmodelFile& file) {
  std::ostringstream out;
  const Header& h = file.header;
  const Model& m = file.model;
  out << "header  magic " << hex(h.magic) << "  header_size " << h.header_size
      << "  flatbuffers_size " << h.flatbuffers_size << "  binary_size " << h.binary_size << "\n";
  out << "model  type " << quoted(m.type) << "  version " << quoted(m.version) << "  chip "
      << quoted(m.chip) << "  time " << quoted(m.time) << "  neuron_size " << m.neuron_size
      << "  device_num " << m.device_num << "\n";
  for (size_t n = 0; n < m.nets.size(); ++n) {
    const Net& net = m.nets[n];
    out << "net " << n << "  " << quoted(net.name) << "  addr_mode " << net.addr_mode << "  "
        << net.parameters.size() << " stage(s)\n";
    for (size_t p = 0; p < net.parameters.size(); ++p) {
      const Parameter& stage = net.parameters[p];
      out << "  stage " << p << "  ctx_addr " << hex(stage.ctx_addr) << "  ctx_size "
          << stage.ctx_size << "  ctx_sizes " << list(stage.ctx_sizes) << "  cpu_mem_size "
          << stage.cpu_mem_size << "  " << stage.sub_nets.size() << " subnet(s)\n";
      dump_coeff(out, "    ", stage.coeff);
      dump_tensors(out, "    ", stage);
      for (size_t s = 0; s < stage.sub_nets.size(); ++s) dump_subnet(out, s, stage.sub_nets[s]);
    }
  }
  return out.str();
}

}  // namespace tpuc::bm1684x::bmodel
