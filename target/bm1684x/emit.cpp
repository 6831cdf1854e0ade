#include "target/bm1684x/emit.h"

#include <sstream>

#include "ir/files.h"
#include "ir/text.h"
#include "target/bm1684x/command_generator.h"

namespace tpuc::bm1684x {

namespace {

std::string joined_ops(const std::vector<const Node*>& nodes) {
  std::string ops;
  for (const Node* n : nodes) ops += (ops.empty() ? "" : "+") + n->op;
  return ops;
}

HostLayer host_layer(const Graph& g, const Node& n, const std::string& reason, const DdrPlan& ddr) {
  HostLayer h{n.name, n.op, "", {}, {}, 0, 0, reason};
  const Graph one = single_node_graph(g, n);
  h.graph = print(one);
  for (const std::string& in : one.inputs) h.inputs.push_back({in, g.type(in), ddr.of(in)});
  for (const std::string& o : n.outputs) h.outputs.push_back({o, g.type(o), ddr.of(o)});
  return h;
}

// The readable account of a layer: its tile, its local memory map, its lowered loops.
std::string layer_dump(const ChipLayer& layer, const CommandGenerator& gen) {
  const Node& last = *layer.nodes.back();
  std::ostringstream s;
  if (layer.nodes.size() > 1) {
    s << "layer group " << joined_ops(layer.nodes) << " ending at ";
  } else {
    s << "node ";
  }
  s << last.name << " (" << last.op << "), " << layer.tile_rows << " output rows per tile, "
    << layer.tiles << " tile(s)\n\n"
    << "local memory (per lane):\n";
  for (const LmemBuffer& b : gen.buffers())
    s << "  0x" << std::hex << b.addr << std::dec << "  " << b.bytes_per_lane() << " B  " << b.name
      << " (" << name(b.dtype) << ", " << b.slots << " channel slot(s) of " << b.plane
      << " elements)\n";
  for (const auto& [view, source] : gen.padded_views())
    s << "  (view)  " << view << ": " << source
      << " padded, read through the window command's padding\n";
  s << "\nlowered loops:\n" << layer.lowered.body << "\n";
  return s.str();
}

void write_dumps(const ChipLayer& layer, const CommandGenerator& gen, size_t position,
                 const CodegenOptions& options) {
  if (options.dump_dir.empty() && !options.dumps) return;
  const std::string text = layer_dump(layer, gen);
  const Node& last = *layer.nodes.back();
  if (!options.dump_dir.empty())
    write_file_atomic(options.dump_dir + "/" + std::to_string(position) + "-" +
                          ops::halide_name(last.name) + ".txt",
                      text);
  if (options.dumps)
    for (const Node* member : layer.nodes) (*options.dumps)[member->name] = text;
}

}  // namespace

Emission emit(const Graph& g, const Partition& p, const WeightLayout& weights, const DdrPlan& ddr,
              const Chip& chip, const CodegenOptions& options, Model& m) {
  Emission e;
  LmemAllocator lmem(chip);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const int k = p.layer_of[i];
    if (!p.host[i].empty()) {
      m.host_layers.push_back(host_layer(g, n, p.host[i], ddr));
      e.barriers.push_back(e.order.size());
      continue;
    }
    if (k < 0 || p.layers[size_t(k)].nodes.front() != &n) continue;
    const ChipLayer& layer = p.layers[size_t(k)];
    const Node& last = *layer.nodes.back();
    auto addr = [&](const std::string& name, bool table) {
      if (table) return weights.tables[size_t(k)].at(name);
      return g.is_constant(name) ? weights.constants.at(name) : ddr.of(name);
    };
    CommandGenerator gen(chip, last, layer.lowered, ddr_buffers(g, layer.lowered, addr), lmem);
    const size_t begin = e.order.size();
    gen.emit(m.program, e.order);
    LayerInfo info{last.name, joined_ops(layer.nodes), {}, uint32_t(layer.tiles), {}, {}};
    for (const Node* member : layer.nodes) info.nodes.push_back(member->name);
    m.layers.push_back(info);
    e.layer_span.push_back({begin, e.order.size()});
    m.macs += gen.macs();
    write_dumps(layer, gen, i, options);
  }
  // Where each host layer sits in the streams: after the commands before it.
  for (size_t h = 0; h < m.host_layers.size(); ++h)
    for (size_t k = 0; k < e.barriers[h]; ++k) {
      if (e.order[k].tiu) {
        m.host_layers[h].tiu_at++;
      } else {
        m.host_layers[h].gdma_at++;
      }
    }
  return e;
}

}  // namespace tpuc::bm1684x
