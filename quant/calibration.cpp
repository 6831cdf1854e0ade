#include "quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ops/registry.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

constexpr int kBins = 2048;   // histogram resolution (TensorRT's)
constexpr int kLevels = 128;  // int8 magnitudes 0..127

double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  const double sp = std::accumulate(p.begin(), p.end(), 0.0),
               sq = std::accumulate(q.begin(), q.end(), 0.0);
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] > 0) kl += p[i] / sp * std::log((p[i] / sp) / (q[i] / sq));
  return kl;
}

using Threshold = std::function<double(const Histogram&)>;

// Every method: whether it needs the histogram, and how the threshold comes from the statistics.
struct Method {
  const char* name;
  bool histogram;
  Threshold (*make)(const CalibrationMethod&);
};

const Method kMethods[] = {
    {"max", false,
     [](const CalibrationMethod&) -> Threshold {
       return [](const Histogram& h) { return h.max; };
     }},
    {"percentile", true,
     [](const CalibrationMethod& m) -> Threshold {
       return [p = m.percentile](const Histogram& h) { return percentile_threshold(h, p); };
     }},
    {"kl", true, [](const CalibrationMethod&) -> Threshold { return kl_threshold; }},
    {"mse", true, [](const CalibrationMethod&) -> Threshold { return mse_threshold; }},
};

// A value an op bounds by definition (ops::OpDef::bounded) takes the observed max|x| whatever the
// method: KL clipped a trained detector's HardSigmoid gates below their saturated ones, scaling
// every gated channel down (its output cosine fell to 0.32).
bool keeps_whole_range(const Graph& top, const std::string& value) {
  const Node* producer = top.producer(value);
  const ops::OpDef* def = producer ? ops::find_op(producer->op) : nullptr;
  return def && def->bounded;
}

}  // namespace

double percentile_threshold(const Histogram& h, double percentile) {
  const double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0),
               want = total * percentile / 100.0;
  double seen = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    if (seen + h.counts[i] >= want && h.counts[i] > 0)  // interpolate inside the bin
      return (double(i) + (want - seen) / h.counts[i]) * h.bin_width();
    seen += h.counts[i];
  }
  return h.max;
}

// For each candidate range of i bins (128 ≤ i ≤ all): P is the histogram cut at i with the clipped
// tail added to its last bin; Q merges P's bins into 128 levels and spreads each level evenly over
// the bins that were non-empty. The i with the smallest KL(P‖Q) gives the threshold.
// The first bin holds every exact zero of a ReLU output; left as is, that spike dominates the
// divergence of any merge and drives the range far down, so it counts as its neighbour does (as
// NVIDIA's pytorch-quantization entropy calibrator does).
double kl_threshold(const Histogram& original) {
  Histogram h = original;
  const int bins = int(h.counts.size());
  if (bins <= kLevels) return h.max;
  h.counts[0] = h.counts[1];
  double best = std::numeric_limits<double>::infinity();
  int best_i = bins;
  for (int i = kLevels; i <= bins; ++i) {
    std::vector<double> p(h.counts.begin(), h.counts.begin() + i);
    p.back() += std::accumulate(h.counts.begin() + i, h.counts.end(), 0.0);
    if (std::accumulate(p.begin(), p.end(), 0.0) == 0) continue;
    std::vector<double> q(size_t(i), 0.0);
    for (int level = 0; level < kLevels; ++level) {
      const int start = level * i / kLevels, end = (level + 1) * i / kLevels;
      double sum = 0;
      int nonzero = 0;
      for (int k = start; k < end; ++k) {
        sum += h.counts[size_t(k)];
        nonzero += h.counts[size_t(k)] > 0;
      }
      for (int k = start; k < end; ++k)
        if (h.counts[size_t(k)] > 0) q[size_t(k)] = sum / nonzero;
    }
    for (int k = 0; k < i; ++k)  // P's last bin holds the tail; Q must cover it
      if (p[size_t(k)] > 0 && q[size_t(k)] == 0) q[size_t(k)] = 1e-9;
    const double kl = kl_divergence(p, q);
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return (double(best_i) + 0.5) * h.bin_width();
}

double mse_threshold(const Histogram& h) {
  double best = std::numeric_limits<double>::infinity(), best_t = h.max;
  for (size_t i = 1; i <= h.counts.size(); ++i) {
    const double t = double(i) * h.bin_width(), step = t / 127.0;
    double error = 0;
    for (size_t k = 0; k < h.counts.size(); ++k) {
      const double x = (double(k) + 0.5) * h.bin_width();
      error += h.counts[k] * (x <= t ? step * step / 12.0 : (x - t) * (x - t));
    }
    if (error < best) {
      best = error;
      best_t = t;
    }
  }
  return best_t;
}

CalibrationTable calibrate(const Graph& top, const std::vector<TensorMap>& samples,
                           const CalibrationMethod& method, bool progress) {
  const Method* m = nullptr;
  std::string known;
  for (const Method& candidate : kMethods) {
    if (method.name == candidate.name) m = &candidate;
    known += std::string(known.empty() ? "" : ", ") + candidate.name;
  }
  if (!m) throw Error("unknown calibration method '" + method.name + "' (known: " + known + ")");
  if (method.name == "percentile" && !(method.percentile > 0 && method.percentile <= 100))
    throw Error("calibration percentile must be in (0, 100]");
  if (samples.empty()) throw Error("calibration needs at least one sample");
  // Samples are shared out between threads, one executor each (kernels are shared process-wide):
  // the Halide kernels' parallel loops alone leave the statistics and small kernels on one core.
  // Every statistic is a min, a max or an integer count, so the result is the same for any split.
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, samples.size());
  std::vector<std::unique_ptr<host::Executor>> executors;
  for (size_t w = 0; w < workers; ++w) executors.push_back(std::make_unique<host::Executor>(top));
  std::map<std::string, Histogram> stats;
  std::map<std::string, std::pair<double, double>> range;
  std::mutex mutex;  // guards stats, range, progress and the first error
  std::exception_ptr error;
  const int passes = m->histogram ? 2 : 1;
  size_t done = 0;
  const size_t total = size_t(passes) * samples.size();
  for (int pass = 0; pass < passes; ++pass) {
    auto work = [&](size_t w) {
      std::map<std::string, std::pair<double, double>> my_range;
      std::map<std::string, std::vector<double>> my_counts;
      try {
        for (size_t s = w; s < samples.size(); s += workers) {
          for (const auto& [name, t] : executors[w]->run(samples[s], true)) {
            if (t.type.dtype != DType::F32 || top.is_constant(name)) continue;
            const float* x = t.as<float>();
            if (pass == 0) {
              auto& [lo, hi] = my_range.emplace(name, std::pair{0.0, 0.0}).first->second;
              for (int64_t i = 0; i < t.size(); ++i) {
                lo = std::min(lo, double(x[i]));
                hi = std::max(hi, double(x[i]));
              }
              continue;
            }
            std::vector<double>& counts = my_counts[name];
            if (counts.empty()) counts.assign(kBins, 0.0);
            const double max = stats.at(name).max;  // read only in this pass
            const double per_bin = max > 0 ? kBins / max : 0;
            for (int64_t i = 0; i < t.size(); ++i)
              counts[size_t(std::min<double>(kBins - 1, std::fabs(x[i]) * per_bin))] += 1;
          }
          std::lock_guard<std::mutex> lock(mutex);
          ++done;
          if (progress && (done * 20 / total != (done - 1) * 20 / total || done == total))
            std::fprintf(stderr, "\rcalibrating (%s): %zu/%zu", method.name.c_str(), done, total);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& [name, r] : my_range) {
        auto& [lo, hi] = range.emplace(name, std::pair{0.0, 0.0}).first->second;
        lo = std::min(lo, r.first);
        hi = std::max(hi, r.second);
      }
      for (const auto& [name, counts] : my_counts) {
        Histogram& h = stats.at(name);
        if (h.counts.empty()) h.counts.assign(kBins, 0.0);
        for (int i = 0; i < kBins; ++i) h.counts[size_t(i)] += counts[size_t(i)];
      }
    };
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
    work(0);
    for (std::thread& t : threads) t.join();
    if (error) std::rethrow_exception(error);
    if (pass == 0)
      for (const auto& [name, r] : range) stats[name].max = std::max(-r.first, r.second);
  }
  if (progress) std::fprintf(stderr, "\n");
  const Threshold threshold = m->make(method);
  CalibrationTable table;
  for (const auto& [name, h] : stats)
    table.threshold[name] = h.max > 0 ? (keeps_whole_range(top, name) ? h.max : threshold(h)) : 0.0;
  table.range = range;
  return table;
}

void write_calibration_table(const std::string& path, const CalibrationTable& table) {
  std::string text =
      "# tpuc calibration table: value threshold (|x| that maps to 127) min max (observed)\n";
  if (!table.key.empty()) text += "# key " + table.key + "\n";
  char line[96];
  for (const auto& [name, threshold] : table.threshold) {
    auto it = table.range.find(name);
    const auto [lo, hi] = it != table.range.end() ? it->second : std::pair{-threshold, threshold};
    std::snprintf(line, sizeof line, " %.9g %.9g %.9g\n", threshold, lo, hi);
    text += name + line;
  }
  write_file_atomic(path, text);
}

std::string read_calibration_key(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line) && !line.empty() && line[0] == '#')
    if (line.rfind("# key ", 0) == 0) return line.substr(6);
  return "";
}

CalibrationTable read_calibration_table(const std::string& path) {
  std::istringstream in(read_file(path));
  CalibrationTable table;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.rfind("# key ", 0) == 0) table.key = line.substr(6);
    if (line.empty() || line[0] == '#') continue;
    // From the right, as value names may hold spaces: threshold, min, max.
    double fields[3];
    size_t end_of_name = line.size();
    bool ok = true;
    for (int f = 2; f >= 0 && ok; --f) {
      const size_t space = line.rfind(' ', end_of_name - 1);
      char* end = nullptr;
      ok = space != std::string::npos && space > 0 && end_of_name > space + 1;
      if (ok)
        fields[f] = std::strtod(line.substr(space + 1, end_of_name - space - 1).c_str(), &end);
      ok = ok && *end == '\0';
      end_of_name = space;
    }
    if (!ok || !(fields[0] >= 0) || !(fields[1] <= 0) || !(fields[2] >= 0))
      fail_at(path, number, 1,
              "expected '<value name> <threshold> <min> <max>' with threshold >= 0 and min <= 0 <= "
              "max");
    const std::string name = line.substr(0, end_of_name);
    table.threshold[name] = fields[0];
    table.range[name] = {fields[1], fields[2]};
  }
  return table;
}

}  // namespace tpuc::quant
