// `tpuc zoo --executor slurm`: the models not converted yet (by the content hash --resume uses)
// become one Slurm job array, each task running `tpuc zoo --run-task NAME`, the local executor for
// one model, into the model's own folder; the submission waits with a live line from squeue
// (Slurm's accounting, sacct, is often disabled) and then summarizes as a local run does.
// `--collect` summarizes a submission made with --no-wait. A task Slurm ends before it records an
// outcome (its time limit, memory limit, node failure, scancel) gets that as its outcome, from
// `scontrol show job` or else the line slurmstepd writes to the task's output.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "driver/zoo_internal.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

extern char** environ;

namespace tpuc::zoo {

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int code;            // the exit code; -1 when killed by a signal
  std::string output;  // stdout and stderr
};

// Runs a Slurm client command (found on PATH) and waits for it.
CommandResult run_command(std::vector<std::string> args) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw Error(std::string("cannot create a pipe: ") + strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  CommandResult result{-1, ""};
  char buf[4096];
  for (ssize_t n; rc == 0 && (n = read(pipe_fds[0], buf, sizeof buf)) > 0;)
    result.output.append(buf, size_t(n));
  close(pipe_fds[0]);
  if (rc != 0)
    throw Error("cannot run " + args[0] + ": " + strerror(rc) +
                " (is Slurm installed? scripts/install-deps.sh installs slurm-wlm)");
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  return result;
}

// The output of a command that must succeed.
std::string checked_output(const std::vector<std::string>& args) {
  const CommandResult r = run_command(args);
  if (r.code != 0) throw Error(args[0] + " failed: " + r.output);
  return r.output;
}

// Single quotes for bash.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One model of a submission; `task` is its array index, -1 when it was converted already.
struct Task {
  std::string name, hash;
  int task = -1;
  int minutes = 0;  // its Slurm time limit
};

// A submission, as <output_dir>/slurm/job.json records it for --collect.
struct Submission {
  std::string job_id;
  std::vector<Task> models;  // in manifest order
};

std::string slurm_dir(const Manifest& m) { return (fs::path(m.output_dir) / "slurm").string(); }
std::string submission_file(const Manifest& m) { return slurm_dir(m) + "/job.json"; }
std::string task_log(const Manifest& m, const Submission& s, const Task& t) {
  return slurm_dir(m) + "/" + s.job_id + "_" + std::to_string(t.task) + ".out";
}

void save(const Manifest& m, const Submission& s) {
  nlohmann::json models = nlohmann::json::array();
  for (const Task& t : s.models)
    models.push_back(
        {{"name", t.name}, {"hash", t.hash}, {"task", t.task}, {"minutes", t.minutes}});
  const nlohmann::json j{{"job_id", s.job_id}, {"models", models}};
  write_file_atomic(submission_file(m), j.dump(2) + "\n");
}

std::optional<Submission> load_submission(const Manifest& m) {
  const std::string file = submission_file(m);
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_file(file));
    Submission s{j.at("job_id"), {}};
    for (const nlohmann::json& t : j.at("models"))
      s.models.push_back({t.at("name"), t.at("hash"), t.at("task"), t.at("minutes")});
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": not a submission tpuc wrote: " + e.what());
  }
}

// The array indexes of the job still in Slurm's queue (pending, running, requeued, ...), with
// their states.
std::map<int, std::string> queued_tasks(const std::string& job_id) {
  const CommandResult r = run_command({"squeue", "-h", "-r", "-j", job_id, "-o", "%K %T"});
  // A job that left the queue long ago is unknown to squeue, an error.
  if (r.code != 0 && r.output.find("Invalid job id") == std::string::npos)
    throw Error("squeue failed (is SLURM_CONF set, slurmctld running?): " + r.output);
  std::map<int, std::string> tasks;
  std::istringstream lines(r.code == 0 ? r.output : "");
  int task = 0;
  std::string state;
  while (lines >> task >> state) tasks[task] = state;
  return tasks;
}

// The files the tasks read and the folder they write must be visible to the compute nodes as
// they are here: absolute paths (a task runs in another folder, maybe on another machine) that
// can be read (written, for the output folder).
void check_visible(const Manifest& m, const std::string& manifest_path,
                   const std::string& compiler) {
  auto require = [](const std::string& path, int mode, const std::string& what) {
    const char* const shared =
        " (the Slurm tasks read the manifest, configs, models and data and write the output "
        "folder: they must be on a filesystem the compute nodes share, docs/zoo.md)";
    if (!fs::path(path).is_absolute())
      throw Error(what + ": " + path + " is a relative path; make it absolute" + shared);
    if (access(path.c_str(), mode) != 0)
      throw Error(what + ": " + path + ": " + strerror(errno) + shared);
  };
  require(compiler, X_OK, "the tpuc executable");
  require(manifest_path, R_OK, "the manifest");
  for (const Entry& e : m.models)
    for (const std::string& file : inputs_of(e)) require(file, R_OK, "model '" + e.name + "'");
  fs::create_directories(slurm_dir(m));
  require(m.output_dir, W_OK, "the output folder");
}

// The batch script: task k converts model k.
std::string array_script(const Submission& s, const std::string& manifest_path,
                         const std::string& compiler) {
  std::string names;
  for (const Task& t : s.models)
    if (t.task >= 0) names += (names.empty() ? "" : " ") + quoted(t.name);
  return "#!/bin/bash\n# Written by `tpuc zoo --executor slurm`: array task k converts model k as "
         "a local run does.\nmodels=(" +
         names + ")\nexec " + quoted(compiler) + " zoo --manifest " + quoted(manifest_path) +
         " --run-task \"${models[$SLURM_ARRAY_TASK_ID]}\"\n";
}

// Submits the array held, gives each task its own time limit (tasks of equal limits in one
// update), then releases it.
std::string submit_array(const Manifest& m, const ZooOptions& o, const Submission& s,
                         const std::string& script) {
  int count = 0;
  int longest = 0;
  std::map<int, std::string> by_minutes;  // limit -> "i,j,k"
  for (const Task& t : s.models) {
    if (t.task < 0) continue;
    ++count;
    longest = std::max(longest, t.minutes);
    std::string& list = by_minutes[t.minutes];
    list += (list.empty() ? "" : ",") + std::to_string(t.task);
  }
  std::string array = "0-" + std::to_string(count - 1);
  if (o.array_limit > 0) array += "%" + std::to_string(o.array_limit);
  std::vector<std::string> sbatch{"sbatch",
                                  "--parsable",
                                  "--hold",
                                  "--job-name=tpuc-zoo",
                                  "--array=" + array,
                                  "--time=" + std::to_string(longest),
                                  "--output=" + slurm_dir(m) + "/%A_%a.out"};
  if (!o.partition.empty()) sbatch.push_back("--partition=" + o.partition);
  if (!o.account.empty()) sbatch.push_back("--account=" + o.account);
  if (o.mem_mb > 0) sbatch.push_back("--mem=" + std::to_string(o.mem_mb));
  sbatch.push_back(script);
  std::string job_id = checked_output(sbatch);
  job_id = job_id.substr(0, job_id.find_first_of(";\n"));  // "ID" or "ID;cluster"
  try {
    for (const auto& [minutes, tasks] : by_minutes)
      if (minutes != longest)
        checked_output({"scontrol", "update", "JobId=" + job_id + "_[" + tasks + "]",
                        "TimeLimit=" + std::to_string(minutes)});
    checked_output({"scontrol", "release", job_id});
  } catch (const Error&) {
    run_command({"scancel", job_id});
    throw;
  }
  return job_id;
}

// How Slurm ended a task: its JobState from scontrol (while slurmctld remembers the job,
// MinJobAge), else from the line slurmstepd writes to the task's output.
struct SlurmEnd {
  std::string state;  // TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, CANCELLED, FAILED, COMPLETED, ...
  std::string node;
  double run_s = 0;
};

std::string field(const std::string& text, const std::string& key) {
  const size_t at = text.find(" " + key + "=");
  if (at == std::string::npos) return "";
  const size_t from = at + key.size() + 2;
  return text.substr(from, text.find_first_of(" \n", from) - from);
}

// "[D-]HH:MM:SS" in seconds.
double run_seconds(const std::string& time) {
  int days = 0;
  int h = 0;
  int min = 0;
  int s = 0;
  if (std::sscanf(time.c_str(), "%d-%d:%d:%d", &days, &h, &min, &s) != 4) {
    days = 0;
    std::sscanf(time.c_str(), "%d:%d:%d", &h, &min, &s);
  }
  return ((days * 24.0 + h) * 60 + min) * 60 + s;
}

SlurmEnd slurm_end(const std::string& job_id, const Task& t, const std::string& log) {
  const CommandResult r =
      run_command({"scontrol", "show", "job", job_id + "_" + std::to_string(t.task)});
  if (r.code == 0)
    return {field(r.output, "JobState"), field(r.output, "NodeList"),
            run_seconds(field(r.output, "RunTime"))};
  std::error_code ec;
  const std::string out = fs::exists(log, ec) ? read_file(log) : "";
  for (const auto& [tag, state] : {std::pair{"DUE TO TIME LIMIT", "TIMEOUT"},
                                   {"DUE TO NODE FAIL", "NODE_FAIL"},
                                   {"oom_kill event", "OUT_OF_MEMORY"},
                                   {"CANCELLED", "CANCELLED"}})
    if (out.find(tag) != std::string::npos) return {state, "", 0};
  return {"UNKNOWN", "", 0};
}

// The outcome of a task that recorded none. A time or memory limit is the model's outcome, kept
// in its folder as a local run keeps a TIMEOUT; a node failure or a cancellation is not, and the
// next submission converts the model again.
Outcome killed_outcome(const Manifest& m, const Submission& s, const Task& t, const ZooOptions& o) {
  const std::string log = task_log(m, s, t);
  const SlurmEnd end = slurm_end(s.job_id, t, log);
  Outcome out;
  out.status = end.state;
  out.wall_s = end.run_s;
  bool the_models = true;
  if (end.state == "TIMEOUT") {
    out.reason = "killed by Slurm at its time limit of " + std::to_string(t.minutes) + " min";
  } else if (end.state == "OUT_OF_MEMORY") {
    out.reason = "killed by Slurm over its memory limit" +
                 (o.mem_mb > 0 ? " of " + std::to_string(o.mem_mb) + " MB" : std::string());
  } else if (end.state == "NODE_FAIL") {
    out.reason = "its node " + end.node + " failed";
    the_models = false;
  } else if (end.state == "CANCELLED") {
    out.reason = "cancelled in Slurm (scancel)";
    the_models = false;
  } else {
    out.status = "ERROR";
    out.reason = "the Slurm task ended " + end.state + " without an outcome; its output: " + log;
    the_models = false;
  }
  if (!the_models) return out;
  const std::string dir = (fs::path(m.output_dir) / t.name).string();
  const std::string partial = dir + ".partial";
  fs::create_directories(partial);
  std::error_code ec;
  fs::copy_file(log, partial + "/slurm.log", fs::copy_options::overwrite_existing, ec);
  seal(partial, dir, out, t.hash);
  return out;
}

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

// While it lives, Ctrl-C sets `interrupted` instead of ending tpuc.
class InterruptGuard {
 public:
  InterruptGuard() {
    interrupted = 0;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

// Waits until every task of the submission has left Slurm's queue, a line per model as it ends,
// and returns the summary. With `cancel`, Ctrl-C cancels the array (scancel); the tasks it ends
// are CANCELLED.
nlohmann::ordered_json wait_and_collect(const Manifest& m, const Submission& s, const ZooOptions& o,
                                        bool cancel, bool& cancelled) {
  std::optional<InterruptGuard> guard;
  if (cancel) guard.emplace();
  Progress progress(s.models.size());
  std::map<std::string, Outcome> outcomes;
  std::set<int> waiting;
  for (const Task& t : s.models) {
    if (t.task >= 0) {
      waiting.insert(t.task);
      continue;
    }
    const std::string dir = (fs::path(m.output_dir) / t.name).string();
    std::optional<Outcome> done = recorded_outcome(dir, t.hash);
    if (!done) {
      done.emplace();
      done->status = "ERROR";
      done->reason = "its outcome is gone: " + dir + "/zoo.json";
    }
    done->skipped = true;
    outcomes[t.name] = *done;
    progress.finished(t.name, *done);
  }
  while (!waiting.empty()) {
    if (interrupted && !cancelled) {
      run_command({"scancel", s.job_id});
      cancelled = true;
      guard.reset();  // a second Ctrl-C ends tpuc
    }
    const std::map<int, std::string> queued = queued_tasks(s.job_id);
    std::string running;
    size_t pending = 0;
    for (const Task& t : s.models) {
      if (!waiting.count(t.task)) continue;
      const auto q = queued.find(t.task);
      if (q != queued.end()) {
        if (q->second == "RUNNING") running += (running.empty() ? "" : ", ") + t.name;
        pending += q->second != "RUNNING";
        continue;
      }
      const std::optional<Outcome> done =
          recorded_outcome((fs::path(m.output_dir) / t.name).string(), t.hash);
      outcomes[t.name] = done ? *done : killed_outcome(m, s, t, o);
      progress.finished(t.name, outcomes[t.name]);
      waiting.erase(t.task);
    }
    progress.show("Slurm job " + s.job_id + ": running: " + (running.empty() ? "-" : running) +
                  "; pending: " + std::to_string(pending));
    for (int k = 0; k < 20 && !waiting.empty() && !(interrupted && !cancelled); ++k)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  progress.end();
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  for (const Task& t : s.models) summary[t.name] = record(outcomes.at(t.name));
  return summary;
}

// Sorts the manifest's models into converted (by hash) and to convert, and submits the latter.
Submission submit(const Manifest& m, const ZooOptions& o, const std::string& manifest_path,
                  const std::string& compiler) {
  const std::optional<Submission> last = load_submission(m);
  if (last && !last->job_id.empty() && !queued_tasks(last->job_id).empty())
    throw Error("Slurm job " + last->job_id + " is still converting this zoo (" + m.output_dir +
                "): wait for it with `tpuc zoo --manifest " + manifest_path +
                " --collect`, or cancel it with `scancel " + last->job_id + "`");
  const std::string compiler_digest = compiler_hash(compiler);
  Submission s;
  int tasks = 0;
  for (const Entry& e : m.models) {
    Task t{e.name, content_hash(e, compiler_digest)};
    t.minutes = int(std::ceil(e.timeout_s / 60));
    if (o.time_min > 0) t.minutes = std::min(t.minutes, o.time_min);
    if (!recorded_outcome((fs::path(m.output_dir) / e.name).string(), t.hash)) t.task = tasks++;
    s.models.push_back(t);
  }
  if (tasks > 0) {
    const std::string script = slurm_dir(m) + "/array.sh";
    write_file_atomic(script, array_script(s, manifest_path, compiler));
    s.job_id = submit_array(m, o, s, script);
    std::fprintf(stderr, "[zoo] submitted Slurm job %s: %d of %zu models to convert\n",
                 s.job_id.c_str(), tasks, m.models.size());
  }
  save(m, s);  // --collect summarizes this submission, even one with nothing to convert
  return s;
}

void check_options(const ZooOptions& o) {
  if (o.emit_ninja) throw Error("--emit-ninja writes a ninja file for the local executor");
  if (!o.only.empty()) throw Error("--only converts one model with the local executor");
  if (o.jobs != 1)
    throw Error("-j: Slurm decides how many tasks run at once (--array-limit N caps them)");
  if (o.collect && o.no_wait) throw Error("--collect waits for the submission: not --no-wait");
}

}  // namespace

int slurm_zoo(const ZooOptions& options) {
  check_options(options);
  // Absolute, so that every path the manifest resolves is too: the tasks run in other folders.
  const std::string manifest_path = fs::absolute(options.manifest).lexically_normal().string();
  const Manifest m = read_manifest(manifest_path);
  Submission s;
  if (options.collect) {
    const std::optional<Submission> last = load_submission(m);
    if (!last)
      throw Error(submission_file(m) +
                  ": no Slurm submission to collect; submit with --executor slurm");
    s = *last;
  } else {
    const std::string compiler = fs::read_symlink("/proc/self/exe").string();
    check_visible(m, manifest_path, compiler);
    s = submit(m, options, manifest_path, compiler);
    if (options.no_wait && !s.job_id.empty()) {
      std::printf("%s\n", s.job_id.c_str());
      std::fprintf(stderr, "[zoo] `tpuc zoo --manifest %s --collect` gathers the results\n",
                   manifest_path.c_str());
      return 0;
    }
  }
  bool cancelled = false;
  const nlohmann::ordered_json summary =
      wait_and_collect(m, s, options, !options.collect, cancelled);
  const int code = summarize(m, summary, true);
  return cancelled ? 130 : code;
}

}  // namespace tpuc::zoo
