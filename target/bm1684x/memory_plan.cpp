#include "target/bm1684x/memory_plan.h"

#include <algorithm>

#include "ir/align.h"
#include "schedules/bm1684x/chip_ops.h"

namespace tpuc::bm1684x {

namespace {

// First-fit placement of activations over their live ranges.
class DdrAllocator {
 public:
  DdrAllocator(uint64_t start, uint64_t alignment)
      : start_(start), alignment_(alignment), end_(start) {}
  uint64_t place(uint64_t size) {
    uint64_t at = start_;
    for (const auto& [addr, bytes] : live_) {  // ordered by address
      if (at + size <= addr) break;
      at = std::max(at, align_up(addr + bytes, alignment_));
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

// The nodes that have run once node i has: none while a group has nodes after i, else the group
// (or node i alone).
std::vector<const Node*> ran_at(const Graph& g, const Partition& p, size_t i) {
  const int layer = p.layer_of[i];
  if (layer < 0) return {&g.nodes[i]};
  const std::vector<const Node*>& nodes = p.layers[size_t(layer)].nodes;
  return nodes.back() == &g.nodes[i] ? nodes : std::vector<const Node*>{};
}

}  // namespace

WeightLayout lay_out_weights(const Graph& g, const Partition& p, const Chip& chip) {
  WeightLayout w;
  w.base = chip.ddr_base;
  w.tables.resize(p.layers.size());
  const uint64_t alignment = uint64_t(chip.ddr_alignment);
  auto add = [&](const uint8_t* data, size_t size) {
    const uint64_t at = w.base + align_up(uint64_t(w.blob.size()), alignment);
    w.blob.resize(at - w.base);
    w.blob.insert(w.blob.end(), data, data + size);
    return at;
  };
  for (size_t k = 0; k < p.layers.size(); ++k) {
    for (const Node* n : p.layers[k].nodes)
      for (const std::string& in : n->inputs)
        if (g.is_constant(in) && !w.constants.count(in)) {
          const Tensor& t = g.constants.at(in);
          w.constants[in] = add(t.data.data(), t.data.size());
        }
    for (const auto& [name, buffer] : p.layers[k].lowered.buffers) {
      const auto* data = static_cast<const uint8_t*>(buffer.data());
      w.tables[k][name] = add(data, buffer.size_in_bytes());
    }
  }
  return w;
}

uint64_t DdrPlan::of(const std::string& value) const {
  auto r = root.find(value);
  return addr.at(r == root.end() ? value : r->second);
}

DdrPlan plan_ddr(const Graph& g, const Partition& p, const Chip& chip, uint64_t weights_end) {
  DdrPlan plan;
  auto owner = [&](const std::string& v) {
    auto r = plan.root.find(v);
    return r == plan.root.end() ? v : r->second;
  };
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (is_ddr_view(n.op)) plan.root[n.outputs[0]] = owner(n.inputs[0]);
    for (const std::string& in : n.inputs) last_use[owner(in)] = i;
  }
  for (const std::string& o : g.outputs) last_use[owner(o)] = g.nodes.size();
  const uint64_t alignment = uint64_t(chip.ddr_alignment);
  DdrAllocator ddr(align_up(weights_end, alignment), alignment);
  auto place = [&](const std::string& v) {
    plan.addr[v] = ddr.place(uint64_t(g.type(v).num_bytes()));
  };
  for (const std::string& in : g.inputs) place(in);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const int layer = p.layer_of[i];
    if (!p.host[i].empty()) {
      for (const std::string& o : n.outputs) place(o);
    } else if (layer >= 0 && p.layers[size_t(layer)].nodes.front() == &n) {
      place(p.layers[size_t(layer)].nodes.back()->outputs[0]);
    }
    // A layer's inputs stay live until its last node has run.
    for (const Node* r : ran_at(g, p, i))
      for (const std::string& in : r->inputs) {
        const std::string v = owner(in);
        if (!g.is_constant(v) && last_use[v] <= i && plan.addr.count(v)) ddr.release(plan.addr[v]);
      }
  }
  plan.end = ddr.end();
  return plan;
}

}  // namespace tpuc::bm1684x
