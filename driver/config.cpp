#include "driver/config.h"

#include <filesystem>
#include <functional>
#include <set>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/yaml.h"

namespace tpuc {

namespace {

YamlReader composed_config(const std::string& path, const std::vector<std::string>& overrides) {
  YamlReader r = YamlReader::compose(path);
  for (const std::string& o : overrides) r.set(o);
  return r;
}

// One line per value: flow-style YAML for scalars and lists of scalars, then "# origin".
void show(const YamlReader& r, const YAML::Node& node, const std::string& indent,
          std::string& out) {
  const auto simple = [](const YAML::Node& n) {
    if (!n.IsSequence()) return !n.IsMap();
    for (const YAML::Node& item : n)
      if (item.IsMap() || item.IsSequence()) return false;
    return true;
  };
  const auto flow = [](const YAML::Node& n) {
    YAML::Emitter e;
    e << YAML::Flow << n;
    return std::string(e.c_str());
  };
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = indent + entry.first.as<std::string>() + ":";
      if (simple(entry.second)) {
        const std::string line = key + " " + flow(entry.second);
        out += line + std::string(line.size() < 48 ? 48 - line.size() : 1, ' ') + "# " +
               r.origin(entry.second) + "\n";
      } else {
        out += key + "\n";
        show(r, entry.second, indent + "  ", out);
      }
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      out += indent + "-\n";
      show(r, item, indent + "  ", out);
    }
  }
}

// A string key restricted to `allowed` (the first is the default).
std::string one_of(YamlReader& r, const YAML::Node& map, const std::string& key,
                   const std::vector<std::string>& allowed) {
  const std::string value = r.get<std::string>(map, key, allowed.front());
  std::string list;
  for (const std::string& a : allowed) {
    if (value == a) return value;
    list += (list.empty() ? "" : ", ") + a;
  }
  r.error(map[key], "'" + key + "' must be one of: " + list);
  return allowed.front();
}

// A number, or a list of numbers (one per channel).
std::vector<double> number_or_list(YamlReader& r, const YAML::Node& map, const std::string& key,
                                   double fallback) {
  const YAML::Node v = map[key];
  if (v && v.IsSequence()) return r.get<std::vector<double>>(map, key, {fallback});
  return {r.get<double>(map, key, fallback)};
}

class ConfigReader {
 public:
  explicit ConfigReader(YamlReader& r) : r_(r) {}

  std::string path(const YAML::Node& map, const std::string& key, bool required,
                   bool must_exist = true) {
    if (!map[key]) {
      if (required) r_.error(map, "missing required key '" + key + "'");
      return "";
    }
    std::string p = r_.get<std::string>(map, key, "");
    if (p.empty()) return p;
    // Relative to the file the value was written in (a base config, a fragment, or this one).
    const std::string& origin = r_.file_of(map[key]);
    const std::filesystem::path dir = origin.rfind("--set ", 0) == 0
                                          ? std::filesystem::path(".")
                                          : std::filesystem::path(origin).parent_path();
    if (std::filesystem::path(p).is_relative()) p = (dir / p).lexically_normal().string();
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

  // The sections of a config, each checked as it is read. The order of the reads is the order of
  // the errors a config with several mistakes gets.
  std::vector<InputConfig> inputs(const YAML::Node& inputs) {
    std::vector<InputConfig> list;
    if (!inputs) return list;
    if (!inputs.IsSequence()) r_.error(inputs, "'inputs' must be a list");
    for (const YAML::Node& in : inputs) list.push_back(input(in));
    return list;
  }

  void quantization(const YAML::Node& root, CompileConfig& c) {
    const YAML::Node q = root["quantization"];
    if (!q) {
      r_.error(root, "missing required key 'quantization'");
      return;
    }
    r_.check_keys(q, {"policy", "calibration"});
    c.policy = path(q, "policy", true);
    const YAML::Node cal = q["calibration"];
    if (!cal) {
      r_.error(q, "missing required key 'calibration'");
      return;
    }
    r_.check_keys(cal, {"dataset", "count", "method", "percentile"});
    c.calibration = dataset(cal);
    c.calibration_method.name = one_of(r_, cal, "method", quant::calibration_methods());
    c.calibration_method.percentile = r_.get<double>(cal, "percentile", 99.99);
    if (!(c.calibration_method.percentile > 0 && c.calibration_method.percentile <= 100))
      r_.error(cal["percentile"], "'percentile' must be in (0, 100]");
  }

  // validation.metric: its kind and that kind's settings (docs/config.md).
  void metric(const YAML::Node& m, metrics::MetricConfig& out) {
    if (!m) return;
    out.kind = one_of(r_, m, "kind", metrics::metric_kinds());
    if (out.kind == "text_detection") {
      r_.check_keys(m, {"kind", "threshold", "shrink", "min_pixels", "iou"});
      out.threshold = r_.get<double>(m, "threshold", out.threshold);
      out.shrink = r_.get<double>(m, "shrink", out.shrink);
      out.min_pixels = r_.get<int64_t>(m, "min_pixels", out.min_pixels);
      out.iou = r_.get<double>(m, "iou", out.iou);
      if (!(out.shrink >= 0 && out.shrink < 0.5))
        r_.error(m["shrink"], "'shrink' must be in [0, 0.5)");
      if (!(out.iou > 0 && out.iou <= 1)) r_.error(m["iou"], "'iou' must be in (0, 1]");
    } else if (out.kind == "ctc") {
      r_.check_keys(m, {"kind", "alphabet", "blank"});
      out.alphabet = r_.get<std::string>(m, "alphabet", "");
      out.blank = r_.get<int64_t>(m, "blank", 0);
      if (out.alphabet.empty()) r_.error(m, "a ctc metric needs its 'alphabet'");
      if (out.blank < 0 || out.blank > int64_t(out.alphabet.size()))
        r_.error(m["blank"], "'blank' must be a class: 0 to the alphabet's length");
    } else {
      r_.check_keys(m, {"kind"});
    }
  }

  void validation(const YAML::Node& v, CompileConfig& c) {
    if (!v) return;
    r_.check_keys(v, {"dataset", "count", "metric", "tolerance"});
    c.validation = dataset(v);
    metric(v["metric"], c.metric);
    const YAML::Node t = v["tolerance"];
    if (!t) return;
    r_.check_keys(t, {"max_accuracy_drop", "min_cosine"});
    c.max_accuracy_drop = r_.get<double>(t, "max_accuracy_drop", c.max_accuracy_drop);
    c.min_cosine = r_.get<double>(t, "min_cosine", c.min_cosine);
    if (c.max_accuracy_drop < 0 || c.max_accuracy_drop > 100)
      r_.error(t["max_accuracy_drop"], "'max_accuracy_drop' must be in [0, 100] points");
    if (c.min_cosine < -1 || c.min_cosine > 1)
      r_.error(t["min_cosine"], "'min_cosine' must be in [-1, 1]");
  }

 private:
  InputConfig input(const YAML::Node& in) {
    r_.check_keys(in, {"name", "shape", "value", "dtype", "layout", "preprocess"});
    InputConfig ic;
    ic.name = r_.require<std::string>(in, "name");
    ic.value = path(in, "value", false);
    ic.shape = r_.get<std::vector<int64_t>>(in, "shape", {});
    if (std::any_of(ic.shape.begin(), ic.shape.end(), [](int64_t d) { return d < 1; }))
      r_.error(in["shape"], "dimensions must be positive");
    one_of(r_, in, "dtype", {"f32"});  // what the model input holds; int8 inputs come with issue 5
    one_of(r_, in, "layout", {"nchw"});  // channels-last inputs come with image datasets (issue 5)
    if (const YAML::Node pre = in["preprocess"]) preprocess(pre, ic);
    return ic;
  }

  void preprocess(const YAML::Node& pre, InputConfig& ic) {
    r_.check_keys(pre, {"scale", "mean", "channel_order", "resize", "fuse"});
    const std::vector<int64_t> resize = r_.get<std::vector<int64_t>>(pre, "resize", {});
    if (!resize.empty() && (resize.size() != 2 || resize[0] < 1 || resize[1] < 1))
      r_.error(pre["resize"], "'resize' must be [height, width], both positive");
    ic.preprocess.resize = resize;
    ic.fuse_preprocess = r_.get<bool>(pre, "fuse", false);
    ic.preprocess.scale = number_or_list(r_, pre, "scale", 1.0);
    ic.preprocess.mean = number_or_list(r_, pre, "mean", 0.0);
    ic.preprocess.bgr = one_of(r_, pre, "channel_order", {"rgb", "bgr"}) == "bgr";
    for (double s : ic.preprocess.scale)
      if (s == 0) r_.error(pre["scale"], "'scale' must not be 0");
  }

  YamlReader& r_;
};

}  // namespace

CompileConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  YamlReader r = composed_config(path, overrides);
  ConfigReader cr(r);
  const YAML::Node root = r.root();
  r.check_keys(root, {"model", "inputs", "outputs", "chip", "pipeline", "quantization", "codegen",
                      "validation", "output_dir"});
  CompileConfig c;
  c.file = path;
  c.model = cr.path(root, "model", true);
  c.inputs = cr.inputs(root["inputs"]);
  if (const YAML::Node outputs = root["outputs"]) {
    c.outputs.names = r.get<std::vector<std::string>>(root, "outputs", {});
    c.outputs.origin = r.origin(outputs);
  }
  c.chip = cr.path(root, "chip", true);
  c.pipeline = cr.path(root, "pipeline", true);
  cr.quantization(root, c);
  cr.validation(root["validation"], c);
  if (const YAML::Node cg = root["codegen"]) {
    r.check_keys(cg, {"layer_groups"});
    c.layer_groups = r.get<bool>(cg, "layer_groups", true);
  }
  c.output_dir = cr.path(root, "output_dir", true, false);
  r.finish();
  return c;
}

std::vector<std::string> config_files(const std::string& path) {
  const YamlReader r = YamlReader::compose(path);
  std::set<std::string> files{r.file()};
  std::function<void(const YAML::Node&)> walk = [&](const YAML::Node& node) {
    files.insert(r.file_of(node));
    if (node.IsMap())
      for (const auto& kv : node) walk(kv.second);
    if (node.IsSequence())
      for (const YAML::Node& item : node) walk(item);
  };
  walk(r.root());
  return {files.begin(), files.end()};
}

std::string show_config(const std::string& path, const std::vector<std::string>& overrides) {
  load_config(path, overrides);  // a config that does not check is not shown
  const YamlReader r = composed_config(path, overrides);
  std::string out;
  show(r, r.root(), "", out);
  return out;
}

}  // namespace tpuc
