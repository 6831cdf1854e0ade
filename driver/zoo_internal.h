// What `tpuc zoo`'s two executors share (docs/zoo.md): the manifest, the content hash that
// decides whether a model is converted again, one model's outcome as its zoo.json records it, the
// progress lines and the summary. The local executor (driver/zoo.cpp) runs the compiles itself;
// the Slurm executor (driver/zoo_slurm.cpp) submits a job array whose tasks each run
// `tpuc zoo --run-task NAME`, the local executor for one model.
#pragma once
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "driver/commands.h"

namespace tpuc::zoo {

struct Entry {
  std::string name, config;
  double min_cosine = std::nan("");  // NaN: the config's tolerance
  double timeout_s = 0;
  std::vector<std::string> overrides;  // `set:` keys for `tpuc compile --set`
};

struct Manifest {
  std::string output_dir;
  std::vector<Entry> models;
};

Manifest read_manifest(const std::string& path);

// The files that decide an entry's conversion (its config's, the model, chip, pipeline, policy
// and dataset files the config names).
std::vector<std::string> inputs_of(const Entry& e);
// The SHA-256 of the compiler binary at `compiler_path` (the compiler and every schedule in it).
std::string compiler_hash(const std::string& compiler_path);
// The entry's content hash: the compiler's, the entry, its resolved config and its input files.
std::string content_hash(const Entry& e, const std::string& compiler);

// One model's outcome, as zoo.json records it.
struct Outcome {
  // PASS, FAIL (outside tolerance), ERROR (the compiler refused), INTERNAL (an internal error in
  // the compiler: a bug), CRASH, TIMEOUT; under Slurm also OUT_OF_MEMORY, NODE_FAIL, CANCELLED
  std::string status;
  std::string reason;  // for anything but PASS: the compiler's error line, the signal, the limit
  double wall_s = 0;
  bool skipped = false;
  nlohmann::json report;      // the compile's report.json, when it wrote one
  std::string failing_layer;  // the layer an error names, when it names one
};

nlohmann::json record(const Outcome& o);
// The outcome `<dir>/zoo.json` records, when its content hash is `hash`.
std::optional<Outcome> recorded_outcome(const std::string& dir, const std::string& hash);
// Writes the outcome and hash to `<partial>/zoo.json` and renames `partial` to `dir`: the model's
// folder appears whole.
void seal(const std::string& partial, const std::string& dir, const Outcome& o,
          const std::string& hash);

// The lines on stderr: one per model as it ends and, on a terminal, a live line below them.
class Progress {
 public:
  explicit Progress(size_t total);
  void finished(const std::string& name, const Outcome& o);
  // The live line: "N of M done, F failed; <activity>".
  void show(const std::string& activity);
  void end() const;

 private:
  size_t total_, done_ = 0, failed_ = 0;
  std::string activity_;
  bool tty_;  // stderr is a terminal: a live line
};

// The table on stdout, and for a whole run (not --only) report.json and zoo.html; 1 when any
// model does not pass.
int summarize(const Manifest& m, const nlohmann::ordered_json& summary, bool whole);

// `--executor slurm` and `--collect` (driver/zoo_slurm.cpp).
int slurm_zoo(const ZooOptions& options);

}  // namespace tpuc::zoo
