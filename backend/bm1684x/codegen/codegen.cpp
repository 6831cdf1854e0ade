#include "backend/bm1684x/codegen/codegen.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "backend/bm1684x/codegen/command_generator.h"
#include "backend/bm1684x/codegen/lower_node.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/text.h"
#include "ops/quant.h"

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

// The DDR operands of a lowered node: its inputs and output by parameter, its tables by name, at
// the addresses `addr` gives (value name or table name → address).
std::map<std::string, DdrBuffer> ddr_buffers(const Node& n, const Graph& g, const LoweredNode& l,
                                             const std::function<uint64_t(const std::string&, bool table)>& addr) {
  std::map<std::string, DdrBuffer> buffers;
  for (const auto& [param, index] : l.params) {
    const std::string& value = index < 0 ? n.outputs[0] : n.inputs[size_t(index)];
    buffers[param] = {addr(value, false), g.type(value).dtype};
  }
  for (const auto& [name, buffer] : l.buffers) buffers[name] = {addr(name, true), buffer.type() == Halide::Int(32) ? DType::I32 : DType::I8};
  return buffers;
}

// The tile-size solver. A node's local memory grows with its output rows per tile, so the most
// rows that fit is found by bisection (all rows first: most layers fit whole); the tiles are then
// evened out — as many tiles as that needs, each no larger than it must be — so the last tile does
// not recompute most of the one before it (tiles shift inwards). "Fits" is decided by running the
// generator on the model's allocator as it stands (`lmem`, advanced past the node on success), so
// the node's buffers fit beside what is live and in the places it will really get.
struct Lowered {
  LoweredNode lowered;
  int tile_rows;
};

Lowered lower_to_fit(const Node& n, const Graph& g, const Chip& chip, LmemAllocator& lmem) {
  const Shape& out = g.type(n.outputs.at(0)).shape;
  const int rows = out.size() >= 2 ? int(out[out.size() - 2]) : 1;
  int64_t needed = 0;
  auto lower = [&](int tile) -> std::optional<LoweredNode> {
    LoweredNode l = lower_node(n, g, tile);
    LmemAllocator trial = lmem;
    Program scratch;
    std::vector<Issued> order;
    try {
      CommandGenerator(chip, n, l, ddr_buffers(n, g, l, [](const std::string&, bool) { return uint64_t(0); }), trial).emit(scratch, order);
    } catch (const LmemOverflow& o) {
      needed = o.needed;
      return std::nullopt;
    }
    lmem = trial;
    return l;
  };
  if (std::optional<LoweredNode> whole = lower(rows)) return {*whole, rows};
  int fits = 0, fails = rows;  // invariant: `fails` rows overflow; `fits` rows fit (0: none known)
  LmemAllocator before = lmem;
  while (fails - fits > 1) {
    const int mid = fits + (fails - fits) / 2;
    (lower(mid) ? fits : fails) = mid;
    lmem = before;
  }
  if (fits == 0)
    throw LocalMemoryError("node '" + n.name + "' (" + n.op + "): needs " + std::to_string(needed) +
                           " bytes of local memory per lane even with one output row per tile; " + chip.name + " has " +
                           std::to_string(chip.lmem_bytes));
  const int tiles = (rows + fits - 1) / fits, even = (rows + tiles - 1) / tiles;
  if (std::optional<LoweredNode> l = lower(even)) return {*l, even};
  return {*lower(fits), fits};
}

}  // namespace

Model compile_model(const Graph& g, const Chip& chip, const CodegenOptions& options) {
  Model m;
  m.chip = chip.name;
  // Lower every node first: the tables its algorithm embeds belong in the weight blob. A node the
  // chip cannot run (no schedule, or one that refuses it) becomes a host layer, with the reason.
  std::vector<Lowered> lowered;
  std::vector<std::string> host_reason(g.nodes.size());
  LmemAllocator probe(chip);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    lowered.push_back({{}, 0});
    if (is_ddr_view(n.op)) continue;
    if (!has_chip_schedule(n.op)) {
      host_reason[i] = "no " + chip.name + " schedule for " + n.op;
      continue;
    }
    // No chip command takes a zero point: a layer reading or writing one stays on the host.
    auto has_zero_point = [&](const std::string& v) { return !v.empty() && ops::zero_point(g.type(v)) != 0; };
    if (std::any_of(n.inputs.begin(), n.inputs.end(), has_zero_point) || std::any_of(n.outputs.begin(), n.outputs.end(), has_zero_point)) {
      host_reason[i] = "asymmetric int8 has no " + chip.name + " form yet";
      continue;
    }
    auto is_half = [&](const std::string& v) { return !v.empty() && (g.type(v).dtype == DType::F16 || g.type(v).dtype == DType::BF16); };
    if (!chip.f16_macs_per_lane && (std::any_of(n.inputs.begin(), n.inputs.end(), is_half) || std::any_of(n.outputs.begin(), n.outputs.end(), is_half))) {
      host_reason[i] = chip.name + " has no f16/bf16 arithmetic";
      continue;
    }
    try {
      lowered.back() = lower_to_fit(n, g, chip, probe);
    } catch (const LocalMemoryError&) {
      throw;
    } catch (const Error& e) {  // the schedule refuses this form of the op
      host_reason[i] = e.what();
    }
  }

  // Weights: graph constants, then each node's tables, in node order.
  std::map<std::string, uint64_t> constant_addr;
  std::vector<std::map<std::string, uint64_t>> table_addr(g.nodes.size());
  m.weight_addr = chip.ddr_base;
  auto add_blob = [&](const uint8_t* data, size_t size) {
    const uint64_t at = m.weight_addr + align(m.weights.size(), uint64_t(chip.ddr_alignment));
    m.weights.resize(at - m.weight_addr);
    m.weights.insert(m.weights.end(), data, data + size);
    return at;
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!host_reason[i].empty()) continue;  // a host layer carries its constants in its graph
    for (const std::string& in : g.nodes[i].inputs)
      if (g.is_constant(in) && !constant_addr.count(in)) {
        const Tensor& t = g.constants.at(in);
        constant_addr[in] = add_blob(t.data.data(), t.data.size());
      }
    for (const auto& [name, buffer] : lowered[i].lowered.buffers)
      table_addr[i][name] = add_blob(static_cast<const uint8_t*>(buffer.data()), buffer.size_in_bytes());
  }

  // Activations: live from their definition to their last use; views share their source.
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

  // Emission in program order, on a fresh allocator making the probes' choices again.
  LmemAllocator lmem(chip);
  std::vector<Issued> order;
  std::vector<size_t> barriers;           // positions in `order` of the host layers
  std::vector<std::pair<size_t, size_t>> layer_span;  // each layer's commands: [begin, end) in `order`
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!host_reason[i].empty()) {
      HostLayer h{n.name, n.op, "", {}, {}, 0, 0, host_reason[i]};
      const Graph one = single_node_graph(g, n);
      h.graph = print(one);
      for (const std::string& in : one.inputs) h.inputs.push_back({in, g.type(in), addr_of(in)});
      for (const std::string& o : n.outputs) {
        value_addr[o] = ddr.place(uint64_t(g.type(o).num_bytes()));
        h.outputs.push_back({o, g.type(o), value_addr[o]});
      }
      m.host_layers.push_back(h);
      barriers.push_back(order.size());
    } else if (!is_ddr_view(n.op)) {
      value_addr[n.outputs[0]] = ddr.place(uint64_t(g.type(n.outputs[0]).num_bytes()));
      const LoweredNode& l = lowered[i].lowered;
      auto addr = [&](const std::string& name, bool table) {
        return table ? table_addr[i].at(name) : g.is_constant(name) ? constant_addr.at(name) : addr_of(name);
      };
      CommandGenerator gen(chip, n, l, ddr_buffers(n, g, l, addr), lmem);
      const size_t begin = order.size();
      gen.emit(m.program, order);
      m.layers.push_back({n.name, n.op, {n.name}, uint32_t((g.type(n.outputs[0]).shape.size() >= 2 ? (g.type(n.outputs[0]).shape.end()[-2] + lowered[i].tile_rows - 1) / lowered[i].tile_rows : 1)), {}, {}});
      layer_span.push_back({begin, order.size()});
      m.macs += gen.macs();
      if (!options.dump_dir.empty() || options.dumps) {
        std::ostringstream s;
        s << "node " << n.name << " (" << n.op << "), " << lowered[i].tile_rows << " output rows per tile\n\nlocal memory (per lane):\n";
        for (const LmemBuffer& b : gen.buffers())
          s << "  0x" << std::hex << b.addr << std::dec << "  " << b.bytes_per_lane() << " B  " << b.name << " (" << name(b.dtype)
            << ", " << b.slots << " channel slot(s) of " << b.plane << " elements)\n";
        s << "\nlowered loops:\n" << l.body << "\n";
        if (!options.dump_dir.empty()) write_file_atomic(options.dump_dir + "/" + std::to_string(i) + "-" + ops::halide_name(n.name) + ".txt", s.str());
        if (options.dumps) (*options.dumps)[n.name] = s.str();
      }
    }
    for (const std::string& in : n.inputs) {
      const std::string r = root.count(in) ? root[in] : in;
      if (!g.is_constant(r) && last_use[r] == i && value_addr.count(r)) ddr.release(value_addr[r]);
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
