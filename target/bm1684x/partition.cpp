#include "target/bm1684x/partition.h"

#include <algorithm>

#include "schedules/bm1684x/chip_ops.h"
#include "target/bm1684x/layer_groups.h"

namespace tpuc::bm1684x {

namespace {

// Why the chip cannot run node `n` ("" when it may), before any lowering.
std::string host_reason(const Node& n, const Graph& g, const Chip& chip) {
  if (!has_chip_schedule(n.op)) return "no " + chip.name + " schedule for " + n.op;
  // The window commands (CONV, POOL) slide over H and W: a 3-D window (NCDHW) stays on the host.
  const size_t rank = g.type(n.inputs[0]).shape.size();
  if ((n.op == "Conv" || n.op == "MaxPool") && rank != 4)
    return "a " + std::to_string(rank - 2) + "-D window has no " + chip.name + " schedule";
  auto any_value = [&](auto pred) {
    return std::any_of(n.inputs.begin(), n.inputs.end(), pred) ||
           std::any_of(n.outputs.begin(), n.outputs.end(), pred);
  };
  auto half = [&](const std::string& v) {
    return !v.empty() && (g.type(v).dtype == DType::F16 || g.type(v).dtype == DType::BF16);
  };
  if (!chip.f16_macs_per_lane && any_value(half)) return chip.name + " has no f16/bf16 arithmetic";
  return "";
}

class Lowering {
 public:
  Lowering(const Graph& g, const Chip& chip, Partition& p)
      : g_(g), chip_(chip), p_(p), lmem_(chip) {}

  // A planned group as one layer; when it does not lower whole (a refusal, or an estimate that
  // did not fit after all), its nodes one by one.
  void lower(const LayerGroupPlan& plan) {
    if (plan.nodes.size() > 1) {
      const LmemAllocator before = lmem_;
      try {
        add(plan.nodes, plan.tile_rows);
        return;
      } catch (const Unsupported&) {
        lmem_ = before;
      } catch (const LocalMemoryError&) {
        lmem_ = before;
      }
    }
    // A node the chip cannot run, or whose schedule has no tile that fits local memory (a Gemm's
    // whole B at once, for now), runs on the host, its reason reported.
    for (size_t i : plan.nodes) {
      try {
        add({i}, 0);
      } catch (const Unsupported& e) {
        p_.host[i] = e.what();
      } catch (const LocalMemoryError& e) {
        p_.host[i] = e.what();
      }
    }
  }

 private:
  void add(const std::vector<size_t>& members, int tile_rows) {
    std::vector<const Node*> nodes;
    for (size_t i : members) nodes.push_back(&g_.nodes[i]);
    p_.layers.push_back(lower_to_fit(nodes, g_, chip_, lmem_, tile_rows));
    for (size_t i : members) p_.layer_of[i] = int(p_.layers.size() - 1);
  }

  const Graph& g_;
  const Chip& chip_;
  Partition& p_;
  LmemAllocator lmem_;  // the buffers as the layers will have them: each lowers beside the last
};

}  // namespace

Partition partition(const Graph& g, const Chip& chip, bool layer_groups) {
  Partition p;
  p.host.resize(g.nodes.size());
  p.layer_of.assign(g.nodes.size(), -1);
  std::vector<bool> on_chip(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (is_ddr_view(g.nodes[i].op)) continue;
    p.host[i] = host_reason(g.nodes[i], g, chip);
    on_chip[i] = p.host[i].empty();
  }
  const std::vector<LayerGroupPlan> plans =
      layer_groups ? find_layer_groups(g, on_chip, chip) : singleton_groups(on_chip);
  Lowering lowering(g, chip, p);
  for (const LayerGroupPlan& plan : plans) lowering.lower(plan);
  return p;
}

}  // namespace tpuc::bm1684x
