#include "target/bm1684x/codegen.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "target/bm1684x/command_generator.h"
#include "target/bm1684x/layer_groups.h"
#include "target/bm1684x/lower_group.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/text.h"

namespace tpuc::bm1684x {

namespace {

uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// First-fit DDR placement of activations over their live ranges.
class DdrPlanner {
 public:
  DdrPlanner(uint64_t start, uint64_t alignment) : start_(start), alignment_(alignment), end_(start) {}
  uint64_t place(uint64_t size) {
    uint64_t at = start_;
    for (const auto& [addr, bytes] : live_) {  // ordered by address
      if (at + size <= addr) break;
      at = std::max(at, align(addr + bytes, alignment_));
    }
    live_[at] = size;
    end_ = std::max(end_, at + size);
    return at;
  }
  void release(uint64_t addr) { live_.erase(addr); }
  uint64_t end() const { return end_; }

 private:
  uint64_t start_, alignment_, end_;
  std::map<uint64_t, uint64_t> live_;
};

// A layer too large for local memory even one output row at a time: an error, not a host layer.
struct LocalMemoryError : Error {
  using Error::Error;
};

// The DDR operands of a lowered group: its inputs and output by parameter, its tables by name, at
// the addresses `addr` gives (value name or table name → address).
std::map<std::string, DdrBuffer> ddr_buffers(const Graph& g, const LoweredGroup& l,
                                             const std::function<uint64_t(const std::string&, bool table)>& addr) {
  std::map<std::string, DdrBuffer> buffers;
  for (const auto& [param, value] : l.params) buffers[param] = {addr(value, false), g.type(value).dtype};
  for (const auto& [name, buffer] : l.buffers) buffers[name] = {addr(name, true), buffer.type() == Halide::Int(32) ? DType::I32 : DType::I8};
  return buffers;
}

struct Lowered {
  std::vector<const Node*> nodes;
  LoweredGroup lowered;
  int tile_rows = 0, tiles = 1;
};

// The tile-size solver. A group's local memory grows with its output rows per tile, so the most
// rows that fit is found by bisection (all rows first: most layers fit whole); the tiles are then
// evened out — as many tiles as that needs, each no larger than it must be — so the last tile does
// not recompute most of the one before it (tiles shift inwards). "Fits" is decided by running the
// generator on the model's allocator as it stands (`lmem`, advanced past the group on success),
// so the buffers fit beside what is live and in the places they will really get. The search
// starts at `start` rows when the group search estimated them (each try is a Halide lowering).
Lowered lower_to_fit(const std::vector<const Node*>& nodes, const Graph& g, const Chip& chip, LmemAllocator& lmem, int start) {
  const Node& last = *nodes.back();
  const Shape& out = g.type(last.outputs.at(0)).shape;
  const int rows = out.size() >= 2 ? int(out[out.size() - 2]) : 1;
  int64_t needed = 0;
  auto lower = [&](int tile) -> std::optional<Lowered> {
    LoweredGroup l = lower_group(nodes, g, tile);
    LmemAllocator trial = lmem;
    Program scratch;
    std::vector<Issued> order;
    try {
      CommandGenerator(chip, last, l, ddr_buffers(g, l, [](const std::string&, bool) { return uint64_t(0); }), trial).emit(scratch, order);
    } catch (const LmemOverflow& o) {
      needed = o.needed;
      return std::nullopt;
    }
    lmem = trial;
    return Lowered{nodes, l, tile, (rows + tile - 1) / tile};
  };
  const int first = start > 0 ? std::min(start, rows) : rows;
  if (std::optional<Lowered> l = lower(first)) return *l;
  int fits = 0, fails = first;  // invariant: `fails` rows overflow; `fits` rows fit (0: none known)
  const LmemAllocator before = lmem;
  while (fails - fits > 1) {
    const int mid = fits + (fails - fits) / 2;
    (lower(mid) ? fits : fails) = mid;
    lmem = before;
  }
  if (fits == 0)
    throw LocalMemoryError("node '" + last.name + "' (" + last.op + "): needs " + std::to_string(needed) +
                           " bytes of local memory per lane even with one output row per tile; " + chip.name + " has " +
                           std::to_string(chip.lmem_bytes));
  const int tiles = (rows + fits - 1) / fits, even = (rows + tiles - 1) / tiles;
  if (std::optional<Lowered> l = lower(even)) return *l;
  return *lower(fits);
}

// Why the chip cannot run node `n` ("" when it may), before any lowering.
std::string host_reason(const Node& n, const Graph& g, const Chip& chip) {
  if (!has_chip_schedule(n.op)) return "no " + chip.name + " schedule for " + n.op;
  auto any_value = [&](auto pred) {
    return std::any_of(n.inputs.begin(), n.inputs.end(), pred) || std::any_of(n.outputs.begin(), n.outputs.end(), pred);
  };
  // No chip command takes a zero point: a layer reading or writing one stays on the host.
  if (any_value([&](const std::string& v) { return !v.empty() && zero_point(g.type(v)) != 0; }))
    return "asymmetric int8 has no " + chip.name + " form yet";
  if (!chip.f16_macs_per_lane && any_value([&](const std::string& v) { return !v.empty() && (g.type(v).dtype == DType::F16 || g.type(v).dtype == DType::BF16); }))
    return chip.name + " has no f16/bf16 arithmetic";
  return "";
}

std::string group_ops(const std::vector<const Node*>& nodes) {
  std::string ops;
  for (const Node* n : nodes) ops += (ops.empty() ? "" : "+") + n->op;
  return ops;
}

}  // namespace

Model compile_model(const Graph& graph, const Chip& chip, const CodegenOptions& options) {
  Graph g = graph;
  if (options.layer_groups) g.nodes = locality_order(graph);
  Model m;
  m.chip = chip.name;
  // Which nodes may run on the chip, and in which layer groups; then every group lowered (its
  // tables belong in the weight blob). A group that does not lower whole runs node by node; a
  // node the chip cannot run (no schedule, or one that refuses it) becomes a host layer.
  std::vector<std::string> host(g.nodes.size());
  std::vector<bool> on_chip(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!is_ddr_view(g.nodes[i].op)) on_chip[i] = (host[i] = host_reason(g.nodes[i], g, chip)).empty();
  std::vector<Lowered> groups;
  std::vector<int> group_of(g.nodes.size(), -1);  // the group a node runs in (its last node's index in `groups`)
  LmemAllocator probe(chip);
  auto lower = [&](const std::vector<size_t>& members, int tile_rows) {
    std::vector<const Node*> nodes;
    for (size_t i : members) nodes.push_back(&g.nodes[i]);
    groups.push_back(lower_to_fit(nodes, g, chip, probe, tile_rows));
    for (size_t i : members) group_of[i] = int(groups.size() - 1);
  };
  for (const LayerGroupPlan& plan : options.layer_groups ? find_layer_groups(g, on_chip, chip) : singleton_groups(on_chip)) {
    const std::vector<size_t>& members = plan.nodes;
    if (members.size() > 1) {
      const LmemAllocator before = probe;
      try {
        lower(members, plan.tile_rows);
        continue;
      } catch (const Error&) {  // not as one pipeline: node by node below
        probe = before;
      }
    }
    for (size_t i : members) try {
        lower({i}, 0);
      } catch (const LocalMemoryError&) {
        throw;
      } catch (const Error& e) {  // the schedule refuses this form of the op
        host[i] = e.what();
      }
  }

  // Weights: graph constants, then each group's tables, in graph order.
  std::map<std::string, uint64_t> constant_addr;
  std::vector<std::map<std::string, uint64_t>> table_addr(groups.size());
  m.weight_addr = chip.ddr_base;
  auto add_blob = [&](const uint8_t* data, size_t size) {
    const uint64_t at = m.weight_addr + align(m.weights.size(), uint64_t(chip.ddr_alignment));
    m.weights.resize(at - m.weight_addr);
    m.weights.insert(m.weights.end(), data, data + size);
    return at;
  };
  for (size_t k = 0; k < groups.size(); ++k) {
    for (const Node* n : groups[k].nodes)
      for (const std::string& in : n->inputs)
        if (g.is_constant(in) && !constant_addr.count(in)) {
          const Tensor& t = g.constants.at(in);
          constant_addr[in] = add_blob(t.data.data(), t.data.size());
        }
    for (const auto& [name, buffer] : groups[k].lowered.buffers)
      table_addr[k][name] = add_blob(static_cast<const uint8_t*>(buffer.data()), buffer.size_in_bytes());
  }

  // Activations in DDR (not those a group keeps in local memory): live from their definition to
  // their last use; views share their source.
  std::map<std::string, std::string> root;  // value → the value owning its bytes
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (is_ddr_view(n.op)) root[n.outputs[0]] = root.count(n.inputs[0]) ? root[n.inputs[0]] : n.inputs[0];
    for (const std::string& in : n.inputs) last_use[root.count(in) ? root[in] : in] = i;
  }
  for (const std::string& o : g.outputs) last_use[root.count(o) ? root[o] : o] = g.nodes.size();
  DdrPlanner ddr(align(m.weight_addr + m.weights.size(), uint64_t(chip.ddr_alignment)), uint64_t(chip.ddr_alignment));
  std::map<std::string, uint64_t> value_addr;
  for (const std::string& in : g.inputs) value_addr[in] = ddr.place(uint64_t(g.type(in).num_bytes()));
  auto addr_of = [&](const std::string& v) { return value_addr.at(root.count(v) ? root.at(v) : v); };

  // Emission in graph order (a group at its first node), on a fresh allocator making the probes'
  // choices again.
  LmemAllocator lmem(chip);
  std::vector<Issued> order;
  std::vector<size_t> barriers;                       // positions in `order` of the host layers
  std::vector<std::pair<size_t, size_t>> layer_span;  // each layer's commands: [begin, end) in `order`
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!host[i].empty()) {
      HostLayer h{n.name, n.op, "", {}, {}, 0, 0, host[i]};
      const Graph one = single_node_graph(g, n);
      h.graph = print(one);
      for (const std::string& in : one.inputs) h.inputs.push_back({in, g.type(in), addr_of(in)});
      for (const std::string& o : n.outputs) {
        value_addr[o] = ddr.place(uint64_t(g.type(o).num_bytes()));
        h.outputs.push_back({o, g.type(o), value_addr[o]});
      }
      m.host_layers.push_back(h);
      barriers.push_back(order.size());
    } else if (group_of[i] >= 0 && groups[size_t(group_of[i])].nodes.front() == &n) {
      const size_t k = size_t(group_of[i]);
      const Lowered& grp = groups[k];
      const Node& last = *grp.nodes.back();
      value_addr[last.outputs[0]] = ddr.place(uint64_t(g.type(last.outputs[0]).num_bytes()));
      auto addr = [&](const std::string& name, bool table) {
        return table ? table_addr[k].at(name) : g.is_constant(name) ? constant_addr.at(name) : addr_of(name);
      };
      CommandGenerator gen(chip, last, grp.lowered, ddr_buffers(g, grp.lowered, addr), lmem);
      const size_t begin = order.size();
      gen.emit(m.program, order);
      LayerInfo layer{last.name, group_ops(grp.nodes), {}, uint32_t(grp.tiles), {}, {}};
      for (const Node* member : grp.nodes) layer.nodes.push_back(member->name);
      m.layers.push_back(layer);
      layer_span.push_back({begin, order.size()});
      m.macs += gen.macs();
      if (!options.dump_dir.empty() || options.dumps) {
        std::ostringstream s;
        s << (grp.nodes.size() > 1 ? "layer group " + group_ops(grp.nodes) + " ending at " : "node ") << last.name << " (" << last.op << "), "
          << grp.tile_rows << " output rows per tile, " << grp.tiles << " tile(s)\n\nlocal memory (per lane):\n";
        for (const LmemBuffer& b : gen.buffers())
          s << "  0x" << std::hex << b.addr << std::dec << "  " << b.bytes_per_lane() << " B  " << b.name << " (" << name(b.dtype)
            << ", " << b.slots << " channel slot(s) of " << b.plane << " elements)\n";
        for (const auto& [view, source] : gen.padded_views()) s << "  (view)  " << view << ": " << source << " padded, read through the window command's padding\n";
        s << "\nlowered loops:\n" << grp.lowered.body << "\n";
        if (!options.dump_dir.empty()) write_file_atomic(options.dump_dir + "/" + std::to_string(i) + "-" + ops::halide_name(last.name) + ".txt", s.str());
        if (options.dumps)
          for (const Node* member : grp.nodes) (*options.dumps)[member->name] = s.str();
      }
    }
    const bool group_done = group_of[i] < 0 || groups[size_t(group_of[i])].nodes.back() == &n;
    if (!group_done) continue;  // a group's inputs stay live until its last node has run
    const std::vector<const Node*> ran = group_of[i] < 0 ? std::vector<const Node*>{&n} : groups[size_t(group_of[i])].nodes;
    for (const Node* r : ran)
      for (const std::string& in : r->inputs) {
        const std::string v = root.count(in) ? root[in] : in;
        if (!g.is_constant(v) && last_use[v] <= i && value_addr.count(v)) ddr.release(value_addr[v]);
      }
  }
  for (HostLayer& h : m.host_layers) {  // where each sits in the streams: after the commands before it
    const size_t at = barriers[size_t(&h - m.host_layers.data())];
    for (size_t k = 0; k < at; ++k) (order[k].tiu ? h.tiu_at : h.gdma_at)++;
  }
  const std::vector<uint32_t> old_gdma = schedule_streams(chip, m.program, order, barriers);
  std::vector<uint32_t> new_gdma(old_gdma.size());
  for (uint32_t k = 0; k < old_gdma.size(); ++k) new_gdma[old_gdma[k]] = k;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    for (size_t k = layer_span[l].first; k < layer_span[l].second; ++k)
      order[k].tiu ? m.layers[l].tiu.push_back(order[k].index) : m.layers[l].gdma.push_back(new_gdma[order[k].index]);
    std::sort(m.layers[l].gdma.begin(), m.layers[l].gdma.end());
  }
  TiuCommand tiu_end;
  tiu_end.id = uint32_t(m.program.tiu.size() + 1);
  tiu_end.dep = uint32_t(m.program.gdma.size());  // the model ends when both engines are done
  m.program.tiu.push_back(tiu_end);
  GdmaCommand gdma_end;
  gdma_end.id = uint32_t(m.program.gdma.size() + 1);
  gdma_end.dep = uint32_t(m.program.tiu.size() - 1);
  m.program.gdma.push_back(gdma_end);

  for (const std::string& in : g.inputs) m.inputs.push_back({in, g.type(in), value_addr.at(in)});
  for (const std::string& out : g.outputs) m.outputs.push_back({out, g.type(out), addr_of(out)});
  m.ddr_bytes = ddr.end() - chip.ddr_base;
  return m;
}

}  // namespace tpuc::bm1684x
