// The pass manager. Passes are registered by name in one table (pass_registry.cpp) with a summary,
// typed options and whether they need every value typed. A pipeline is a YAML list of passes
// (configs/pipelines/*.yaml, format in docs/passes.md); the manager — not the passes — checks the
// options, orders, verifies (ir/verifier.h), times, and dumps the graph before/after passes.
#pragma once
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::passes {

// A pass's option values, already checked against its declared option kinds.
class PassOptions {
 public:
  std::vector<std::string> strings(const std::string& key, std::vector<std::string> fallback) const;
  std::string string(const std::string& key, std::string fallback) const;
  std::vector<double> numbers(const std::string& key, std::vector<double> fallback) const;
  int64_t integer(const std::string& key, int64_t fallback) const;
  std::map<std::string, YAML::Node> values;
};

using PassFn = void (*)(Graph&, const PassOptions&);

struct OptionSpec {
  const char* name;
  enum Kind { Int, String, StringList, NumberList } kind;
  const char* doc;
};

struct PassInfo {
  const char* name;
  const char* summary;
  PassFn run;
  std::vector<OptionSpec> options;
  bool needs_types;  // the manager runs it only on a fully typed graph
  // The ops it turns into others the targets run (in the cases docs/passes.md states): what
  // docs/ops.md lists for an op without a chip schedule of its own.
  std::vector<const char*> rewrites = {};
};

const std::vector<PassInfo>& all_passes();
const PassInfo* find_pass(const std::string& name);

struct PipelineStep {
  const PassInfo* pass;
  PassOptions options;
};

struct Pipeline {
  std::string file;
  std::vector<PipelineStep> steps;
};

struct PipelineOptions {
  std::string dump_dir;                              // where dumps go
  std::vector<std::string> dump_after, dump_before;  // pass names, or "all"
  bool time_passes = false;                          // a timing table on stderr
  bool verify = true;                                // verify after every pass
};

Pipeline load_pipeline(const std::string& yaml_path);
Pipeline parse_pipeline(const std::string& yaml_text,
                        const std::string& name);  // the same format, from text
// `names`: a list of pass names with default options (e.g. from a test).
Pipeline make_pipeline(const std::vector<std::string>& names);
void run_pipeline(Graph& g, const Pipeline& p, const PipelineOptions& options = {});

// What makes a freshly imported graph runnable on the host: `tpuc run` and `tpuc import` on .onnx,
// the conformance harness and the benches use it; compile configs start the same way.
inline Pipeline import_pipeline() {
  return make_pipeline({"canonicalize", "fold-constants", "shape-inference"});
}

}  // namespace tpuc::passes
