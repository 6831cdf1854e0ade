#include "chip/bm1684x/model_file.h"

#include <zlib.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/gdma_encoding.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::bm1684x {

namespace {

using Json = nlohmann::json;

constexpr char kMagic[8] = {'T', 'P', 'U', 'M', 'O', 'D', 'E', 'L'};
// 2: TIU records gained pool_sum and relu_limit; host layers. 3: f16/bf16, float relu_limit and
// fill_value. 4: layers list their commands (groups); window padding in TIU records. 5: the GDMA
// stream in the chip's own encoding (gdma_encoding.h); lanes and lane_bytes in the metadata.
constexpr uint32_t kVersion = 5;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t meta_bytes, weight_bytes, tiu_bytes, gdma_bytes;
  uint32_t crc32;  // of everything after the header
  uint32_t reserved;
};
static_assert(sizeof(Header) == 56, "packed header");

Json type_json(const TensorType& t) {
  Json j{{"dtype", name(t.dtype)}, {"shape", t.shape}};
  if (t.quant)
    j["quant"] = {
        {"scale", t.quant->scale}, {"zero_point", t.quant->zero_point}, {"axis", t.quant->axis}};
  return j;
}

TensorType type_from(const Json& j) {
  TensorType t;
  t.dtype = parse_dtype(j.at("dtype").get<std::string>()).value();
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

}  // namespace

void write_model(const std::string& path, const Model& m) {
  Json meta{
      {"chip", m.chip},           {"inputs", io_json(m.inputs)},  {"outputs", io_json(m.outputs)},
      {"ddr_bytes", m.ddr_bytes}, {"weight_addr", m.weight_addr}, {"macs", m.macs},
      {"lanes", m.lanes},         {"lane_bytes", m.lane_bytes}};
  meta["layers"] = Json::array();
  for (const LayerInfo& l : m.layers)
    meta["layers"].push_back({{"name", l.name},
                              {"op", l.op},
                              {"nodes", l.nodes},
                              {"tiles", l.tiles},
                              {"tiu", l.tiu},
                              {"gdma", l.gdma}});
  meta["host_layers"] = Json::array();
  for (const HostLayer& l : m.host_layers)
    meta["host_layers"].push_back({{"name", l.name},
                                   {"op", l.op},
                                   {"graph", l.graph},
                                   {"inputs", io_json(l.inputs)},
                                   {"outputs", io_json(l.outputs)},
                                   {"tiu_at", l.tiu_at},
                                   {"gdma_at", l.gdma_at},
                                   {"reason", l.reason}});
  const std::string meta_text = meta.dump();
  const std::string tiu = encode_tiu(m.program.tiu, m.lane_bytes);
  const std::string gdma = encode_gdma_stream(m.program.gdma, m.lane_bytes);
  std::string body = meta_text;
  body.append(reinterpret_cast<const char*>(m.weights.data()), m.weights.size());
  body += tiu;
  body += gdma;
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.header_bytes = sizeof(Header);
  h.meta_bytes = meta_text.size();
  h.weight_bytes = m.weights.size();
  h.tiu_bytes = tiu.size();
  h.gdma_bytes = gdma.size();
  h.crc32 = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
  write_file_atomic(path, std::string(reinterpret_cast<const char*>(&h), sizeof h) + body);
}

Model read_model(const std::string& path) {
  const std::string bytes = read_file(path);
  auto bad = [&path](const std::string& why) {
    return Error(path + ": not a valid .tpumodel: " + why);
  };
  Header h;
  if (bytes.size() < sizeof h) throw bad("shorter than its header");
  std::memcpy(&h, bytes.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) throw bad("wrong magic");
  if (h.version != kVersion)
    throw bad("format version " + std::to_string(h.version) + ", this tpuc reads " +
              std::to_string(kVersion));
  for (uint64_t section : {h.meta_bytes, h.weight_bytes, h.tiu_bytes, h.gdma_bytes})
    if (section > bytes.size()) throw bad("a section is longer than the file (damaged header)");
  const uint64_t body = h.meta_bytes + h.weight_bytes + h.tiu_bytes + h.gdma_bytes;
  if (h.header_bytes != sizeof h || bytes.size() != sizeof h + body)
    throw bad("truncated or padded: " + std::to_string(bytes.size()) +
              " bytes, the header announces " + std::to_string(sizeof h + body));
  if (uint32_t(crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + sizeof h), uInt(body))) !=
      h.crc32)
    throw bad("checksum mismatch (the file is corrupted)");
  size_t pos = sizeof h;
  auto take = [&](uint64_t n) {
    std::string s = bytes.substr(pos, n);
    pos += n;
    return s;
  };
  Model m;
  try {
    const Json meta = Json::parse(take(h.meta_bytes));
    m.chip = meta.at("chip");
    m.inputs = io_from(meta.at("inputs"));
    m.outputs = io_from(meta.at("outputs"));
    m.ddr_bytes = meta.at("ddr_bytes");
    m.weight_addr = meta.at("weight_addr");
    m.macs = meta.at("macs");
    m.lanes = meta.at("lanes");
    m.lane_bytes = meta.at("lane_bytes");
    for (const Json& l : meta.at("layers"))
      m.layers.push_back(
          {l.at("name"), l.at("op"), l.at("nodes"), l.at("tiles"), l.at("tiu"), l.at("gdma")});
    for (const Json& l : meta.at("host_layers"))
      m.host_layers.push_back({l.at("name"), l.at("op"), l.at("graph"), io_from(l.at("inputs")),
                               io_from(l.at("outputs")), l.at("tiu_at"), l.at("gdma_at"),
                               l.at("reason")});
  } catch (const std::exception& e) {
    throw bad(std::string("metadata: ") + e.what());
  }
  const std::string weights = take(h.weight_bytes);
  m.weights.assign(weights.begin(), weights.end());
  m.program.tiu = decode_tiu(take(h.tiu_bytes), m.lane_bytes, m.lanes, path + " TIU stream");
  m.program.gdma =
      decode_gdma_stream(take(h.gdma_bytes), m.lane_bytes, m.lanes, path + " GDMA stream");
  return m;
}

}  // namespace tpuc::bm1684x
