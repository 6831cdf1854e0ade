#include "target/bm1684x/layer_groups.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "chip/bm1684x/sim/cycle_model.h"
#include "ir/align.h"
#include "ops/attrs.h"
#include "ops/conv_geometry.h"
#include "schedules/bm1684x/chip_schedule.h"

namespace tpuc::bm1684x {

namespace {

// Halide's lowering time grows quickly with a pipeline's stages (bounds through every producer):
// a group holds at most this many nodes.
constexpr size_t kMaxGroupNodes = 12;

// One node as the estimates see it: NCHW geometry (a tensor of another rank is one row) and, per
// output row, its local buffers (bytes per lane) and TIU cycles.
struct NodeModel {
  bool groupable = false, rows = false;
  int64_t out_rows = 1, in_rows = 1;  // of its output and of its (first) input
  int64_t stride = 1, span = 1;       // input rows for r output rows: (r - 1) · stride + span
  bool padded = false;  // padding wider than a window command takes: copied in, borders filled
  int copies = 0;  // GDMA copies of each input per tile (a Concat's 1, a StackRows' kernel rows)
  int64_t result_row = 0, scratch_row = 0, pad_row = 0, input_row = 0;
  int64_t resident = 0;     // weights and tables, held for the whole group
  uint64_t weight_ddr = 0;  // their bytes in DDR
  uint64_t out_ddr_row = 0, in_ddr_row = 0;
  double tiu_row = 0;    // TIU cycles per output row, issue costs apart
  int tiu_commands = 1;  // per tile

  int64_t rows_needed(int64_t out) const { return std::min(in_rows, (out - 1) * stride + span); }
};

struct Dims {
  int64_t n = 1, c = 1, h = 1, w = 1;
};
Dims dims(const Shape& s) {
  if (s.size() == 4) return {s[0], s[1], s[2], s[3]};
  Dims d;
  d.w = 1;
  for (int64_t e : s) d.w *= e;
  return d;
}

class Models {
 public:
  Models(const Graph& g, const Chip& chip) : g_(g), chip_(chip) {}

  NodeModel model(const Node& n) const {
    NodeModel m;
    const Grouping grouping = chip_grouping(n.op);
    m.groupable = grouping != Grouping::Alone && !ops::FusedActivation::of(n).leaky_alpha;
    const TensorType& out = g_.type(n.outputs[0]);
    const TensorType& in = g_.type(n.inputs[0]);
    const Dims o = dims(out.shape), x = dims(in.shape);
    m.rows = out.shape.size() == 4 && in.shape.size() == 4 && grouping != Grouping::WholeInput &&
             !(n.op == "Concat" && n.i("axis", 0) % 4 == 2);
    m.out_rows = o.h;
    m.in_rows = x.h;
    const int64_t oslots = ceil_div<int64_t>(o.c, chip_.lanes),
                  islots = ceil_div<int64_t>(x.c, chip_.lanes);
    m.result_row = oslots * plane(o.n * o.w, out.dtype);
    m.out_ddr_row = uint64_t(o.n * o.c * o.w * bytes(out.dtype));
    m.in_ddr_row = uint64_t(x.n * x.c * x.w * bytes(in.dtype));
    const DType acc = in.dtype == DType::I8 ? DType::I32 : DType::F32;
    auto tables = [&](int64_t count) { return count * oslots * plane(1, DType::I32); };
    if (n.op == "Conv" || n.op == "MaxPool") {
      const bool conv = n.op == "Conv";
      const std::vector<int64_t> kernel =
          conv ? std::vector<int64_t>{g_.type(n.inputs[1]).shape[2], g_.type(n.inputs[1]).shape[3]}
               : n.ints("kernel_shape");
      const ops::ConvGeometry geo =
          ops::conv_geometry(n, in.shape, kernel, !conv && n.i("ceil_mode", 0));
      const int64_t kernel_h = kernel[0], kernel_w = kernel[1];
      m.stride = geo.strides[0];
      m.span = (kernel_h - 1) * geo.dilations[0] + 1;
      m.padded = *std::max_element(geo.pads.begin(), geo.pads.end()) > kMaxPad;
      m.pad_row = islots * plane(x.n * (x.w + geo.pads[1] + geo.pads[3]), in.dtype);
      m.input_row = islots * plane(x.n * x.w, in.dtype);
      const bool depthwise = conv && geo.group > 1;
      TiuCommand c;
      c.op = !conv ? TiuOp::Pool : depthwise ? TiuOp::Depthwise : TiuOp::Conv;
      c.kh = uint16_t(kernel_h);
      c.kw = uint16_t(kernel_w);
      c.opd0 = {Space::Local, in.dtype, 0, 0, uint32_t(x.n), uint32_t(depthwise ? 1 : x.c), 1, 1};
      c.res = {Space::Local, out.dtype, 0, 0, uint32_t(o.n), uint32_t(o.c), 1, uint32_t(o.w)};
      m.tiu_row = row_cycles(c);
      if (conv) {
        m.scratch_row = oslots * plane(o.n * o.w, acc);
        const TensorType& w = g_.type(n.inputs[1]);
        m.resident = oslots * plane(w.shape[1] * kernel_h * kernel_w, w.dtype) + tables(3);
        m.weight_ddr = uint64_t(w.num_bytes()) + uint64_t(3 * o.c * 4);
        m.tiu_row += elementwise_row(o, acc);
        m.tiu_commands = 2;
      }
    } else if (n.op == "GlobalAveragePool") {
      m.input_row = islots * plane(x.n * x.h * x.w, in.dtype);  // the whole input
      m.scratch_row = oslots * plane(o.n, acc);
      m.resident = tables(2);
      m.tiu_row = double(islots * x.n * x.h * x.w) / double(chip_.eu_bytes / bytes(in.dtype)) +
                  elementwise_row(o, acc);
      m.tiu_commands = 2;
    } else if (n.op == "Concat" || n.op == "StackRows") {
      const int64_t kernel_rows = n.i("kernel_rows", 1);
      m.copies = int(kernel_rows);
      m.span = (kernel_rows - 1) * n.i("dilation", 1) + 1;
      m.tiu_commands = 0;
    } else {  // elementwise: its inputs from DDR as they are
      m.input_row = islots * plane(x.n * x.w, in.dtype);
      const bool lut = n.op == "Lut";
      m.tiu_row = elementwise_row(o, in.dtype, lut ? TiuOp::Lut : TiuOp::Arith);
      if (lut) m.resident = plane(256, DType::I8);
    }
    return m;
  }

  // Bytes per lane of `elements` in one channel slot (aligned to the EU width).
  int64_t plane(int64_t elements, DType t) const {
    const int64_t eu = std::max(1, chip_.eu_bytes / bytes(t));
    return ceil_div<int64_t>(elements, eu) * eu * bytes(t);
  }
  // TIU cycles of command `c` on one row, its issue cost aside: the cycle model's, with the result
  // in a bank of its own, as the allocator places a large buffer.
  double row_cycles(TiuCommand c) const {
    c.res.addr = uint64_t(chip_.lmem_bytes / 2);
    return double(tiu_cost(chip_, c).cycles - uint64_t(chip_.tiu_issue_cycles));
  }
  // TIU cycles of an elementwise command (ARITH, or a LUT's gather) on one output row.
  double elementwise_row(const Dims& o, DType t, TiuOp op = TiuOp::Arith) const {
    TiuCommand c;
    c.op = op;
    c.opd0 = {Space::Local, t, 0, 0, uint32_t(o.n), uint32_t(o.c), 1, uint32_t(o.w)};
    c.res = c.opd0;
    return row_cycles(c);
  }
  // GDMA cycles of `commands` commands moving `bytes` in all.
  uint64_t gdma_cycles(uint64_t bytes, int commands) const {
    GdmaCommand all, empty;
    all.op = empty.op = GdmaOp::Tensor;
    all.dst = {Space::Global, DType::I8, 0, 0, 1, 1, 1, uint32_t(bytes), 0, 0, 0, 1};  // one run
    return gdma_cost(chip_, all).cycles +
           uint64_t(std::max(0, commands - 1)) * gdma_cost(chip_, empty).cycles;
  }

 private:
  const Graph& g_;
  const Chip& chip_;
};

// Group i..j (node indices into `nodes`, all on the chip): its estimated cycles, or infinity.
struct Candidate {
  const Graph& g;
  const Chip& chip;
  const Models& models;
  const std::vector<NodeModel>& m;
  const std::vector<size_t>& nodes;  // chip nodes of one run, graph indices

  struct Estimate {
    double cycles = kNever;
    int64_t tile_rows = 0;
  };
  Estimate cost(size_t i, size_t j) const {
    const size_t count = j - i + 1;
    // Inside the group: which earlier member feeds each input (-1: read from DDR).
    std::vector<std::vector<int>> feeds(count);
    std::map<std::string, int> defined;
    for (size_t k = 0; k < count; ++k) {
      const Node& n = g.nodes[nodes[i + k]];
      if (count > 1 && !m[i + k].groupable) return {};
      for (const std::string& v : n.inputs) {
        feeds[k].push_back(defined.count(v) ? defined.at(v) : -1);
        // An operand broadcast across the lanes is copied from DDR into every lane; a member's
        // result lives in its own lanes only.
        if (feeds[k].back() >= 0 &&
            broadcast_across_lanes(g.type(v).shape, g.type(n.outputs[0]).shape))
          return {};
      }
      defined[n.outputs[0]] = int(k);
    }
    // Only the last member's result may be read outside the group.
    for (size_t k = 0; k + 1 < count; ++k) {
      const std::string& v = g.nodes[nodes[i + k]].outputs[0];
      if (std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end()) return {};
      for (const Node* c : g.consumers(v)) {
        const size_t at = size_t(c - g.nodes.data());
        if (at < nodes[i] || at > nodes[j]) return {};
      }
    }
    const bool tiled = std::all_of(m.begin() + long(i), m.begin() + long(j) + 1,
                                   [](const NodeModel& x) { return x.rows; });
    const int64_t rows = m[j].out_rows;
    // The most rows per tile that fit, by bisection on the estimate (all rows first).
    auto fits = [&](int64_t t) { return peak(i, j, feeds, t) <= chip.lmem_bytes; };
    int64_t tile = rows;
    if (!fits(rows)) {
      int64_t lo = 0, hi = rows;
      while (tiled && hi - lo > 1) (fits((lo + hi) / 2) ? lo : hi) = (lo + hi) / 2;
      // A node alone is always a candidate: its own schedule finds its tiles (or why it cannot
      // run).
      if (lo == 0) return count == 1 ? Estimate{time(i, j, feeds, 1), 0} : Estimate{};
      tile = lo;
    }
    return {time(i, j, feeds, tile), tile};
  }

  static constexpr double kNever = std::numeric_limits<double>::infinity();

 private:
  // Output rows each member computes per tile of `t` rows of the last one (its consumers' needs).
  std::vector<int64_t> rows_per_tile(size_t i, size_t j, const std::vector<std::vector<int>>& feeds,
                                     int64_t t) const {
    std::vector<int64_t> r(j - i + 1, 0);
    r.back() = t;
    for (size_t k = r.size(); k-- > 0;)
      for (size_t x = 0; x < feeds[k].size(); ++x)
        if (feeds[k][x] >= 0) {
          const NodeModel& c = m[i + k];
          const int64_t need = x == 0 ? c.rows_needed(r[k]) : r[k];
          r[size_t(feeds[k][x])] =
              std::max(r[size_t(feeds[k][x])], std::min(need, m[i + size_t(feeds[k][x])].out_rows));
        }
    return r;
  }

  // Local memory at the busiest point: everything resident, each member's own buffers, and the
  // results of earlier members still to be read.
  int64_t peak(size_t i, size_t j, const std::vector<std::vector<int>>& feeds, int64_t t) const {
    const std::vector<int64_t> r = rows_per_tile(i, j, feeds, t);
    int64_t resident = 0, busiest = 0;
    std::vector<size_t> last_read(r.size(), 0);
    for (size_t k = 0; k < r.size(); ++k) {
      resident += m[i + k].resident;
      for (int f : feeds[k])
        if (f >= 0) last_read[size_t(f)] = k;
    }
    for (size_t k = 0; k < r.size(); ++k) {
      const NodeModel& n = m[i + k];
      int64_t live = n.result_row * r[k] + n.scratch_row * r[k];
      if (n.padded || feeds[k][0] < 0)
        live += (n.padded ? n.pad_row : n.input_row) * n.rows_needed(r[k]);
      for (size_t x = 1; x < feeds[k].size(); ++x)
        if (feeds[k][x] < 0 && !g.is_constant(g.nodes[nodes[i + k]].inputs[x]))
          live += n.input_row * r[k];
      for (size_t p = 0; p < k; ++p)
        if (last_read[p] >= k) live += m[i + p].result_row * r[p];
      busiest = std::max(busiest, live);
    }
    return resident + busiest;
  }

  // max(TIU, GDMA) over the group's tiles.
  double time(size_t i, size_t j, const std::vector<std::vector<int>>& feeds, int64_t t) const {
    const std::vector<int64_t> r = rows_per_tile(i, j, feeds, t);
    const int64_t tiles = ceil_div(m[j].out_rows, t);
    double tiu = 0;
    uint64_t ddr = 0;
    int gdma_commands = 0;
    for (size_t k = 0; k < r.size(); ++k) {
      const NodeModel& n = m[i + k];
      const Node& node = g.nodes[nodes[i + k]];
      tiu += double(tiles) *
             (n.tiu_row * double(r[k]) + double(n.tiu_commands * chip.tiu_issue_cycles));
      ddr += n.weight_ddr;
      gdma_commands += n.weight_ddr ? 4 : 0;
      for (size_t x = 0; x < feeds[k].size(); ++x) {
        const std::string& v = node.inputs[x];
        if (v.empty() || g.is_constant(v)) continue;
        const Dims d = dims(g.type(v).shape);
        const uint64_t row_bytes = uint64_t(d.n * d.c * d.w * bytes(g.type(v).dtype)),
                       rows = uint64_t(x == 0 ? n.rows_needed(r[k]) : r[k]);
        const int copies = std::max(1, n.copies);
        if (feeds[k][x] < 0) {
          ddr += uint64_t(tiles * copies) * rows * row_bytes;
          gdma_commands += int(tiles) * (n.padded && x == 0 ? 5 : copies);
        } else if (n.copies || (x == 0 && n.padded)) {  // a copy inside local memory: a Concat's,
                                                        // a StackRows', or into a padding buffer
          ddr += uint64_t(tiles * copies) * rows * row_bytes;
          gdma_commands += int(tiles) * (n.copies ? copies : 5);
        }
      }
    }
    ddr += uint64_t(m[j].out_rows) * m[j].out_ddr_row;
    gdma_commands += int(tiles);
    return std::max(tiu, double(models.gdma_cycles(ddr, gdma_commands)));
  }
};

// A group's structure: what its cost depends on (ops, geometry, types, wiring), not its weights.
std::string structure(const Graph& g, const std::vector<size_t>& nodes, size_t i, size_t j) {
  std::ostringstream key;
  std::map<std::string, size_t> defined;
  for (size_t k = i; k <= j; ++k) {
    const Node& n = g.nodes[nodes[k]];
    key << n.op << '(';
    for (const std::string& v : n.inputs) {
      if (v.empty()) continue;
      key << (defined.count(v) ? "#" + std::to_string(defined.at(v)) : "") << name(g.type(v).dtype);
      for (int64_t e : g.type(v).shape) key << 'x' << e;
      key << ',';
    }
    for (const char* a : {"kernel_shape", "strides", "pads", "dilations"})
      for (int64_t v : n.ints(a)) key << a[0] << v;
    key << 'g' << n.i("group", 1);
    key << ")->" << name(g.type(n.outputs[0]).dtype);
    for (int64_t e : g.type(n.outputs[0]).shape) key << 'x' << e;
    for (const Node* c : g.consumers(n.outputs[0]))
      key << (size_t(c - g.nodes.data()) > nodes[j] ? "!" : "");
    defined[n.outputs[0]] = k - i;
    key << ';';
  }
  return key.str();
}

}  // namespace

std::vector<Node> locality_order(const Graph& g) {
  std::map<std::string, size_t> producer;  // value → node index
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& o : g.nodes[i].outputs) producer[o] = i;
  std::vector<size_t> waiting(g.nodes.size(), 0),
      done_at(g.nodes.size(), 0);  // inputs not yet computed; when each ran (1-based)
  std::vector<std::vector<size_t>> readers(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& v : g.nodes[i].inputs)
      if (auto p = producer.find(v); p != producer.end())
        ++waiting[i], readers[p->second].push_back(i);
  std::set<size_t> ready;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!waiting[i]) ready.insert(i);
  std::vector<Node> order;
  while (!ready.empty()) {
    auto recency = [&](size_t i) {  // the latest run among the node's producers
      size_t latest = 0;
      for (const std::string& v : g.nodes[i].inputs)
        if (auto p = producer.find(v); p != producer.end())
          latest = std::max(latest, done_at[p->second]);
      return latest;
    };
    const size_t next = *std::max_element(ready.begin(), ready.end(), [&](size_t a, size_t b) {
      return recency(a) < recency(b) || (recency(a) == recency(b) && a > b);
    });
    ready.erase(next);
    order.push_back(g.nodes[next]);
    done_at[next] = order.size();
    for (size_t r : readers[next])
      if (--waiting[r] == 0) ready.insert(r);
  }
  return order;
}

std::vector<LayerGroupPlan> singleton_groups(const std::vector<bool>& on_chip) {
  std::vector<LayerGroupPlan> groups;
  for (size_t i = 0; i < on_chip.size(); ++i)
    if (on_chip[i]) groups.push_back({{i}, 0});
  return groups;
}

std::vector<LayerGroupPlan> find_layer_groups(const Graph& g, const std::vector<bool>& on_chip,
                                              const Chip& chip) {
  const Models models(g, chip);
  std::vector<LayerGroupPlan> groups;
  std::map<std::string, Candidate::Estimate> cache;
  // Runs of consecutive chip nodes: a host layer or a view between two nodes cuts any group.
  for (size_t start = 0; start < on_chip.size();) {
    if (!on_chip[start]) {
      ++start;
      continue;
    }
    std::vector<size_t> run;
    while (start < on_chip.size() && on_chip[start]) run.push_back(start++);
    std::vector<NodeModel> m;
    for (size_t i : run) m.push_back(models.model(g.nodes[i]));
    const Candidate candidate{g, chip, models, m, run};
    std::vector<double> best(run.size() + 1, 0);
    std::vector<size_t> first(run.size() + 1, 0);  // best(j): its last group starts at first[j]
    std::vector<int64_t> tile(run.size() + 1, 0);  // and computes in tiles of this many rows
    for (size_t j = 0; j < run.size(); ++j) {
      best[j + 1] = Candidate::kNever, first[j + 1] = j;
      for (size_t i = j + 1; i-- > 0;) {
        const std::string key = structure(g, run, i, j);
        auto it = cache.find(key);
        const Candidate::Estimate c =
            it != cache.end() ? it->second : cache[key] = candidate.cost(i, j);
        if (best[i] + c.cycles < best[j + 1])
          best[j + 1] = best[i] + c.cycles, first[j + 1] = i, tile[j + 1] = c.tile_rows;
        if (!m[i].groupable || j - i + 1 >= kMaxGroupNodes) break;  // no group reaches further back
      }
    }
    std::vector<LayerGroupPlan> run_groups;
    for (size_t j = run.size(); j > 0; j = first[j])
      run_groups.insert(
          run_groups.begin(),
          {std::vector<size_t>(run.begin() + long(first[j]), run.begin() + long(j)), int(tile[j])});
    groups.insert(groups.end(), run_groups.begin(), run_groups.end());
  }
  return groups;
}

}  // namespace tpuc::bm1684x
