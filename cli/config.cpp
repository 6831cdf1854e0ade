#include "cli/config.h"

#include <filesystem>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/yaml.h"

namespace tpuc {

namespace {

// Applies `a.b.c=value` to the YAML tree (value parsed as YAML, so lists and numbers work).
void apply_override(YAML::Node root, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--set '" + assignment + "': expected key.path=value");
  const std::string path = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw Error("--set '" + assignment + "': " + e.msg);
  }
  std::vector<std::string> keys;
  for (size_t start = 0, dot; start <= path.size(); start = dot + 1) {
    dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    keys.push_back(path.substr(start, dot - start));
  }
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node next = chain.back()[keys[i]];
    if (!next.IsDefined() || next.IsNull()) chain.back()[keys[i]] = YAML::Node(YAML::NodeType::Map);
    chain.push_back(chain.back()[keys[i]]);
  }
  chain.back()[keys.back()] = value;
}

class ConfigReader {
 public:
  ConfigReader(YamlReader& r, std::string dir) : r_(r), dir_(std::move(dir)) {}

  std::string path(const YAML::Node& map, const std::string& key, bool required, bool must_exist = true) {
    if (!map[key]) {
      if (required) r_.error(map, "missing required key '" + key + "'");
      return "";
    }
    std::string p = r_.get<std::string>(map, key, "");
    if (p.empty()) return p;
    if (std::filesystem::path(p).is_relative()) p = (std::filesystem::path(dir_) / p).lexically_normal().string();
    if (must_exist && !std::filesystem::exists(p)) r_.error(map[key], "file not found: " + p);
    return p;
  }

  DatasetConfig dataset(const YAML::Node& section) {
    DatasetConfig d;
    if (!section) return d;
    const YAML::Node ds = section["dataset"];
    if (!ds) {
      r_.error(section, "missing required key 'dataset'");
      return d;
    }
    r_.check_keys(ds, {"images", "labels"});
    d.images = path(ds, "images", true);
    d.labels = path(ds, "labels", false);
    d.count = r_.get<int64_t>(section, "count", 0);
    if (d.count < 0) r_.error(section["count"], "'count' must be >= 0");
    return d;
  }

 private:
  YamlReader& r_;
  std::string dir_;
};

}  // namespace

CompileConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  YamlReader r(path);
  for (const std::string& o : overrides) apply_override(r.root(), o);
  CompileConfig c;
  c.file = path;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  ConfigReader cr(r, dir.empty() ? "." : dir);
  const YAML::Node root = r.root();
  r.check_keys(root, {"model", "inputs", "chip", "pipeline", "quantization", "validation", "output_dir"});
  c.model = cr.path(root, "model", true);
  if (const YAML::Node inputs = root["inputs"]) {
    if (!inputs.IsSequence()) r.error(inputs, "'inputs' must be a list");
    for (const YAML::Node& in : inputs) {
      r.check_keys(in, {"name", "shape", "preprocess"});
      InputConfig ic;
      ic.name = r.require<std::string>(in, "name");
      ic.shape = r.get<std::vector<int64_t>>(in, "shape", {});
      if (const YAML::Node pre = in["preprocess"]) {
        r.check_keys(pre, {"scale", "mean"});
        ic.preprocess.scale = r.get<double>(pre, "scale", 1.0);
        ic.preprocess.mean = r.get<double>(pre, "mean", 0.0);
      }
      c.inputs.push_back(ic);
    }
  }
  c.chip = cr.path(root, "chip", true);
  c.pipeline = cr.path(root, "pipeline", true);
  if (const YAML::Node q = root["quantization"]) {
    r.check_keys(q, {"policy", "calibration"});
    c.policy = cr.path(q, "policy", true);
    if (const YAML::Node cal = q["calibration"]) {
      r.check_keys(cal, {"dataset", "count", "method"});
      c.calibration = cr.dataset(cal);
      c.calibration_method = r.get<std::string>(cal, "method", "max");
    } else {
      r.error(q, "missing required key 'calibration'");
    }
  } else {
    r.error(root, "missing required key 'quantization'");
  }
  if (const YAML::Node v = root["validation"]) {
    r.check_keys(v, {"dataset", "count", "tolerance"});
    c.validation = cr.dataset(v);
    if (const YAML::Node t = v["tolerance"]) {
      r.check_keys(t, {"max_accuracy_drop", "min_cosine"});
      c.max_accuracy_drop = r.get<double>(t, "max_accuracy_drop", c.max_accuracy_drop);
      c.min_cosine = r.get<double>(t, "min_cosine", c.min_cosine);
    }
  }
  c.output_dir = cr.path(root, "output_dir", true, false);
  r.finish();
  return c;
}

}  // namespace tpuc
