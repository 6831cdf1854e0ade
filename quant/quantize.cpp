#include "quant/quantize.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"
#include "ops/attrs.h"
#include "ops/registry.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

// Ops whose int8 result reuses the input's scale: they only move or select values.
bool keeps_scale(const std::string& op) {
  const ops::OpDef* def = ops::find_op(op);
  return def && def->int8 == ops::Int8Form::InputScale;
}

int64_t round_away(double v) { return int64_t(std::round(v)); }

// Constant operands that say what an op does rather than hold data: a half-precision layer keeps
// them in f32 (rounding Resize's scales would resize differently).
bool is_control_operand(const std::string& op, size_t index) {
  const ops::OpDef* def = ops::find_op(op);
  return def && def->is_control_operand(index);
}

const char* suffix(DType t) { return t == DType::I8 ? "int8" : name(t); }

class Quantizer {
 public:
  Quantizer(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy)
      : top_(top), table_(share_concat_scales(top, table)), policy_(policy) {}

  Graph run() {
    out_.name = top_.name;
    out_.inputs = top_.inputs;
    for (const std::string& in : top_.inputs) {
      out_.types[in] = top_.type(in);
      versions_[in][DType::F32] = in;
    }
    for (const Node& n : top_.nodes) {
      const DType p = policy_.precision_of(n);
      if (p == DType::I8 && int8_capable(n))
        emit_int8(n);
      else if (p == DType::I8 && lut_capable(n))
        emit_lut(n);
      else
        emit_float(n, p == DType::I8 ? DType::F32 : p);
    }
    for (const std::string& o : top_.outputs) {
      const DType t = out_.types.count(o) ? out_.type(o).dtype : DType::F32;
      if (top_.is_constant(o) || t == DType::F32 || !is_converted(t)) {
        out_.outputs.push_back(o);
        continue;
      }
      // The layer gives up the name; the conversion defines the f32 output under it.
      const std::string renamed = out_.fresh_name(o + "_" + suffix(t));
      rename(o, renamed);
      versions_[o] = {{t, renamed}};
      add_conversion(o, DType::F32, o);
      out_.outputs.push_back(o);
    }
    for (const auto& [name, t] : top_.constants)
      if (used(name)) out_.constants[name] = t;
    return out_;
  }

 private:
  // Values of these types exist in several versions; others (indices, shapes) pass through.
  static bool is_converted(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::I8;
  }

  bool int8_capable(const Node& n) const {
    const ops::OpDef* def = ops::find_op(n.op);
    if (!def || def->int8 == ops::Int8Form::None) return false;
    if (ops::FusedActivation::of(n).leaky_alpha)
      return false;  // a fused LeakyRelu has no int8 form yet
    if (def->int8_check) {
      std::vector<const TensorType*> inputs;
      for (const std::string& in : n.inputs)
        inputs.push_back(in.empty() ? nullptr : &top_.type(in));
      if (!def->int8_check(n, inputs, top_.type(n.outputs[0])).empty()) return false;
    }
    const bool weighted = def->weighted;  // inputs 1 and 2 are constants it quantizes itself
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      if (in.empty()) continue;
      const bool shape_operand = top_.is_constant(in) &&
                                 (top_.type(in).dtype != DType::F32 || is_control_operand(n.op, i));
      if (weighted && i > 0 ? !top_.is_constant(in) : !(activation(in) || shape_operand))
        return false;
    }
    return true;
  }

  // An elementwise function of one activation becomes a 256-entry table (docs/quantization.md).
  bool lut_capable(const Node& n) const {
    const ops::OpDef* def = ops::find_op(n.op);
    return n.inputs.size() == 1 && activation(n.inputs[0]) && def && def->elementwise;
  }

  bool activation(const std::string& v) const {
    return !top_.is_constant(v) && top_.type(v).dtype == DType::F32;
  }

  // Symmetric: [-t, t] on [-127, 127]. Asymmetric: the observed range clipped to [-t, t] (and
  // holding 0) on [-128, 127], with the zero point the code of real 0.
  QuantParams activation_quant(const std::string& v) const {
    auto it = table_.threshold.find(v);
    if (it == table_.threshold.end()) throw Error("calibration table has no entry for '" + v + "'");
    const double t = it->second;
    auto range = table_.range.find(v);
    if (!policy_.asymmetric() || range == table_.range.end())
      return {{t > 0 ? t / 127.0 : 1.0 / 127.0}, 0, -1};
    const double lo = std::min(0.0, std::max(range->second.first, -t)),
                 hi = std::max(0.0, std::min(range->second.second, t));
    if (!(hi > lo)) return {{1.0 / 127.0}, 0, -1};
    const double scale = (hi - lo) / 255.0;
    return {{scale}, std::clamp<int64_t>(round_away(-128.0 - lo / scale), -128, 127), -1};
  }

  // Value v of the float graph in dtype `want`, converting (through f32) on first use.
  std::string version(const std::string& v, DType want) {
    if (top_.is_constant(v)) return constant_as(v, want);
    if (!is_converted(top_.type(v).dtype)) return v;
    std::map<DType, std::string>& have = versions_[v];
    if (auto it = have.find(want); it != have.end()) return it->second;
    if (want != DType::F32) version(v, DType::F32);
    const std::string name = out_.fresh_name(v + "_" + suffix(want));
    add_conversion(v, want, name);
    return name;
  }

  // Adds the node converting value v to `want` (from f32, or to f32 from its other version).
  void add_conversion(const std::string& v, DType want, const std::string& name) {
    std::map<DType, std::string>& have = versions_[v];
    const auto& [from_type, from] = want == DType::F32 ? *have.begin() : *have.find(DType::F32);
    TensorType t{want, top_.type(v).shape, std::nullopt};
    if (want == DType::I8) {
      t.quant = activation_quant(v);
      add_node("Quantize", v + "_quantize", {from}, name, t);
    } else if (from_type == DType::I8) {
      add_node("Dequantize", v + "_dequantize", {from}, name, t);
    } else {
      add_node("Cast", v + "_to_" + suffix(want), {from}, name, t);
      out_.nodes.back().attrs["to"] = std::string(tpuc::name(want));
    }
    have[want] = name;
  }

  // A float constant in a half-precision layer's type (rounded once, shared by its users).
  std::string constant_as(const std::string& c, DType want) {
    const Tensor& t = top_.constants.at(c);
    if (want == DType::F32 || want == DType::I8 || t.type.dtype != DType::F32) return c;
    std::string& name = versions_[c][want];
    if (name.empty()) {
      name = out_.fresh_name(c + "_" + suffix(want));
      out_.constants[name] = convert_float(t, want);
    }
    return name;
  }

  void emit_float(const Node& n, DType precision) {
    Node copy = n;
    for (size_t i = 0; i < copy.inputs.size(); ++i) {
      if (copy.inputs[i].empty()) continue;
      const bool keep_f32 = top_.is_constant(copy.inputs[i]) && is_control_operand(n.op, i);
      copy.inputs[i] = version(copy.inputs[i], keep_f32 ? DType::F32 : precision);
    }
    for (const std::string& o : n.outputs) {
      TensorType t = top_.type(o);
      if (t.dtype == DType::F32) t.dtype = precision;
      out_.types[o] = t;
      versions_[o][t.dtype] = o;
    }
    out_.nodes.push_back(copy);
  }

  void emit_int8(const Node& n) {
    Node q = n;
    const std::string& out = n.outputs[0];
    const QuantParams qx = quant_of(n.inputs[0]),
                      qy = keeps_scale(n.op) ? qx : activation_quant(out);
    const double sx = qx.scale[0], sy = qy.scale[0];
    q.inputs[0] = version(n.inputs[0], DType::I8);
    if (n.op == "Concat") {  // every input at the class's scale (share_concat_scales)
      for (size_t i = 1; i < n.inputs.size(); ++i) q.inputs[i] = version(n.inputs[i], DType::I8);
    } else if (n.op == "Conv" || n.op == "Gemm") {
      quantize_weights(q, n.inputs[0], qx, sy);
    } else if (n.op ==
               "GlobalAveragePool") {  // y = sum · sx / (sy · H·W), one ratio for every channel
      const Shape& shape = top_.type(n.inputs[0]).shape;
      int32_t mult;
      int shift;
      quantize_multiplier(sx / (sy * double(num_elements(shape) / (shape[0] * shape[1]))), &mult,
                          &shift);
      const ops::Requantization r{std::vector<int64_t>(size_t(shape[1]), mult),
                                  std::vector<int64_t>(size_t(shape[1]), shift)};
      r.store(q);
    } else if (n.op == "Add") {
      const double sb = quant_of(n.inputs[1]).scale[0];
      q.inputs[1] = version(n.inputs[1], DType::I8);
      // 15-bit multipliers with one shift: the larger ratio sets it, the smaller is scaled by the
      // same power of two. So the chip's int32 sum (a − za)·m0 + (b − zb)·m1 is exact
      // (|a − za| ≤ 255), as its int8 Add computes it (docs/quantization.md).
      const double ra = sx / sy, rb = sb / sy;
      int exponent;
      std::frexp(std::max(ra, rb), &exponent);  // max = f · 2^exponent, f in [0.5, 1)
      const int shift = std::max(0, 15 - exponent);
      const auto multiplier = [&](double r) { return int64_t(round_away(std::ldexp(r, shift))); };
      ops::Requantization{{multiplier(ra), multiplier(rb)}, {shift}}.store(q);
    }
    // A fused upper limit (Clip 0..L) is in output units: int8 steps of sy above the zero point
    // once quantized (at most 127 - zy: beyond that the limit clips nothing).
    ops::FusedActivation act = ops::FusedActivation::of(q);
    if (act.relu_limit) {
      act.relu_limit = std::min(127.0 - double(qy.zero_point), std::round(*act.relu_limit / sy));
      act.store(q);
    }
    out_.types[out] = {DType::I8, top_.type(out).shape, qy};
    versions_[out][DType::I8] = out;
    out_.nodes.push_back(q);
  }

  // table[uint8(q)] = quantize(f(dequantize(q))), f evaluated by the op's own float algorithm.
  void emit_lut(const Node& n) {
    const std::string& out = n.outputs[0];
    const QuantParams qx = quant_of(n.inputs[0]), qy = activation_quant(out);
    Tensor x(TensorType{DType::F32, {256}, std::nullopt});
    for (int q = -128; q < 128; ++q)
      x.as<float>()[uint8_t(q)] = dequantize(int8_t(q), float(qx.scale[0]), int(qx.zero_point));
    Graph g;
    g.inputs = {"x"};
    g.outputs = {"y"};
    g.types["x"] = g.types["y"] = x.type;
    g.nodes = {{n.op, n.name, {"x"}, {"y"}, n.attrs}};
    const Tensor y = host::Executor(g).run({{"x", x}}).at("y");
    Tensor table(TensorType{DType::I8, {256}, std::nullopt});
    for (int i = 0; i < 256; ++i)
      table.as<int8_t>()[i] =
          tpuc::quantize(y.as<float>()[i], float(1.0 / qy.scale[0]), int(qy.zero_point));
    const std::string table_name = out_.fresh_name(n.name + "_table");
    out_.constants[table_name] = table;
    out_.nodes.push_back({"Lut", n.name, {version(n.inputs[0], DType::I8), table_name}, {out}, {}});
    out_.types[out] = {DType::I8, top_.type(out).shape, qy};
    versions_[out][DType::I8] = out;
  }

  QuantParams quant_of(const std::string& v) { return *out_.type(version(v, DType::I8)).quant; }

  // Conv [OC, ...] / Gemm [N, K] (transposed to transB = 1 if needed) weights per output channel,
  // the bias to int32 at scale sx·sw (corrected if the policy says so: `input` is the float
  // graph's data input), and the per-channel requantization sx·sw/sy.
  void quantize_weights(Node& q, const std::string& input, const QuantParams& qx, double sy) {
    const double sx = qx.scale[0];
    Tensor w = top_.constants.at(q.inputs[1]);
    if (q.op == "Gemm" && !ops::GemmAttrs::of(q).trans_b) {
      w = transposed_matrix(w);
      q.attrs["transB"] = int64_t{1};
    }
    const int64_t channels = w.type.shape[0], per = w.size() / channels;
    std::vector<double> sw(static_cast<size_t>(channels));
    double global = 0;
    for (int64_t i = 0; i < w.size(); ++i) global = std::max(global, std::fabs(w.at(i)));
    Tensor wq(TensorType{DType::I8, w.type.shape, std::nullopt});
    std::vector<int64_t> multiplier, rshift;
    for (int64_t c = 0; c < channels; ++c) {
      double m = global;
      if (policy_.per_channel_weights) {
        m = 0;
        for (int64_t k = 0; k < per; ++k) m = std::max(m, std::fabs(w.at(c * per + k)));
      }
      sw[size_t(c)] = m > 0 ? m / 127.0 : 1.0;
      for (int64_t k = 0; k < per; ++k)
        wq.as<int8_t>()[c * per + k] = saturate_i8(round_away(w.at(c * per + k) / sw[size_t(c)]));
      int32_t mult;
      int shift;
      quantize_multiplier(sx * sw[size_t(c)] / sy, &mult, &shift);
      multiplier.push_back(mult);
      rshift.push_back(shift);
    }
    wq.type.quant = QuantParams{sw, 0, 0};
    const std::string w_name = out_.fresh_name(q.inputs[1] + "_int8");
    out_.constants[w_name] = wq;
    const bool has_bias = q.inputs.size() > 2 && !q.inputs[2].empty();
    std::vector<double> bias(size_t(channels), 0.0);
    for (int64_t c = 0; has_bias && c < channels; ++c)
      bias[size_t(c)] = top_.constants.at(q.inputs[2]).at(c);
    auto mean = table_.channel_mean.find(input);
    const bool corrected = policy_.bias_correction && mean != table_.channel_mean.end();
    if (corrected) correct_bias(bias, w, wq, mean->second);
    const bool needs_bias = has_bias || corrected || qx.zero_point != 0;
    q.inputs.resize(std::max<size_t>(q.inputs.size(), needs_bias ? 3 : 2));
    if (needs_bias) {
      Tensor bq = int32_bias(bias, sx, sw);
      fold_zero_point(bq, wq, qx.zero_point);
      const std::string name =
          out_.fresh_name((has_bias ? q.inputs[2] : q.inputs[1] + "_bias") + "_int32");
      out_.constants[name] = bq;
      q.inputs[2] = name;
    }
    q.inputs[1] = w_name;
    ops::Requantization{multiplier, rshift}.store(q);
  }

  // The bias at scale sx·sw[oc] in int32.
  static Tensor int32_bias(const std::vector<double>& bias, double sx,
                           const std::vector<double>& sw) {
    const int64_t channels = int64_t(bias.size());
    Tensor bq(TensorType{DType::I32, {channels}, std::nullopt});
    std::vector<double> bias_scale;
    for (int64_t c = 0; c < channels; ++c) {
      bias_scale.push_back(sx * sw[size_t(c)]);
      bq.as<int32_t>()[c] = saturate_i32(std::round(bias[size_t(c)] / bias_scale.back()));
    }
    bq.type.quant = QuantParams{bias_scale, 0, 0};
    return bq;
  }

  static int32_t saturate_i32(double v) {
    return int32_t(std::clamp(v, double(std::numeric_limits<int32_t>::min()),
                              double(std::numeric_limits<int32_t>::max())));
  }

  // Asymmetric int8: Σ (x − zx)·w = Σ x·w − zx·Σw, so the bias takes −zx·Σw[oc] and the layer
  // sums x (padding with zx, as the chip's CONV pads with a value and has no input zero point).
  static void fold_zero_point(Tensor& bq, const Tensor& wq, int zx) {
    const int64_t channels = bq.size(), per = wq.size() / channels;
    for (int64_t c = 0; c < channels && zx; ++c) {
      int64_t sum = 0;
      for (int64_t k = 0; k < per; ++k) sum += wq.as<int8_t>()[c * per + k];
      bq.as<int32_t>()[c] = saturate_i32(double(bq.as<int32_t>()[c]) - double(zx) * double(sum));
    }
  }

  // Bias correction: the int8 weights stand for Ŵ = sw·wq, so on inputs of mean E[x] the layer's
  // outputs are off by Σ (W − Ŵ)·E[x] on average per output channel; the bias absorbs it.
  // Weights [OC, IC/groups, taps...] (Gemm: [N, K]); an output channel of group g reads input
  // channels g·IC/groups onwards.
  static void correct_bias(std::vector<double>& bias, const Tensor& w, const Tensor& wq,
                           const std::vector<double>& mean) {
    const int64_t channels = w.type.shape[0], per = w.size() / channels;
    const int64_t group_inputs = w.type.shape[1], taps = per / group_inputs;
    const int64_t groups = int64_t(mean.size()) / group_inputs;
    if (groups < 1 || channels % groups) return;
    const std::vector<double>& sw = wq.type.quant->scale;
    for (int64_t o = 0; o < channels; ++o) {
      const int64_t first_input = o / (channels / groups) * group_inputs;
      double error = 0;
      for (int64_t k = 0; k < per; ++k) {
        const double exact = w.at(o * per + k), int8 = sw[size_t(o)] * wq.as<int8_t>()[o * per + k];
        error += (exact - int8) * mean[size_t(first_input + k / taps)];
      }
      bias[size_t(o)] += error;
    }
  }

  void add_node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                const std::string& out, const TensorType& type) {
    out_.nodes.push_back({op, name, std::move(inputs), {out}, {}});
    out_.types[out] = type;
  }

  void rename(const std::string& from, const std::string& to) {
    for (Node& n : out_.nodes) {
      for (std::string& o : n.outputs)
        if (o == from) o = to;
      for (std::string& i : n.inputs)
        if (i == from) i = to;
    }
    out_.types[to] = out_.types.at(from);
    out_.types.erase(from);
  }

  bool used(const std::string& v) const {
    return std::any_of(out_.nodes.begin(), out_.nodes.end(), [&](const Node& n) {
      return std::count(n.inputs.begin(), n.inputs.end(), v) > 0;
    });
  }

  // An int8 Concat is a copy: its inputs and result share one scale. They, and every value an op
  // keeping its input's scale (a MaxPool chain) ties to them, become one class whose threshold and
  // range are the widest of its members' (so none clips).
  static CalibrationTable share_concat_scales(const Graph& top, const CalibrationTable& table) {
    std::map<std::string, std::string> parent;
    std::function<std::string(const std::string&)> find = [&](const std::string& v) {
      auto it = parent.find(v);
      return it == parent.end() || it->second == v ? v : it->second = find(it->second);
    };
    auto unite = [&](const std::string& a, const std::string& b) { parent[find(a)] = find(b); };
    std::set<std::string> concats;
    for (const Node& n : top.nodes) {
      if (n.op == "Concat") concats.insert(n.outputs[0]);
      if (!keeps_scale(n.op) || n.inputs.empty() || top.is_constant(n.inputs[0])) continue;
      for (const std::string& in :
           n.op == "Concat" ? n.inputs : std::vector<std::string>{n.inputs[0]})
        if (!top.is_constant(in)) unite(in, n.outputs[0]);
    }
    std::set<std::string> shared;  // the roots of classes holding a Concat
    for (const std::string& c : concats) shared.insert(find(c));
    CalibrationTable out = table;
    std::map<std::string, std::vector<std::string>> members;
    for (const auto& [v, t] : table.threshold)
      if (shared.count(find(v))) members[find(v)].push_back(v);
    for (const auto& [root, values] : members) {
      double t = 0, lo = 0, hi = 0;
      for (const std::string& v : values) {
        t = std::max(t, table.threshold.at(v));
        if (auto r = table.range.find(v); r != table.range.end()) {
          lo = std::min(lo, r->second.first);
          hi = std::max(hi, r->second.second);
        }
      }
      for (const std::string& v : values) {
        out.threshold[v] = t;
        if (table.range.count(v)) out.range[v] = {lo, hi};
      }
    }
    return out;
  }

  const Graph& top_;
  const CalibrationTable table_;
  const QuantPolicy& policy_;
  Graph out_;
  std::map<std::string, std::map<DType, std::string>>
      versions_;  // top value → its versions in out_, by dtype
};

}  // namespace

Graph quantize(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy) {
  for (const PrecisionOverride& o : policy.overrides)  // a policy written for another model
    for (const std::string& pattern : o.layers)
      if (std::none_of(top.nodes.begin(), top.nodes.end(), [&](const Node& n) {
            return fnmatch(pattern.c_str(), n.name.c_str(), 0) == 0;
          }))
        throw Error(o.origin + ": layers: '" + pattern + "' matches no layer of the model");
  return Quantizer(top, table, policy).run();
}

}  // namespace tpuc::quant
