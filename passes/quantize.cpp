#include "passes/quantize.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ir/diagnostics.h"
#include "ir/quant_math.h"
#include "ir/yaml.h"
#include "ops/op.h"

namespace tpuc::passes {

QuantPolicy load_quant_policy(const std::string& yaml_path) {
  YamlReader r(yaml_path);
  QuantPolicy p;
  p.file = yaml_path;
  r.check_keys(r.root(), {"mode", "per_channel_weights", "float_ops", "float_layers", "search"});
  p.mode = r.get<std::string>(r.root(), "mode", p.mode);
  if (p.mode != "int8_sym") r.error(r.root()["mode"], "unsupported mode '" + p.mode + "' (supported: int8_sym)");
  p.per_channel_weights = r.get<bool>(r.root(), "per_channel_weights", p.per_channel_weights);
  p.float_ops = r.get<std::vector<std::string>>(r.root(), "float_ops", {});
  for (const std::string& op : p.float_ops)
    if (!ops::find_op(op)) r.error(r.root()["float_ops"], "unknown operator '" + op + "' in float_ops");
  p.float_layers = r.get<std::vector<std::string>>(r.root(), "float_layers", {});
  if (const YAML::Node s = r.root()["search"]) {
    r.check_keys(s, {"target_cosine", "max_float_layers", "samples"});
    PrecisionSearch search;
    search.target_cosine = r.get<double>(s, "target_cosine", search.target_cosine);
    search.max_float_layers = r.get<int>(s, "max_float_layers", search.max_float_layers);
    search.samples = r.get<int>(s, "samples", search.samples);
    if (!(search.target_cosine > -1 && search.target_cosine <= 1)) r.error(s["target_cosine"], "'target_cosine' must be in (-1, 1]");
    if (search.max_float_layers < 0) r.error(s["max_float_layers"], "'max_float_layers' must be >= 0");
    if (search.samples < 1) r.error(s["samples"], "'samples' must be >= 1");
    p.search = search;
  }
  r.finish();
  return p;
}

namespace {

// Ops whose int8 output reuses the input's scale: they only move or select values.
bool keeps_scale(const std::string& op) {
  static const char* ops[] = {"MaxPool", "Relu", "Flatten", "Reshape", "Identity", "Dropout"};
  return std::any_of(std::begin(ops), std::end(ops), [&](const char* o) { return op == o; });
}

int64_t round_away(double v) { return int64_t(std::round(v)); }

// A float_layers entry: a layer name, or a shell pattern over names (`/features/*`).
bool layer_matches(const std::string& pattern, const std::string& layer) { return fnmatch(pattern.c_str(), layer.c_str(), 0) == 0; }

class Quantizer {
 public:
  Quantizer(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy)
      : top_(top), table_(table), policy_(policy) {}

  Graph run() {
    out_.name = top_.name;
    out_.inputs = top_.inputs;
    for (const std::string& in : top_.inputs) {
      out_.types[in] = top_.type(in);
      f32_[in] = in;
    }
    for (const Node& n : top_.nodes) int8_capable(n) ? emit_int8(n) : emit_float(n);
    for (const std::string& o : top_.outputs) {
      if (f32_.count(o)) {
        out_.outputs.push_back(f32_.at(o));
        continue;
      }
      // The int8 producer gives up the name; the Dequantize defines the f32 output under it.
      const std::string renamed = out_.fresh_name(o + "_int8");
      rename(o, renamed);
      add_node("Dequantize", o + "_dequantize", {renamed}, o, {DType::F32, top_.type(o).shape, std::nullopt});
      out_.outputs.push_back(o);
    }
    for (const auto& [name, t] : top_.constants)
      if (used(name)) out_.constants[name] = t;
    return out_;
  }

 private:
  bool int8_capable(const Node& n) const {
    const ops::OpDef* def = ops::find_op(n.op);
    if (!def || !def->int8 || std::count(policy_.float_ops.begin(), policy_.float_ops.end(), n.op)) return false;
    if (std::any_of(policy_.float_layers.begin(), policy_.float_layers.end(), [&](const std::string& p) { return layer_matches(p, n.name); }))
      return false;
    if (n.has("leaky_alpha")) return false;  // a fused LeakyRelu has no int8 form yet
    if (n.op == "Conv" || n.op == "Gemm") {
      if (!top_.is_constant(n.inputs[1])) return false;
      if (n.inputs.size() > 2 && !n.inputs[2].empty() && !top_.is_constant(n.inputs[2])) return false;
    }
    if (n.op == "Gemm") {
      if (n.i("transA", 0) || n.f("alpha", 1) != 1 || n.f("beta", 1) != 1) return false;
      if (n.inputs.size() > 2 && !n.inputs[2].empty() && top_.type(n.inputs[2]).num_elements() != top_.type(n.outputs[0]).shape[1])
        return false;
    }
    return std::all_of(n.inputs.begin(), n.inputs.end(), [&](const std::string& in) {
      return in.empty() || top_.type(in).dtype == DType::F32 || top_.is_constant(in);
    });
  }

  double activation_scale(const std::string& v) const {
    auto it = table_.threshold.find(v);
    if (it == table_.threshold.end()) throw Error("calibration table has no entry for '" + v + "'");
    return it->second > 0 ? it->second / 127.0 : 1.0 / 127.0;
  }

  // The int8 version of an activation, quantizing the f32 one on first use.
  std::string int8_of(const std::string& v) {
    if (!i8_.count(v)) {
      const std::string q = out_.fresh_name(v + "_int8");
      add_node("Quantize", v + "_quantize", {f32_.at(v)}, q, int8_type(top_.type(v).shape, activation_scale(v)));
      i8_[v] = q;
    }
    return i8_.at(v);
  }

  std::string f32_of(const std::string& v) {
    if (top_.is_constant(v) || f32_.count(v)) return top_.is_constant(v) ? v : f32_.at(v);
    const std::string f = out_.fresh_name(v + "_f32");
    add_node("Dequantize", v + "_dequantize", {i8_.at(v)}, f, {DType::F32, top_.type(v).shape, std::nullopt});
    f32_[v] = f;
    return f;
  }

  static TensorType int8_type(const Shape& shape, double scale) { return {DType::I8, shape, QuantParams{{scale}, 0, -1}}; }

  void emit_float(const Node& n) {
    Node copy = n;
    for (std::string& in : copy.inputs)
      if (!in.empty()) in = f32_of(in);
    for (const std::string& o : n.outputs) {
      out_.types[o] = top_.type(o);
      f32_[o] = o;
    }
    out_.nodes.push_back(copy);
  }

  void emit_int8(const Node& n) {
    Node q = n;
    const std::string& out = n.outputs[0];
    const double sx = scale_of(n.inputs[0]);
    q.inputs[0] = int8_of(n.inputs[0]);
    double sy = keeps_scale(n.op) ? sx : activation_scale(out);
    if (n.op == "Conv" || n.op == "Gemm") {
      quantize_weights(q, sx, sy);
    } else if (n.op == "Add") {
      const double sb = scale_of(n.inputs[1]);
      q.inputs[1] = int8_of(n.inputs[1]);
      int32_t m0, m1;
      int shift;
      const double ra = sx / sy, rb = sb / sy;
      quantize_multiplier(std::max(ra, rb), ra >= rb ? &m0 : &m1, &shift);
      (ra >= rb ? m1 : m0) = int32_t(round_away(std::min(ra, rb) * std::ldexp(1.0, shift)));
      q.attrs["multiplier"] = std::vector<int64_t>{m0, m1};
      q.attrs["rshift"] = std::vector<int64_t>{shift};
    }
    // A fused upper limit (Clip 0..L) is in output units: int8 steps of sy once quantized.
    if (q.has("relu_limit")) q.attrs["relu_limit"] = std::min(127.0, std::round(q.f("relu_limit", 0) / sy));
    out_.types[out] = int8_type(top_.type(out).shape, sy);
    i8_[out] = out;
    out_.nodes.push_back(q);
  }

  double scale_of(const std::string& v) {
    int8_of(v);
    return out_.type(i8_.at(v)).quant->scale[0];
  }

  // Conv [OC, ...] / Gemm [N, K] (transposed to transB = 1 if needed) weights per output channel,
  // the bias to int32 at scale sx·sw, and the per-channel requantization sx·sw/sy.
  void quantize_weights(Node& q, double sx, double sy) {
    Tensor w = top_.constants.at(q.inputs[1]);
    if (q.op == "Gemm" && !q.i("transB", 0)) {
      const int64_t k = w.type.shape[0], n = w.type.shape[1];
      Tensor t(TensorType{DType::F32, {n, k}, std::nullopt});
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j) t.as<float>()[j * k + i] = w.as<float>()[i * n + j];
      w = t;
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
      for (int64_t k = 0; k < per; ++k) wq.as<int8_t>()[c * per + k] = saturate_i8(round_away(w.at(c * per + k) / sw[size_t(c)]));
      int32_t mult;
      int shift;
      quantize_multiplier(sx * sw[size_t(c)] / sy, &mult, &shift);
      multiplier.push_back(mult);
      rshift.push_back(shift);
    }
    wq.type.quant = QuantParams{sw, 0, 0};
    const std::string w_name = out_.fresh_name(q.inputs[1] + "_int8");
    out_.constants[w_name] = wq;
    q.inputs[1] = w_name;
    if (q.inputs.size() > 2 && !q.inputs[2].empty()) {
      const Tensor& b = top_.constants.at(q.inputs[2]);
      Tensor bq(TensorType{DType::I32, {channels}, std::nullopt});
      std::vector<double> bias_scale;
      for (int64_t c = 0; c < channels; ++c) {
        bias_scale.push_back(sx * sw[size_t(c)]);
        const double v = std::round(b.at(c) / bias_scale.back());
        bq.as<int32_t>()[c] = int32_t(std::clamp(v, double(std::numeric_limits<int32_t>::min()), double(std::numeric_limits<int32_t>::max())));
      }
      bq.type.quant = QuantParams{bias_scale, 0, 0};
      const std::string b_name = out_.fresh_name(q.inputs[2] + "_int32");
      out_.constants[b_name] = bq;
      q.inputs[2] = b_name;
    }
    q.attrs["multiplier"] = multiplier;
    q.attrs["rshift"] = rshift;
  }

  void add_node(const std::string& op, const std::string& name, std::vector<std::string> inputs, const std::string& out,
                const TensorType& type) {
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
    return std::any_of(out_.nodes.begin(), out_.nodes.end(),
                       [&](const Node& n) { return std::count(n.inputs.begin(), n.inputs.end(), v) > 0; });
  }

  const Graph& top_;
  const CalibrationTable& table_;
  const QuantPolicy& policy_;
  Graph out_;
  std::map<std::string, std::string> f32_, i8_;  // top value → its f32 / int8 version in out_
};

}  // namespace

Graph quantize(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy) {
  for (const std::string& pattern : policy.float_layers)  // a policy written for another model
    if (std::none_of(top.nodes.begin(), top.nodes.end(), [&](const Node& n) { return layer_matches(pattern, n.name); }))
      throw Error(policy.file + ": float_layers: '" + pattern + "' matches no layer of the model");
  return Quantizer(top, table, policy).run();
}

}  // namespace tpuc::passes
