#include "chip/bm1684x/disasm.h"

#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/isa/print.h"
#include "chip/bm1684x/isa/stream.h"
#include "chip/bm1684x/model_subnets.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::bm1684x {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// One command group's streams, decoded.
struct DecodedGroup {
  std::vector<isa::Command> tiu, gdma;
};

std::vector<isa::Command> decode(isa::Engine engine, const std::vector<uint8_t>& bytes,
                                 uint32_t count, const std::string& where) {
  if (count == 0 && bytes.empty()) return {};  // a group without commands of this engine
  return isa::decode_stream(engine, std::string(bytes.begin(), bytes.end()), where);
}

DecodedGroup decode_group(const bmodel::CmdGroup& g, const std::string& where) {
  DecodedGroup d;
  d.gdma = decode(isa::Engine::kGdma, g.gdma_bytes, g.gdma_count, where + " GDMA stream");
  d.tiu = decode(isa::Engine::kTiu, g.tiu_bytes, g.tiu_count, where + " TIU stream");
  return d;
}

// A command of a group in listing order: its engine, its index in its stream, its layer.
struct Entry {
  bool tiu = false;
  size_t index = 0;
  std::string layer;
};

struct Block {
  std::string title;  // "layer conv1 (Conv+Relu)", "end", ...
  std::vector<Entry> entries;
};

// Without layers: each stream whole.
std::vector<Block> blocks_by_stream(const DecodedGroup& d) {
  Block tiu{"TIU stream", {}}, gdma{"GDMA stream", {}};
  for (size_t k = 0; k < d.tiu.size(); ++k) tiu.entries.push_back({true, k, ""});
  for (size_t k = 0; k < d.gdma.size(); ++k) gdma.entries.push_back({false, k, ""});
  return {tiu, gdma};
}

// With the sidecar's layers (command indices in the model's streams, this group's starting at
// tiu_begin and gdma_begin): each layer's GDMA commands, then its TIU commands; any command no
// layer lists; the two ENDs.
std::vector<Block> blocks_by_layer(const DecodedGroup& d, const Json& layers, uint32_t tiu_begin,
                                   uint32_t gdma_begin) {
  const size_t tiu_size = d.tiu.size() - 1, gdma_size = d.gdma.size() - 1;  // END not counted
  std::vector<bool> tiu_listed(tiu_size), gdma_listed(gdma_size);
  std::vector<Block> blocks;
  auto take = [](const Json& indices, bool tiu, uint32_t begin, std::vector<bool>& listed,
                 const std::string& layer, Block& block) {
    for (uint32_t k : indices)
      if (k >= begin && k - begin < listed.size()) {
        listed[k - begin] = true;
        block.entries.push_back({tiu, k - begin, layer});
      }
  };
  for (const Json& l : layers) {
    const std::string name = l.at("name");
    Block block{"layer " + name + " (" + l.at("op").get<std::string>() + ")", {}};
    take(l.at("gdma"), false, gdma_begin, gdma_listed, name, block);
    take(l.at("tiu"), true, tiu_begin, tiu_listed, name, block);
    if (!block.entries.empty()) blocks.push_back(std::move(block));
  }
  Block rest{"outside any layer", {}};
  for (size_t k = 0; k < gdma_size; ++k)
    if (!gdma_listed[k]) rest.entries.push_back({false, k, ""});
  for (size_t k = 0; k < tiu_size; ++k)
    if (!tiu_listed[k]) rest.entries.push_back({true, k, ""});
  if (!rest.entries.empty()) blocks.push_back(std::move(rest));
  blocks.push_back({"end", {{false, gdma_size, ""}, {true, tiu_size, ""}}});
  return blocks;
}

std::string text_of(const DecodedGroup& d, const Entry& e) {
  return isa::to_text(e.tiu ? d.tiu[e.index] : d.gdma[e.index]);
}

OrderedJson json_of(const DecodedGroup& d, const Entry& e) {
  OrderedJson j = isa::to_json(e.tiu ? d.tiu[e.index] : d.gdma[e.index]);
  if (!e.layer.empty()) j["layer"] = e.layer;
  return j;
}

// Builds the listing in one of the two formats while walking the container.
class Listing {
 public:
  Listing(DisasmFormat format, const std::string& where, const Json* sidecar)
      : format_(format), where_(where), sidecar_(sidecar) {}

  std::string print(const bmodel::Model& b);

 private:
  OrderedJson stage(const bmodel::Parameter& p, const std::string& where);
  OrderedJson tpu_subnet(const bmodel::SubNet& s, size_t index, const std::string& where,
                         uint32_t& tiu_begin, uint32_t& gdma_begin);
  OrderedJson cpu_subnet(const bmodel::SubNet& s, size_t index, const std::string& where);
  void line(const std::string& text) {
    if (format_ == DisasmFormat::kText) text_ += text + "\n";
  }
  bool text() const { return format_ == DisasmFormat::kText; }

  DisasmFormat format_;
  std::string where_;
  const Json* sidecar_;
  std::string text_;
};

std::string Listing::print(const bmodel::Model& b) {
  line("; " + b.chip + " .bmodel, " + std::to_string(b.nets.size()) + " net(s); " +
       (sidecar_ ? "layers from tpuc's sidecar" : "no sidecar: commands by stream"));
  OrderedJson nets = OrderedJson::array();
  for (const bmodel::Net& net : b.nets) {
    OrderedJson stages = OrderedJson::array();
    for (size_t k = 0; k < net.parameters.size(); ++k) {
      const std::string where = where_ + ": net '" + net.name + "' stage " + std::to_string(k);
      line("net '" + net.name + "' stage " + std::to_string(k) + ": " +
           std::to_string(net.parameters[k].sub_nets.size()) + " subnet(s)");
      stages.push_back(stage(net.parameters[k], where));
    }
    nets.push_back({{"name", net.name}, {"stages", std::move(stages)}});
  }
  if (text()) return text_;
  const OrderedJson listing{{"chip", b.chip}, {"nets", std::move(nets)}};
  return listing.dump(1) + "\n";
}

OrderedJson Listing::stage(const bmodel::Parameter& p, const std::string& where) {
  OrderedJson subnets = OrderedJson::array();
  uint32_t tiu_begin = 0, gdma_begin = 0;  // where the subnet's commands sit in tpuc's streams
  for (size_t k = 0; k < p.sub_nets.size(); ++k) {
    const bmodel::SubNet& s = p.sub_nets[k];
    const std::string place = where + " subnet " + std::to_string(k);
    OrderedJson j{{"id", k}};
    j.update(s.mode == bmodel::SubnetMode::Tpu ? tpu_subnet(s, k, place, tiu_begin, gdma_begin)
                                               : cpu_subnet(s, k, place));
    subnets.push_back(std::move(j));
  }
  return {{"subnets", std::move(subnets)}};
}

OrderedJson Listing::tpu_subnet(const bmodel::SubNet& s, size_t index, const std::string& where,
                                uint32_t& tiu_begin, uint32_t& gdma_begin) {
  OrderedJson groups = OrderedJson::array();
  for (size_t g = 0; g < s.cmd_groups.size(); ++g) {
    const bmodel::CmdGroup& group = s.cmd_groups[g];
    const DecodedGroup d = decode_group(group, where + " group " + std::to_string(g));
    line("subnet " + std::to_string(index) + " TPU group " + std::to_string(g) + ": " +
         std::to_string(group.tiu_count) + " TIU + " + std::to_string(group.gdma_count) +
         " GDMA commands (END included)");
    const bool by_layer = sidecar_ && d.tiu.size() > 0 && !d.gdma.empty();
    const std::vector<Block> blocks =
        by_layer ? blocks_by_layer(d, sidecar_->at("layers"), tiu_begin, gdma_begin)
                 : blocks_by_stream(d);
    OrderedJson commands = OrderedJson::array();
    for (const Block& block : blocks) {
      line(block.title);
      for (const Entry& e : block.entries) {
        line("  " + text_of(d, e));
        if (!text()) commands.push_back(json_of(d, e));
      }
    }
    if (by_layer) {
      tiu_begin += uint32_t(d.tiu.size() - 1);
      gdma_begin += uint32_t(d.gdma.size() - 1);
    }
    groups.push_back({{"tiu_count", group.tiu_count},
                      {"gdma_count", group.gdma_count},
                      {"commands", std::move(commands)}});
  }
  return {{"mode", "TPU"}, {"groups", std::move(groups)}};
}

OrderedJson Listing::cpu_subnet(const bmodel::SubNet& s, size_t index, const std::string& where) {
  const std::string subnet = "subnet " + std::to_string(index) + " CPU: ";
  OrderedJson j{{"mode", "CPU"}};
  for (const bmodel::CpuParam& cpu : s.cpu_params) {
    j["op_type"] = cpu.op_type;
    if (cpu.op_type != kHostLayerOpType) {
      line(subnet + "op_type " + std::to_string(cpu.op_type) + ", a " +
           std::to_string(cpu.param.size()) + "-byte parameter block (not a tpuc host layer)");
      continue;
    }
    const HostLayer h = parse_host_layer(cpu, where);
    line(subnet + "host layer '" + h.name + "' (" + h.op + "), run by tpuc: " + h.reason);
    j["host_layer"] = {{"name", h.name}, {"op", h.op}, {"reason", h.reason}};
  }
  return j;
}

}  // namespace

std::string disassemble(const Model& m, DisasmFormat format) {
  const ModelFiles files = to_model_files(m);
  return Listing(format, "the model", &files.sidecar).print(files.bmodel);
}

std::string disassemble_file(const std::string& path, DisasmFormat format) {
  const std::string bytes = read_file(path);
  const bmodel::BmodelFile file = bmodel::parse_bmodel(bytes, path);
  const std::optional<Json> sidecar = read_sidecar(path, bytes);
  return Listing(format, path, sidecar ? &*sidecar : nullptr).print(file.model);
}

}  // namespace tpuc::bm1684x
