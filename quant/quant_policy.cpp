#include "quant/quant_policy.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "ir/yaml.h"
#include "ops/registry.h"

namespace tpuc::quant {

namespace {

const std::vector<std::string> kModes = {"int8_sym", "int8_asym", "f16", "bf16", "f32"};

// The float precisions a layer can be kept in, by their policy names.
std::optional<DType> float_precision(const std::string& name) {
  const std::optional<DType> t = parse_dtype(name);
  if (t == DType::F16 || t == DType::BF16 || t == DType::F32) return t;
  return std::nullopt;
}

DType read_precision(YamlReader& r, const YAML::Node& map, const std::string& key, DType fallback) {
  const std::string name = r.get<std::string>(map, key, tpuc::name(fallback));
  const std::optional<DType> t = float_precision(name);
  if (!t) r.error(map[key], "'" + key + "' must be f16, bf16 or f32, not '" + name + "'");
  return t.value_or(fallback);
}

}  // namespace

bool PrecisionOverride::matches(const Node& n) const {
  return std::count(ops.begin(), ops.end(), n.op) ||
         std::any_of(layers.begin(), layers.end(), [&](const std::string& p) {
           return fnmatch(p.c_str(), n.name.c_str(), 0) == 0;
         });
}

DType QuantPolicy::precision_of(const Node& n) const {
  DType p = int8() ? DType::I8 : *parse_dtype(mode);
  for (const PrecisionOverride& o : overrides)
    if (o.matches(n)) p = o.precision;
  return p;
}

bool needs_calibration(const QuantPolicy& policy) { return policy.int8(); }

QuantPolicy load_quant_policy(const std::string& yaml_path) {
  YamlReader r(yaml_path);
  QuantPolicy p;
  p.file = yaml_path;
  const YAML::Node& root = r.root();
  r.check_keys(root, {"mode", "per_channel_weights", "equalize_cross_layer", "bias_correction",
                      "overrides", "search"});
  p.mode = r.get<std::string>(root, "mode", p.mode);
  if (!std::count(kModes.begin(), kModes.end(), p.mode))
    r.error(root["mode"],
            "unknown mode '" + p.mode + "' (modes: int8_sym, int8_asym, f16, bf16, f32)");
  p.per_channel_weights = r.get<bool>(root, "per_channel_weights", p.per_channel_weights);
  p.equalize_cross_layer = r.get<bool>(root, "equalize_cross_layer", p.equalize_cross_layer);
  p.bias_correction = r.get<bool>(root, "bias_correction", p.bias_correction);
  if (const YAML::Node list = root["overrides"]) {
    if (!list.IsSequence()) r.error(list, "'overrides' must be a list of {ops, layers, precision}");
    for (const YAML::Node& o : list.IsSequence() ? list : YAML::Node(YAML::NodeType::Sequence)) {
      r.check_keys(o, {"ops", "layers", "precision"});
      PrecisionOverride po;
      po.ops = r.get<std::vector<std::string>>(o, "ops", {});
      po.layers = r.get<std::vector<std::string>>(o, "layers", {});
      po.precision = read_precision(r, o, "precision", DType::F32);
      po.origin = r.origin(o);
      for (const std::string& op : po.ops)
        if (!ops::find_op(op)) r.error(o["ops"], "unknown operator '" + op + "'");
      if (po.ops.empty() && po.layers.empty()) r.error(o, "an override names 'ops' or 'layers'");
      p.overrides.push_back(po);
    }
  }
  if (const YAML::Node s = root["search"]) {
    r.check_keys(s, {"target_cosine", "max_float_layers", "samples", "precision", "ranking"});
    PrecisionSearch search;
    search.target_cosine = r.get<double>(s, "target_cosine", search.target_cosine);
    search.max_float_layers = r.get<int>(s, "max_float_layers", search.max_float_layers);
    search.samples = r.get<int>(s, "samples", search.samples);
    search.precision = read_precision(r, s, "precision", search.precision);
    search.ranking = r.get<std::string>(s, "ranking", search.ranking);
    if (search.ranking != "layer" && search.ranking != "output")
      r.error(s["ranking"], "'ranking' must be 'layer' or 'output'");
    if (!(search.target_cosine > -1 && search.target_cosine <= 1))
      r.error(s["target_cosine"], "'target_cosine' must be in (-1, 1]");
    if (search.max_float_layers < 0)
      r.error(s["max_float_layers"], "'max_float_layers' must be >= 0");
    if (search.samples < 1) r.error(s["samples"], "'samples' must be >= 1");
    if (!p.int8()) r.error(s, "a precision search needs an int8 mode");
    p.search = search;
  }
  r.finish();
  return p;
}

std::string policy_yaml(const QuantPolicy& policy, const std::string& comment) {
  YAML::Emitter e;
  e << YAML::Comment(comment) << YAML::BeginMap;
  e << YAML::Key << "mode" << YAML::Value << policy.mode;
  e << YAML::Key << "per_channel_weights" << YAML::Value << policy.per_channel_weights;
  e << YAML::Key << "equalize_cross_layer" << YAML::Value << policy.equalize_cross_layer;
  e << YAML::Key << "bias_correction" << YAML::Value << policy.bias_correction;
  e << YAML::Key << "overrides" << YAML::Value << YAML::BeginSeq;
  for (const PrecisionOverride& o : policy.overrides) {
    e << YAML::BeginMap;
    if (!o.ops.empty()) e << YAML::Key << "ops" << YAML::Value << YAML::Flow << o.ops;
    if (!o.layers.empty()) e << YAML::Key << "layers" << YAML::Value << o.layers;
    e << YAML::Key << "precision" << YAML::Value << name(o.precision) << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace tpuc::quant
