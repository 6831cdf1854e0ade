// `tpuc zoo`: converts every model of a manifest (docs/zoo.md), each `tpuc compile` in its own
// process so a crash, an out-of-memory or a timeout in one never stops the others; N at a time;
// a model whose inputs (compiler binary, resolved config, model, chip, pipeline, policy, datasets)
// hash as in its last run is skipped with --resume. Each model's folder appears whole: the compile
// runs in `<name>.partial/` and is renamed when it ends. A summary table, report.json and zoo.html.
// With --executor slurm, driver/zoo_slurm.cpp submits the models as a Slurm job array instead;
// each task runs this file's executor for one model (`tpuc zoo --run-task NAME`).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "driver/commands.h"
#include "driver/config.h"
#include "driver/zoo_internal.h"
#include "driver/zoo_page.h"
#include "ir/diagnostics.h"
#include "ir/digest.h"
#include "ir/files.h"
#include "ir/yaml.h"

extern char** environ;

namespace tpuc::zoo {

namespace fs = std::filesystem;

Manifest read_manifest(const std::string& path) {
  YamlReader r(path);
  const YAML::Node& y = r.root();
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_relative() ? (dir / p).lexically_normal().string() : p;
  };
  r.check_keys(y, {"output_dir", "timeout_s", "models"});
  Manifest m;
  m.output_dir = resolve(r.require<std::string>(y, "output_dir"));
  const double timeout = r.get<double>(y, "timeout_s", 1800);
  if (!y["models"] || !y["models"].IsSequence() || y["models"].size() == 0)
    r.error(y, "'models' must be a non-empty list");
  std::map<std::string, int> seen;
  for (const YAML::Node& e : y["models"]) {
    r.check_keys(e, {"name", "config", "min_cosine", "timeout_s", "set"});
    Entry entry{r.require<std::string>(e, "name"), resolve(r.require<std::string>(e, "config")),
                r.get<double>(e, "min_cosine", std::nan("")),
                r.get<double>(e, "timeout_s", timeout),
                r.get<std::vector<std::string>>(e, "set", {})};
    if (entry.name.empty() || entry.name.find_first_of("/ ") != std::string::npos)
      r.error(e["name"], "a name is a folder name: no '/' or spaces");
    if (seen[entry.name]++) r.error(e["name"], "'" + entry.name + "' is listed twice");
    if (!(entry.timeout_s > 0))
      r.error(e["timeout_s"] ? e["timeout_s"] : y["timeout_s"], "'timeout_s' must be positive");
    m.models.push_back(entry);
  }
  r.finish();
  return m;
}

namespace {

std::vector<std::string> compile_overrides(const Entry& e) {
  std::vector<std::string> o = e.overrides;
  if (!std::isnan(e.min_cosine))
    o.push_back("validation.tolerance.min_cosine=" + std::to_string(e.min_cosine));
  return o;
}

}  // namespace

// The files that decide an entry's conversion: its config's files, and the model, chip, pipeline,
// policy and dataset files the config names (a folder's files in name order). A config that does
// not load names only its own file (the compile will report it).
std::vector<std::string> inputs_of(const Entry& e) {
  std::vector<std::string> files;
  try {
    const CompileConfig c = load_config(e.config, compile_overrides(e));
    files = config_files(e.config);
    for (const std::string& p : {c.model, c.chip, c.pipeline, c.policy, c.calibration.images,
                                 c.calibration.labels, c.validation.images, c.validation.labels}) {
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) files.push_back(p);
      if (!fs::is_directory(p, ec)) continue;
      std::vector<std::string> folder;
      for (const auto& f : fs::recursive_directory_iterator(p, ec))
        if (f.is_regular_file()) folder.push_back(f.path().string());
      std::sort(folder.begin(), folder.end());
      files.insert(files.end(), folder.begin(), folder.end());
    }
  } catch (const Error&) {
    files = {e.config};
  }
  return files;
}

std::string compiler_hash(const std::string& compiler_path) {
  Digest d;
  d.add_path(compiler_path);
  return d.hex();
}

std::string content_hash(const Entry& e, const std::string& compiler) {
  Digest d;
  d.add(compiler);
  d.add(e.name);
  const std::vector<std::string> overrides = compile_overrides(e);
  try {
    d.add(show_config(e.config, overrides));
  } catch (const Error& error) {
    d.add(error.what());
  }
  for (const std::string& f : inputs_of(e)) d.add_path(f);
  return d.hex();
}

nlohmann::json record(const Outcome& o) {
  nlohmann::json j{{"status", o.status}, {"wall_s", o.wall_s}, {"skipped", o.skipped}};
  if (!o.reason.empty()) j["reason"] = o.reason;
  if (!o.failing_layer.empty()) j["failing_layer"] = o.failing_layer;
  if (!o.report.is_null()) j["report"] = o.report;
  return j;
}

std::optional<Outcome> recorded_outcome(const std::string& dir, const std::string& hash) {
  std::error_code ec;
  const std::string file = dir + "/zoo.json";
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_file(file));
    if (j.at("hash") != hash) return std::nullopt;
    return Outcome{j.at("status"),
                   j.value("reason", ""),
                   j.at("wall_s"),
                   false,
                   j.value("report", nlohmann::json()),
                   j.value("failing_layer", "")};
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: convert again
  }
}

void seal(const std::string& partial, const std::string& dir, const Outcome& o,
          const std::string& hash) {
  nlohmann::json zoo = record(o);
  zoo["hash"] = hash;
  write_file_atomic(partial + "/zoo.json", zoo.dump(2) + "\n");
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::rename(partial, dir);  // the folder appears whole
}

Progress::Progress(size_t total) : total_(total), tty_(isatty(2)) {}

void Progress::finished(const std::string& name, const Outcome& o) {
  ++done_;
  failed_ += o.status != "PASS";
  if (tty_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "[zoo] %-24s %-7s %7.1f s%s%s\n", name.c_str(), o.status.c_str(), o.wall_s,
               o.skipped ? "  (unchanged: skipped)" : "",
               o.reason.empty() ? "" : ("  " + o.reason).c_str());
  show(activity_);
}

void Progress::show(const std::string& activity) {
  activity_ = activity;
  if (!tty_) return;
  std::fprintf(stderr, "\r\033[K[zoo] %zu of %zu done, %zu failed; %s", done_, total_, failed_,
               activity_.c_str());
  std::fflush(stderr);
}

void Progress::end() const {
  if (tty_) std::fprintf(stderr, "\n");
}

namespace {

using Clock = std::chrono::steady_clock;

// `ninja -C <output_dir>` reconverts the models whose inputs changed (their mtimes), then the
// summary; a model that converts but does not pass is a finished edge, not a failed build.
void write_ninja(const Manifest& m, const std::string& manifest_path, const std::string& compiler) {
  auto escape = [](const std::string& path) {
    std::string out;
    for (char c : path)
      out += (c == '$' || c == ' ' || c == ':') ? std::string("$") + c : std::string(1, c);
    return out;
  };
  std::string n = "# Written by `tpuc zoo --emit-ninja`: `ninja -C " + m.output_dir +
                  " -j N` reconverts what changed.\n";
  n += "tpuc = " + escape(compiler) +
       "\nmanifest = " + escape(fs::absolute(manifest_path).string()) + "\n\n";
  n += "rule convert\n  command = $tpuc zoo --manifest $manifest --only $name || [ $$? -eq 1 ]\n  "
       "description = convert $name\n\n";
  n += "rule summary\n  command = $tpuc zoo --manifest $manifest --resume || [ $$? -eq 1 ]\n  "
       "description = summarize the zoo\n\n";
  std::string outcomes;
  for (const Entry& e : m.models) {
    n += "build " + escape(e.name) + "/zoo.json: convert";
    for (const std::string& f : inputs_of(e)) n += " " + escape(fs::absolute(f).string());
    n += " | $tpuc $manifest\n  name = " + e.name + "\n";
    outcomes += " " + escape(e.name) + "/zoo.json";
  }
  n += "\nbuild report.json zoo.html: summary" + outcomes + "\ndefault report.json\n";
  fs::create_directories(m.output_dir);
  write_file_atomic((fs::path(m.output_dir) / "build.ninja").string(), n);
}

// The layer an error message names: "node 'NAME' ..." (the compiler's errors name the node).
std::string failing_layer(const std::string& reason) {
  const std::string tag = "node '";
  const size_t at = reason.find(tag);
  if (at == std::string::npos) return "";
  const size_t end = reason.find('\'', at + tag.size());
  return end == std::string::npos ? "" : reason.substr(at + tag.size(), end - at - tag.size());
}

// Which of the validation's limits a FAIL broke, from the compile's report.
std::string tolerance_reason(const nlohmann::json& report) {
  const nlohmann::json v = report.value("validation", nlohmann::json::object()),
                       t = v.value("tolerance", nlohmann::json::object());
  std::string why;
  auto add = [&](const std::string& s) { why += (why.empty() ? "" : "; ") + s; };
  char buf[96];
  if (v.contains("cosine_mean") && t.contains("min_cosine") &&
      v["cosine_mean"].get<double>() < t["min_cosine"].get<double>()) {
    std::snprintf(buf, sizeof buf, "output cosine %.4f < %.4f", v["cosine_mean"].get<double>(),
                  t["min_cosine"].get<double>());
    add(buf);
  }
  if (v.contains("accuracy_drop") && t.contains("max_accuracy_drop") &&
      v["accuracy_drop"].get<double>() > t["max_accuracy_drop"].get<double>()) {
    std::snprintf(buf, sizeof buf, "accuracy drop %.2f > %.2f points",
                  v["accuracy_drop"].get<double>(), t["max_accuracy_drop"].get<double>());
    add(buf);
  }
  if (v.contains("bit_exact") && !v["bit_exact"].get<bool>())
    add("the chip differs from the host reference on " +
        std::to_string(v.value("count", 0) - v.value("bit_exact_samples", 0)) + " samples");
  return why.empty() ? "outside the validation tolerance" : why;
}

// The rest of the last line of a log that holds `tag`, after the tag; empty when none does.
std::string after_last(const std::string& log, const std::string& tag) {
  const size_t at = log.rfind(tag);
  if (at == std::string::npos) return "";
  const size_t from = at + tag.size();
  return log.substr(from, log.find('\n', from) - from);
}

struct Job {
  const Entry* entry;
  std::string hash, dir, partial;
  pid_t pid = -1;
  Clock::time_point start;
  bool timed_out = false;
};

// How a compile ended, from waitpid's `status` and its log: see Outcome::status. tpuc exits with 1
// outside tolerance, 2 on a user error and 3 on an internal error (cli/main.cpp).
void classify(const Job& job, int status, const std::string& log, Outcome& o) {
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (job.timed_out) {
    o.status = "TIMEOUT";
    o.reason = "over the time limit of " + std::to_string(int(job.entry->timeout_s)) + " s";
  } else if (WIFSIGNALED(status)) {
    o.status = "CRASH";
    o.reason = std::string("killed by signal ") + strsignal(WTERMSIG(status));
  } else if (code == 0) {
    o.status = "PASS";
  } else if (code == 1) {
    o.status = "FAIL";
    o.reason = tolerance_reason(o.report);
  } else if (code == 3) {
    o.status = "INTERNAL";
    const std::string message = after_last(log, "tpuc: internal error ");
    o.reason = message.empty() ? "exit code 3" : "internal error " + message;
  } else {
    o.status = "ERROR";
    o.reason = after_last(log, "tpuc: error: ");
    if (o.reason.empty()) o.reason = "exit code " + std::to_string(code);
  }
}

class Runner {
 public:
  Runner(const Manifest& m, const ZooOptions& o, std::string compiler_path)
      : manifest_(m),
        options_(o),
        compiler_path_(std::move(compiler_path)),
        compiler_(compiler_hash(compiler_path_)) {}

  nlohmann::ordered_json run() {
    fs::create_directories(manifest_.output_dir);
    std::vector<const Entry*> queue;
    for (const Entry& e : manifest_.models)
      if (options_.only.empty() || e.name == options_.only) queue.push_back(&e);
    if (queue.empty())
      throw Error("--only " + options_.only + ": no model of that name in the manifest");
    progress_ = std::make_unique<Progress>(queue.size());
    std::map<std::string, Outcome> outcomes;
    size_t next = 0;
    while (next < queue.size() || !running_.empty()) {
      while (next < queue.size() && int(running_.size()) < options_.jobs) {
        const Entry& e = *queue[next++];
        Job job{&e,
                content_hash(e, compiler_),
                (fs::path(manifest_.output_dir) / e.name).string(),
                "",
                -1,
                Clock::now()};
        job.partial = job.dir + ".partial";
        std::optional<Outcome> previous;
        if (options_.resume) previous = recorded_outcome(job.dir, job.hash);
        if (previous) {
          previous->skipped = true;
          outcomes[e.name] = *previous;
          progress_->finished(e.name, *previous);
          continue;
        }
        start(job);
      }
      reap(outcomes);
    }
    progress_->end();
    nlohmann::ordered_json summary = nlohmann::ordered_json::object();
    for (const Entry* e : queue) summary[e->name] = record(outcomes.at(e->name));
    return summary;
  }

 private:
  void start(Job job) {
    std::error_code ec;
    fs::remove_all(job.partial, ec);
    fs::create_directories(job.partial);
    std::vector<std::string> args{compiler_path_,    "compile", "--config",
                                  job.entry->config, "--set",   "output_dir=" + job.partial};
    for (const std::string& o : compile_overrides(*job.entry))
      args.insert(args.end(), {"--set", o});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = job.partial + "/compile.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);  // its own process group: a timeout kills all of it
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    const int rc =
        posix_spawn(&job.pid, compiler_path_.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw Error("cannot start " + compiler_path_ + ": " + std::strerror(rc));
    job.start = Clock::now();
    running_.push_back(job);
    show_progress();
  }

  // Collects finished processes and kills those over their time limit.
  void reap(std::map<std::string, Outcome>& outcomes) {
    for (size_t k = 0; k < running_.size();) {
      Job& job = running_[k];
      int status = 0;
      const pid_t done = waitpid(job.pid, &status, WNOHANG);
      const double elapsed = std::chrono::duration<double>(Clock::now() - job.start).count();
      if (done == 0) {
        if (elapsed > job.entry->timeout_s && !job.timed_out) {
          kill(-job.pid, SIGKILL);
          job.timed_out = true;
        }
        ++k;
        continue;
      }
      const Outcome o = conclude(job, status, elapsed);
      outcomes[job.entry->name] = o;
      progress_->finished(job.entry->name, o);
      running_.erase(running_.begin() + std::ptrdiff_t(k));
    }
    if (!running_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  Outcome conclude(const Job& job, int status, double elapsed) {
    Outcome o;
    o.wall_s = elapsed;
    const std::string log = read_file(job.partial + "/compile.log");
    const std::string report = job.partial + "/report.json";
    std::error_code ec;
    if (fs::exists(report, ec)) o.report = nlohmann::json::parse(read_file(report), nullptr, false);
    classify(job, status, log, o);
    o.failing_layer = failing_layer(o.reason);
    seal(job.partial, job.dir, o, job.hash);
    return o;
  }

  void show_progress() {
    std::string names;
    for (const Job& j : running_) names += (names.empty() ? "" : ", ") + j.entry->name;
    progress_->show("converting: " + names);
  }

  const Manifest& manifest_;
  const ZooOptions& options_;
  std::string compiler_path_, compiler_;
  std::vector<Job> running_;
  std::unique_ptr<Progress> progress_;
};

std::string cell(const nlohmann::ordered_json& r, const char* section, const char* key,
                 const char* format, double scale = 1) {
  if (!r.contains("report") || !r["report"].contains(section) ||
      !r["report"][section].contains(key) || !r["report"][section][key].is_number())
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, r["report"][section][key].get<double>() * scale);
  return buf;
}

}  // namespace

int summarize(const Manifest& m, const nlohmann::ordered_json& summary, bool whole) {
  std::printf("%-24s %-8s %9s %9s %11s %9s %6s\n", "model", "status", "wall (s)", "cosine",
              "latency (ms)", "MAC util", "host");
  int failed = 0;
  for (const auto& [name, r] : summary.items()) {
    failed += r["status"] != "PASS";
    const std::string host = r.contains("report") && r["report"].contains("chip")
                                 ? std::to_string(r["report"]["chip"]["host_layers"].size())
                                 : "-";
    std::printf("%-24s %-8s %9.1f %9s %11s %9s %6s\n", name.c_str(),
                r["status"].get<std::string>().c_str(), r["wall_s"].get<double>(),
                cell(r, "validation", "cosine_mean", "%.4f").c_str(),
                cell(r, "chip", "latency_us", "%.3f", 1e-3).c_str(),
                cell(r, "chip", "mac_utilization", "%.1f%%", 100).c_str(), host.c_str());
  }
  if (whole) {
    const fs::path out = m.output_dir;
    write_file_atomic((out / "report.json").string(), summary.dump(2) + "\n");
    write_file_atomic((out / "zoo.html").string(), zoo_page(summary));
    std::printf("%zu models, %d not passing; %s/{report.json, zoo.html}\n", summary.size(), failed,
                out.string().c_str());
  } else {
    std::printf("%zu models, %d not passing\n", summary.size(), failed);
  }
  return failed ? 1 : 0;
}

}  // namespace tpuc::zoo

namespace tpuc {

int zoo_command(const ZooOptions& options) {
  if (options.jobs < 1) throw Error("-j must be at least 1");
  if (options.executor != "local" || options.collect) return zoo::slurm_zoo(options);
  if (options.no_wait || !options.partition.empty() || !options.account.empty() ||
      options.time_min || options.mem_mb || options.array_limit)
    throw Error(
        "--partition, --account, --time, --mem, --array-limit and --no-wait are for "
        "--executor slurm");
  const zoo::Manifest manifest = zoo::read_manifest(options.manifest);
  const std::string compiler = std::filesystem::read_symlink("/proc/self/exe").string();
  if (options.emit_ninja) {
    zoo::write_ninja(manifest, options.manifest, compiler);
    std::printf("%s/build.ninja: `ninja -C %s -j N` reconverts what changed\n",
                manifest.output_dir.c_str(), manifest.output_dir.c_str());
    return 0;
  }
  if (!options.run_task.empty()) {
    // A Slurm array task: one model as a local run converts it (--only NAME --resume); the
    // outcome is its zoo.json, so the task itself succeeds whenever it recorded one.
    ZooOptions task = options;
    task.only = options.run_task;
    task.resume = true;
    zoo::Runner(manifest, task, compiler).run();
    return 0;
  }
  const nlohmann::ordered_json summary = zoo::Runner(manifest, options, compiler).run();
  return zoo::summarize(manifest, summary, options.only.empty());
}

}  // namespace tpuc
