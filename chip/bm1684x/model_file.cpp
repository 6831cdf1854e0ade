// A Model as a .bmodel and its sidecar, and back (docs/model-format.md says what goes where and
// why). The container's conventions follow tpu-mlir's BM168xCodegen.cpp (tensor scales, hidden
// and index, mem_type, subnet ids); the streams are split at the host layers by model_subnets.h.
#include "chip/bm1684x/model_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <tuple>

#include "chip/bm1684x/bmodel/sha256.h"
#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/gdma_encoding.h"
#include "chip/bm1684x/model_subnets.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::bm1684x {

namespace {

using Json = nlohmann::json;

// Model.time: the Unix epoch in ctime's form, where tpu-mlir writes the time of the compile, so
// that the same model gives the same bytes.
constexpr char kFixedTime[] = "Thu Jan  1 00:00:00 1970\n";
constexpr char kSidecarFormat[] = "tpuc.bmodel.sidecar";
constexpr char kHostLayerFormat[] = "tpuc.host_layer";
constexpr int kFormatVersion = 1;

// The container names chips in capitals ("BM1684X"), tpuc's chip descriptions in lower case.
std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string hex(const std::array<uint8_t, 32>& digest) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t b : digest) {
    text += kDigits[b >> 4];
    text += kDigits[b & 15];
  }
  return text;
}

Json type_json(const TensorType& t) {
  Json j{{"dtype", name(t.dtype)}, {"shape", t.shape}};
  if (t.quant)
    j["quant"] = {
        {"scale", t.quant->scale}, {"zero_point", t.quant->zero_point}, {"axis", t.quant->axis}};
  return j;
}

TensorType type_from(const Json& j) {
  TensorType t;
  const std::optional<DType> dtype = parse_dtype(j.at("dtype").get<std::string>());
  if (!dtype) throw Error("unknown dtype " + j.at("dtype").dump());
  t.dtype = *dtype;
  t.shape = j.at("shape").get<Shape>();
  if (j.contains("quant"))
    t.quant =
        QuantParams{j["quant"].at("scale").get<std::vector<double>>(),
                    j["quant"].at("zero_point").get<int64_t>(), j["quant"].at("axis").get<int>()};
  return t;
}

Json io_json(const std::vector<IoTensor>& ios) {
  Json list = Json::array();
  for (const IoTensor& io : ios)
    list.push_back({{"name", io.name}, {"type", type_json(io.type)}, {"addr", io.addr}});
  return list;
}

std::vector<IoTensor> io_from(const Json& list) {
  std::vector<IoTensor> ios;
  for (const Json& j : list) ios.push_back({j.at("name"), type_from(j.at("type")), j.at("addr")});
  return ios;
}

// Tensor.data_type. The container has no 64-bit integer nor boolean: an i64 travels as int32
// with its true size in Tensor.size (8 bytes an element, which tells it apart), a bool as uint8
// (one byte, as tpuc stores it).
bmodel::DataType data_type_of(DType t) {
  switch (t) {
    case DType::F32:
      return bmodel::DataType::F32;
    case DType::F16:
      return bmodel::DataType::F16;
    case DType::BF16:
      return bmodel::DataType::BF16;
    case DType::I8:
      return bmodel::DataType::Int8;
    case DType::U8:
    case DType::Bool:
      return bmodel::DataType::UInt8;
    case DType::I16:
      return bmodel::DataType::Int16;
    case DType::I32:
    case DType::I64:
      return bmodel::DataType::Int32;
    case DType::F64:
    case DType::U16:
    case DType::U32:
    case DType::U64:
      throw Error(std::string("a ") + name(t) +
                  " tensor at the model's edge: the BM1684X and its .bmodel hold no " + name(t));
  }
  TPUC_INTERNAL_ERROR("a dtype without a .bmodel data type");
}

DType dtype_of(const bmodel::Tensor& t) {
  switch (t.data_type) {
    case bmodel::DataType::F32:
      return DType::F32;
    case bmodel::DataType::F16:
      return DType::F16;
    case bmodel::DataType::BF16:
      return DType::BF16;
    case bmodel::DataType::Int8:
      return DType::I8;
    case bmodel::DataType::UInt8:
      return DType::U8;
    case bmodel::DataType::Int16:
      return DType::I16;
    case bmodel::DataType::Int32: {
      uint64_t elements = 1;
      for (uint64_t d : t.shape) elements *= d;
      return t.size == 8 * elements ? DType::I64 : DType::I32;
    }
    default:
      throw Error("tensor '" + t.name + "' is " + bmodel::data_type_name(t.data_type) +
                  ", which tpuc does not run");
  }
}

// What the container says of every tensor beyond its type: net inputs and outputs (hidden 1 and
// 2, with their index) and the tensors a CPU subnet reads or writes (mem_type with the CPU bit).
struct TensorRoles {
  std::vector<std::string> inputs, outputs;
  std::set<std::string> on_cpu;

  explicit TensorRoles(const Model& m) {
    for (const IoTensor& io : m.inputs) inputs.push_back(io.name);
    for (const IoTensor& io : m.outputs) outputs.push_back(io.name);
    for (const HostLayer& h : m.host_layers) {
      for (const IoTensor& io : h.inputs) on_cpu.insert(io.name);
      for (const IoTensor& io : h.outputs) on_cpu.insert(io.name);
    }
  }
};

// As tpu-mlir writes a tensor: a quantized tensor's scale and zero point, the scale inverted for
// a net input (what the runtime multiplies a float input by); per-channel scales have no place.
bmodel::Tensor tensor_of(const IoTensor& io, const TensorRoles& roles) {
  bmodel::Tensor t;
  t.name = io.name;
  t.data_type = data_type_of(io.type.dtype);
  t.device_addr = io.addr;
  t.size = uint64_t(io.type.num_bytes());
  t.shape.assign(io.type.shape.begin(), io.type.shape.end());
  t.mem_type = bmodel::kMemTpu | (roles.on_cpu.count(io.name) ? bmodel::kMemCpu : 0);
  const auto input = std::find(roles.inputs.begin(), roles.inputs.end(), io.name);
  const auto output = std::find(roles.outputs.begin(), roles.outputs.end(), io.name);
  if (input != roles.inputs.end()) {
    t.hidden = 1;
    t.index = int32_t(input - roles.inputs.begin());
  } else if (output != roles.outputs.end()) {
    t.hidden = 2;
    t.index = int32_t(output - roles.outputs.begin());
  }
  if (io.type.quant) {
    t.zero_point = int32_t(io.type.quant->zero_point);
    if (io.type.quant->scale.size() == 1)
      t.scale = float(t.hidden == 1 ? 1 / io.type.quant->scale[0] : io.type.quant->scale[0]);
  }
  return t;
}

std::vector<bmodel::Tensor> tensors_of(const std::vector<IoTensor>& ios, const TensorRoles& roles) {
  std::vector<bmodel::Tensor> tensors;
  for (const IoTensor& io : ios) tensors.push_back(tensor_of(io, roles));
  return tensors;
}

// The reverse of tensor_of: a quantized type when the tensor has a scale or zero point.
IoTensor io_of(const bmodel::Tensor& t) {
  TensorType type;
  type.dtype = dtype_of(t);
  type.shape.assign(t.shape.begin(), t.shape.end());
  if (t.scale != 1.0f || t.zero_point != 0)
    type.quant =
        QuantParams{{t.hidden == 1 ? 1 / double(t.scale) : double(t.scale)}, t.zero_point, -1};
  return {t.name, type, t.device_addr};
}

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

bmodel::SubNet host_subnet(const HostLayer& h, const TensorRoles& roles) {
  const Json param{{"format", kHostLayerFormat},
                   {"version", kFormatVersion},
                   {"name", h.name},
                   {"op", h.op},
                   {"reason", h.reason},
                   {"graph", h.graph},
                   {"inputs", io_json(h.inputs)},
                   {"outputs", io_json(h.outputs)}};
  bmodel::SubNet s;
  s.mode = bmodel::SubnetMode::Cpu;
  s.cpu_params.push_back({kHostLayerOpType, bytes_of(param.dump()), 0});
  s.inputs = tensors_of(h.inputs, roles);
  s.outputs = tensors_of(h.outputs, roles);
  return s;
}

bmodel::SubNet tpu_subnet(const SubnetPart& part, const Model& m) {
  bmodel::CmdGroup group;
  group.tiu_count = uint32_t(part.program.tiu.size());
  group.gdma_count = uint32_t(part.program.gdma.size());
  group.tiu_bytes = bytes_of(encode_tiu(part.program.tiu, m.lane_bytes));
  group.gdma_bytes = bytes_of(encode_gdma_stream(part.program.gdma, m.lane_bytes));
  bmodel::SubNet s;
  s.cmd_groups.push_back(std::move(group));
  return s;
}

// The subnets in run order, chained by id and next_subnet_ids. A TPU subnet's inputs are the net
// inputs (the first subnet) or the outputs of the CPU subnet before it; its outputs, the inputs of
// the CPU subnet after it or the net outputs (the last subnet).
std::vector<bmodel::SubNet> subnets_of(const Model& m, const TensorRoles& roles) {
  const std::vector<SubnetPart> parts = split_program(m);
  std::vector<bmodel::SubNet> subnets;
  for (size_t k = 0; k < parts.size(); ++k) {
    const SubnetPart& part = parts[k];
    if (part.is_host) {
      subnets.push_back(host_subnet(m.host_layers[part.host_layer], roles));
    } else {
      subnets.push_back(tpu_subnet(part, m));
      subnets.back().inputs = k == 0 ? tensors_of(m.inputs, roles) : subnets[k - 1].outputs;
      subnets.back().outputs =
          k + 1 == parts.size() ? tensors_of(m.outputs, roles)
                                : tensors_of(m.host_layers[parts[k + 1].host_layer].inputs, roles);
    }
    subnets.back().id = int32_t(k);
    subnets.back().next_subnet_ids = {k + 1 == parts.size() ? -1 : int32_t(k + 1)};
  }
  return subnets;
}

Json sidecar_of(const Model& m) {
  Json layers = Json::array();
  for (const LayerInfo& l : m.layers)
    layers.push_back({{"name", l.name},
                      {"op", l.op},
                      {"nodes", l.nodes},
                      {"tiles", l.tiles},
                      {"tiu", l.tiu},
                      {"gdma", l.gdma}});
  return {{"format", kSidecarFormat},
          {"version", kFormatVersion},
          {"macs", m.macs},
          {"lanes", m.lanes},
          {"lane_bytes", m.lane_bytes},
          {"inputs", io_json(m.inputs)},
          {"outputs", io_json(m.outputs)},
          {"layers", layers}};
}

}  // namespace

ModelFiles to_model_files(const Model& m) {
  const TensorRoles roles(m);
  bmodel::Parameter stage;
  stage.inputs = tensors_of(m.inputs, roles);
  stage.outputs = tensors_of(m.outputs, roles);
  if (!m.weights.empty()) stage.coeff = bmodel::CoeffMem{m.weight_addr, {}, m.weights};
  // The weights come first in DDR (memory_plan.h), the context right after them.
  stage.ctx_addr = m.weight_addr + m.weights.size();
  TPUC_INTERNAL_ASSERT(m.ddr_bytes >= m.weights.size(), "the weights exceed the model's DDR");
  stage.ctx_size = m.ddr_bytes - m.weights.size();
  stage.sub_nets = subnets_of(m, roles);
  ModelFiles files;
  files.bmodel.time = kFixedTime;
  files.bmodel.chip = upper(m.chip);
  files.bmodel.neuron_size = stage.ctx_size;
  files.bmodel.device_num = 1;
  files.bmodel.nets.push_back({m.name, {std::move(stage)}, 0});
  files.sidecar = sidecar_of(m);
  return files;
}

HostLayer parse_host_layer(const bmodel::CpuParam& cpu, const std::string& where) {
  if (cpu.op_type != kHostLayerOpType)
    throw Error(where + ": CPU layer op_type " + std::to_string(cpu.op_type) +
                " is not a tpuc host layer (" + std::to_string(kHostLayerOpType) +
                "); tpuc runs only its own");
  try {
    const Json j = Json::parse(cpu.param.begin(), cpu.param.end());
    if (j.at("format") != kHostLayerFormat || j.at("version") != kFormatVersion)
      throw Error("format " + j.at("format").dump() + " version " + j.at("version").dump() +
                  ", this tpuc reads " + kHostLayerFormat + " version " +
                  std::to_string(kFormatVersion));
    return {j.at("name"),
            j.at("op"),
            j.at("graph"),
            io_from(j.at("inputs")),
            io_from(j.at("outputs")),
            0,
            0,
            j.at("reason")};
  } catch (const std::exception& e) {
    throw Error(where + ": the host layer's parameter block does not parse: " + e.what());
  }
}

namespace {

// The net's one stage, or an Error: tpuc runs a static network of one net and one input shape.
const bmodel::Parameter& only_stage(const bmodel::Model& b) {
  if (b.nets.size() != 1 || b.nets[0].parameters.size() != 1)
    throw Error("tpuc runs a .bmodel of one net with one stage; this one has " +
                std::to_string(b.nets.size()) + " net(s), the first " +
                std::to_string(b.nets.empty() ? 0 : b.nets[0].parameters.size()) + " stage(s)");
  return b.nets[0].parameters[0];
}

void append_tpu_subnet(const bmodel::SubNet& s, const Model& m, const std::string& where,
                       ProgramJoiner& joiner) {
  if (s.cmd_groups.size() != 1)
    throw Error(where + ": " + std::to_string(s.cmd_groups.size()) +
                " command groups; tpuc runs one per subnet");
  const bmodel::CmdGroup& g = s.cmd_groups[0];
  std::vector<TiuCommand> tiu = decode_tiu(std::string(g.tiu_bytes.begin(), g.tiu_bytes.end()),
                                           m.lane_bytes, m.lanes, where + " TIU stream");
  std::vector<GdmaCommand> gdma =
      decode_gdma_stream(std::string(g.gdma_bytes.begin(), g.gdma_bytes.end()), m.lane_bytes,
                         m.lanes, where + " GDMA stream");
  if (tiu.size() != g.tiu_count || gdma.size() != g.gdma_count)
    throw Error(where + ": the group counts " + std::to_string(g.tiu_count) + " TIU and " +
                std::to_string(g.gdma_count) + " GDMA commands, its streams hold " +
                std::to_string(tiu.size()) + " and " + std::to_string(gdma.size()));
  joiner.append(std::move(tiu), std::move(gdma));
}

// The streams and host layers from the subnets, which must run one after another.
void join_subnets(const bmodel::Parameter& stage, const std::string& where, Model& m) {
  ProgramJoiner joiner;
  for (size_t k = 0; k < stage.sub_nets.size(); ++k) {
    const bmodel::SubNet& s = stage.sub_nets[k];
    const std::string place = where + ": subnet " + std::to_string(k);
    const int32_t next = k + 1 == stage.sub_nets.size() ? -1 : int32_t(k + 1);
    if (s.next_subnet_ids != std::vector<int32_t>{next})
      throw Error(place + ": its next subnets are not [" + std::to_string(next) +
                  "]; tpuc runs subnets one after another");
    if (s.mode == bmodel::SubnetMode::Tpu) {
      append_tpu_subnet(s, m, place, joiner);
      continue;
    }
    HostLayer h = parse_host_layer(s.cpu_params.at(0), place);
    h.tiu_at = joiner.tiu_size();
    h.gdma_at = joiner.gdma_size();
    m.host_layers.push_back(std::move(h));
  }
  m.program = joiner.finish();
}

// The net's tensors from the sidecar, whose types are exact (double scales, per-channel
// quantization, i64, bool), once they agree with the container's.
std::vector<IoTensor> exact_io(const std::vector<IoTensor>& stored, const Json& list) {
  std::vector<IoTensor> exact = io_from(list);
  if (exact.size() != stored.size())
    throw Error("it lists " + std::to_string(exact.size()) + " tensors where the .bmodel has " +
                std::to_string(stored.size()));
  for (size_t k = 0; k < exact.size(); ++k)
    if (exact[k].name != stored[k].name || exact[k].addr != stored[k].addr ||
        exact[k].type.shape != stored[k].type.shape ||
        data_type_of(exact[k].type.dtype) != data_type_of(stored[k].type.dtype))
      throw Error("its tensor '" + exact[k].name + "' differs from the .bmodel's '" +
                  stored[k].name + "'");
  return exact;
}

void apply_sidecar(const Json& j, Model& m) {
  if (j.at("format") != kSidecarFormat || j.at("version") != kFormatVersion)
    throw Error("format " + j.at("format").dump() + " version " + j.at("version").dump() +
                ", this tpuc reads " + kSidecarFormat + " version " +
                std::to_string(kFormatVersion));
  m.macs = j.at("macs");
  m.lanes = j.at("lanes");
  m.lane_bytes = j.at("lane_bytes");
  m.inputs = exact_io(m.inputs, j.at("inputs"));
  m.outputs = exact_io(m.outputs, j.at("outputs"));
  for (const Json& l : j.at("layers"))
    m.layers.push_back(
        {l.at("name"), l.at("op"), l.at("nodes"), l.at("tiles"), l.at("tiu"), l.at("gdma")});
}

// Every command a layer lists exists (the simulator times layers by them).
void check_layers(const Model& m, const std::string& where) {
  for (const LayerInfo& l : m.layers)
    for (const auto& [list, size, engine] : {std::tuple{&l.tiu, m.program.tiu.size(), "TIU"},
                                             std::tuple{&l.gdma, m.program.gdma.size(), "GDMA"}})
      for (uint32_t k : *list)
        if (k >= size)
          throw Error(where + ": layer '" + l.name + "' lists " + engine + " command " +
                      std::to_string(k) + ", the stream has " + std::to_string(size));
}

}  // namespace

Model from_model_files(const bmodel::Model& b, const Json* sidecar, const std::string& where) {
  const bmodel::Parameter& stage = only_stage(b);
  Model m;
  m.chip = lower(b.chip);
  m.name = b.nets[0].name;
  for (const bmodel::Tensor& t : stage.inputs) m.inputs.push_back(io_of(t));
  for (const bmodel::Tensor& t : stage.outputs) m.outputs.push_back(io_of(t));
  if (sidecar) {
    try {
      apply_sidecar(*sidecar, m);
    } catch (const std::exception& e) {
      throw Error(where + ".json: " + e.what());
    }
  }
  m.weight_addr = stage.coeff ? stage.coeff->address : stage.ctx_addr;
  if (stage.coeff) m.weights = stage.coeff->data;
  if (m.weight_addr + m.weights.size() > stage.ctx_addr)
    throw Error(where + ": the coefficients overlap the context: tpuc places them below it");
  m.ddr_bytes = stage.ctx_addr + stage.ctx_size - m.weight_addr;
  join_subnets(stage, where, m);
  check_layers(m, where + ".json");
  return m;
}

std::string sidecar_path(const std::string& model_path) { return model_path + ".json"; }

std::optional<Json> read_sidecar(const std::string& model_path, const std::string& bytes) {
  const std::string path = sidecar_path(model_path);
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return std::nullopt;
  Json j;
  try {
    j = Json::parse(read_file(path));
  } catch (const Json::exception& e) {
    throw Error(path + ": not JSON: " + e.what());
  }
  const std::string digest =
      hex(bmodel::sha256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!j.is_object() || j.value("bmodel_sha256", "") != digest)
    throw Error(path + ": describes another file than " + model_path +
                " (its bmodel_sha256 differs): delete it, or write both again");
  return j;
}

void write_model(const std::string& path, const Model& m) {
  ModelFiles files = to_model_files(m);
  const std::string bytes = bmodel::serialize_bmodel(files.bmodel);
  files.sidecar["bmodel_sha256"] =
      hex(bmodel::sha256(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  write_file_atomic(path, bytes);
  write_file_atomic(sidecar_path(path), files.sidecar.dump(2) + "\n");
}

Model read_model(const std::string& path) {
  const std::string bytes = read_file(path);
  const bmodel::BmodelFile file = bmodel::parse_bmodel(bytes, path);
  const std::optional<Json> sidecar = read_sidecar(path, bytes);
  try {
    return from_model_files(file.model, sidecar ? &*sidecar : nullptr, path);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(path, 0) == 0) throw;
    throw Error(path + ": " + message);
  }
}

}  // namespace tpuc::bm1684x
