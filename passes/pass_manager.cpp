#include "passes/pass_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "ir/diagnostics.h"
#include "ir/text.h"
#include "ir/verifier.h"
#include "ir/yaml.h"

namespace tpuc::passes {

std::vector<std::string> PassOptions::strings(const std::string& key,
                                              std::vector<std::string> fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second.as<std::vector<std::string>>();
}

std::string PassOptions::string(const std::string& key, std::string fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second.as<std::string>();
}

std::vector<double> PassOptions::numbers(const std::string& key,
                                         std::vector<double> fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second.as<std::vector<double>>();
}

int64_t PassOptions::integer(const std::string& key, int64_t fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second.as<int64_t>();
}

const PassInfo* find_pass(const std::string& name) {
  for (const PassInfo& p : all_passes())
    if (name == p.name) return &p;
  return nullptr;
}

namespace {

// What each option kind must parse as, and how errors name it.
const std::map<OptionSpec::Kind, std::pair<void (*)(const YAML::Node&), const char*>> kKinds = {
    {OptionSpec::Int, {[](const YAML::Node& v) { v.as<int64_t>(); }, "an integer"}},
    {OptionSpec::String, {[](const YAML::Node& v) { v.as<std::string>(); }, "a string"}},
    {OptionSpec::StringList,
     {[](const YAML::Node& v) { v.as<std::vector<std::string>>(); }, "a list of strings"}},
    {OptionSpec::NumberList,
     {[](const YAML::Node& v) { v.as<std::vector<double>>(); }, "a list of numbers"}},
};

bool has_kind(const YAML::Node& v, OptionSpec::Kind kind) {
  try {
    kKinds.at(kind).first(v);
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

std::string suggestion(const std::string& name) {
  std::string best;
  size_t best_score = 0;
  for (const PassInfo& p : all_passes()) {  // the longest common prefix is a good enough hint
    size_t k = 0;
    while (k < name.size() && p.name[k] && name[k] == p.name[k]) ++k;
    if (k > best_score) {
      best_score = k;
      best = p.name;
    }
  }
  return best_score >= 3 ? "; did you mean '" + best + "'?" : "";
}

bool selected(const std::vector<std::string>& list, const std::string& pass) {
  return std::find(list.begin(), list.end(), pass) != list.end() ||
         std::find(list.begin(), list.end(), "all") != list.end();
}

Pipeline read_pipeline(YamlReader& r) {
  Pipeline p{r.file(), {}};
  r.check_keys(r.root(), {"passes"});
  const YAML::Node list = r.root()["passes"];
  if (!list || !list.IsSequence()) {
    r.error(r.root(), "'passes' must be a list of pass names or {name, options} maps");
    r.finish();
  }
  for (const YAML::Node& entry : list) {
    const YAML::Node name_node = entry.IsMap() ? entry["name"] : entry;
    if (entry.IsMap()) r.check_keys(entry, {"name", "options"});
    if (!name_node || !name_node.IsScalar()) {
      r.error(entry, "a pass is a name or a map with 'name'");
      continue;
    }
    const std::string name = name_node.as<std::string>();
    const PassInfo* info = find_pass(name);
    if (!info) {
      r.error(name_node, "unknown pass '" + name + "'" + suggestion(name));
      continue;
    }
    PipelineStep step{info, {}};
    if (entry.IsMap() && entry["options"]) {
      const YAML::Node opts = entry["options"];
      if (!opts.IsMap()) {
        r.error(opts, "'options' must be a map");
        continue;
      }
      for (const auto& kv : opts) {
        const std::string key = kv.first.as<std::string>();
        auto spec = std::find_if(info->options.begin(), info->options.end(),
                                 [&](const OptionSpec& o) { return key == o.name; });
        if (spec == info->options.end()) {
          r.error(kv.first, "pass '" + name + "' has no option '" + key + "'");
        } else if (!has_kind(kv.second, spec->kind)) {
          r.error(kv.second, "option '" + key + "' of pass '" + name + "' must be " +
                                 kKinds.at(spec->kind).second);
        } else {
          step.options.values[key] = kv.second;
        }
      }
    }
    p.steps.push_back(step);
  }
  r.finish();
  return p;
}

}  // namespace

Pipeline load_pipeline(const std::string& yaml_path) {
  YamlReader r(yaml_path);
  return read_pipeline(r);
}

Pipeline parse_pipeline(const std::string& yaml_text, const std::string& name) {
  YamlReader r(yaml_text, name);
  return read_pipeline(r);
}

Pipeline make_pipeline(const std::vector<std::string>& names) {
  Pipeline p{"<command line>", {}};
  for (const std::string& name : names) {
    const PassInfo* info = find_pass(name);
    if (!info) throw Error("unknown pass '" + name + "'" + suggestion(name));
    p.steps.push_back({info, {}});
  }
  return p;
}

namespace {

// "model.onnx (opset 11): ", or nothing for a graph read from .tpuir (its errors name the file).
std::string origin_prefix(const Graph& g) { return g.origin.empty() ? "" : g.origin + ": "; }

// Runs `pass`; the errors it raises name the model and opset the graph came from, so a node
// refused by shape inference reads "model.onnx (opset 11): node 'p' (MaxPool): ...".
void run_naming_origin(const PassInfo& pass, Graph& g, const PassOptions& options) {
  try {
    pass.run(g, options);
  } catch (const Unsupported& e) {
    throw Unsupported(origin_prefix(g) + e.what());
  } catch (const Error& e) {
    throw Error(origin_prefix(g) + e.what());
  }
}

}  // namespace

void run_pipeline(Graph& g, const Pipeline& p, const PipelineOptions& options) {
  struct Timing {
    std::string pass;
    double ms;
  };
  std::vector<Timing> timings;
  int index = 0;
  auto dump = [&](const std::string& when, const std::string& pass) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02d-", index);
    write_tpuir(g, (options.dump_dir.empty() ? "." : options.dump_dir) + "/" + prefix + pass + "." +
                       when + ".tpuir");
  };
  for (const PipelineStep& step : p.steps) {
    ++index;
    const std::string name = step.pass->name;
    if (step.pass->needs_types) {
      try {
        verify(g, {.require_types = true});
      } catch (const Error& e) {
        throw Error(p.file + ": pass '" + name +
                    "' needs a fully typed graph (run shape-inference first): " + e.what());
      }
    }
    if (selected(options.dump_before, name)) dump("before", name);
    const auto start = std::chrono::steady_clock::now();
    run_naming_origin(*step.pass, g, step.options);
    timings.push_back(
        {name, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                   .count()});
    if (options.verify) {
      try {
        verify(g);
      } catch (const Error& e) {
        throw Error(origin_prefix(g) + "after pass '" + name + "': " + e.what());
      }
    }
    if (selected(options.dump_after, name)) dump("after", name);
  }
  if (options.time_passes) {
    double total = 0;
    for (const Timing& t : timings) total += t.ms;
    std::fprintf(stderr, "pass timing (%s)\n", p.file.c_str());
    for (const Timing& t : timings)
      std::fprintf(stderr, "  %8.3f ms  %5.1f%%  %s\n", t.ms, total > 0 ? 100 * t.ms / total : 0.0,
                   t.pass.c_str());
    std::fprintf(stderr, "  %8.3f ms  total\n", total);
  }
}

}  // namespace tpuc::passes
