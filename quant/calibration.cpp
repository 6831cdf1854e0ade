#include "quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/parallel.h"
#include "ir/progress.h"
#include "ops/attrs.h"
#include "ops/registry.h"
#include "quant/method_choice.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

constexpr int kBins = 2048;   // histogram resolution (TensorRT's)
constexpr int kLevels = 128;  // int8 magnitudes 0..127
// Starts the table's second part: lines of a channel count, the means, then the value's name.
constexpr const char* kMeansHeader = "# channel means: count, one mean per channel, value";

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
    {"auto", true, nullptr},  // quant/method_choice.h
};

const Method* find_method(const std::string& name) {
  for (const Method& m : kMethods)
    if (name == m.name) return &m;
  return nullptr;
}

// A value an op bounds by definition (ops::OpDef::bounded) takes the observed max|x| whatever the
// method: KL clipped a trained detector's HardSigmoid gates below their saturated ones, scaling
// every gated channel down (its output cosine fell to 0.32).
bool keeps_whole_range(const Graph& top, const std::string& value) {
  const Node* producer = top.producer(value);
  const ops::OpDef* def = producer ? ops::find_op(producer->op) : nullptr;
  return def && def->bounded;
}

using Ranges = std::map<std::string, std::pair<double, double>>;

void widen(Ranges& ranges, const std::string& name, std::pair<double, double> lo_hi) {
  auto& [lo, hi] = ranges.emplace(name, std::pair{0.0, 0.0}).first->second;
  lo = std::min(lo, lo_hi.first);
  hi = std::max(hi, lo_hi.second);
}

void widen_range(Ranges& ranges, const std::string& name, const Tensor& t) {
  const float* x = t.as<float>();
  std::pair<double, double> lo_hi{0.0, 0.0};
  for (int64_t i = 0; i < t.size(); ++i) {
    lo_hi.first = std::min(lo_hi.first, double(x[i]));
    lo_hi.second = std::max(lo_hi.second, double(x[i]));
  }
  widen(ranges, name, lo_hi);
}

// |x| into kBins equal bins over [0, max].
void count_magnitudes(std::map<std::string, std::vector<double>>& counts, const std::string& name,
                      const Tensor& t, double max) {
  std::vector<double>& bins = counts[name];
  if (bins.empty()) bins.assign(kBins, 0.0);
  const double per_bin = max > 0 ? kBins / max : 0;
  const float* x = t.as<float>();
  for (int64_t i = 0; i < t.size(); ++i)
    bins[size_t(std::min<double>(kBins - 1, std::fabs(x[i]) * per_bin))] += 1;
}

// The data inputs of the Conv and Gemm layers, each with the axis of its channels.
std::map<std::string, int> channel_axes(const Graph& top) {
  std::map<std::string, int> axes;
  for (const Node& n : top.nodes) {
    if (n.inputs.empty() || top.is_constant(n.inputs[0])) continue;
    const int rank = int(top.type(n.inputs[0]).shape.size());
    if (n.op == "Conv" && rank >= 2) axes[n.inputs[0]] = 1;
    if (n.op == "Gemm" && rank == 2) axes[n.inputs[0]] = ops::GemmAttrs::of(n).trans_a ? 0 : 1;
  }
  return axes;
}

// The mean of each slice of `t` along `axis`.
std::vector<double> channel_means(const Tensor& t, int axis) {
  const Shape& shape = t.type.shape;
  const int64_t channels = shape[size_t(axis)];
  int64_t inner = 1;
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<double> sum(size_t(channels), 0.0);
  const float* x = t.as<float>();
  for (int64_t i = 0; i < t.size(); ++i) sum[size_t(i / inner % channels)] += x[i];
  for (double& v : sum) v /= double(t.size() / channels);
  return sum;
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

std::vector<std::string> calibration_methods() {
  std::vector<std::string> names;
  for (const Method& m : kMethods) names.push_back(m.name);
  return names;
}

namespace {

// What the samples show of every f32 activation: |x| histograms (or only max |x|), the observed
// ranges and the channel means of Conv and Gemm inputs.
struct Statistics {
  std::map<std::string, Histogram> histograms;
  Ranges range;
  std::map<std::string, std::vector<double>> channel_mean;
};

// Samples are shared out between threads, one executor each (kernels are shared process-wide):
// the Halide kernels' parallel loops alone leave the statistics and small kernels on one core.
// Every statistic is a min, a max or an integer count, or kept per sample and summed in sample
// order, so the result is the same for any split.
Statistics collect(const Graph& top, const std::vector<TensorMap>& samples, bool histograms,
                   Progress& shown) {
  const size_t workers = worker_count(samples.size());
  std::vector<std::unique_ptr<host::Executor>> executors;
  for (size_t w = 0; w < workers; ++w) executors.push_back(std::make_unique<host::Executor>(top));
  Statistics st;
  const std::map<std::string, int> axes = channel_axes(top);
  std::vector<std::map<std::string, std::vector<double>>> means(samples.size());
  for (int pass = 0; pass < (histograms ? 2 : 1); ++pass) {
    std::vector<Ranges> ranges(workers);
    std::vector<std::map<std::string, std::vector<double>>> counts(workers);
    parallel_for(samples.size(), [&](size_t w, size_t s) {
      for (const auto& [name, t] : executors[w]->run(samples[s], true)) {
        if (t.type.dtype != DType::F32 || top.is_constant(name)) continue;
        if (pass == 0 && axes.count(name)) means[s][name] = channel_means(t, axes.at(name));
        if (pass == 0)
          widen_range(ranges[w], name, t);
        else  // max: read only in this pass
          count_magnitudes(counts[w], name, t, st.histograms.at(name).max);
      }
      shown.advance();
    });
    for (const Ranges& r : ranges)
      for (const auto& [name, lo_hi] : r) widen(st.range, name, lo_hi);
    for (const auto& c : counts)
      for (const auto& [name, bins] : c) {
        Histogram& h = st.histograms.at(name);
        if (h.counts.empty()) h.counts.assign(kBins, 0.0);
        for (int i = 0; i < kBins; ++i) h.counts[size_t(i)] += bins[size_t(i)];
      }
    if (pass == 0)
      for (const auto& [name, r] : st.range) st.histograms[name].max = std::max(-r.first, r.second);
  }
  for (const auto& sample : means)
    for (const auto& [name, m] : sample) {
      std::vector<double>& total = st.channel_mean[name];
      total.resize(m.size(), 0.0);
      for (size_t c = 0; c < m.size(); ++c) total[c] += m[c] / double(samples.size());
    }
  return st;
}

CalibrationTable table_of(const Graph& top, const Statistics& st, const Method& m,
                          const CalibrationMethod& options) {
  const Threshold threshold = m.make(options);
  CalibrationTable table;
  for (const auto& [name, h] : st.histograms)
    table.threshold[name] = h.max > 0 ? (keeps_whole_range(top, name) ? h.max : threshold(h)) : 0.0;
  table.range = st.range;
  table.channel_mean = st.channel_mean;
  return table;
}

}  // namespace

CalibrationTable calibrate(const Graph& top, const std::vector<TensorMap>& samples,
                           const CalibrationMethod& method, bool progress) {
  const Method* m = find_method(method.name);
  if (!m) {
    std::string known;
    for (const std::string& name : calibration_methods())
      known += (known.empty() ? "" : ", ") + name;
    throw Error("unknown calibration method '" + method.name + "' (known: " + known + ")");
  }
  const bool uses_percentile = method.name == "percentile" || method.name == "auto";
  if (uses_percentile && !(method.percentile > 0 && method.percentile <= 100))
    throw Error("calibration percentile must be in (0, 100]");
  if (samples.empty()) throw Error("calibration needs at least one sample");
  const int passes = m->histogram ? 2 : 1;
  Progress shown{progress, "calibrating (" + method.name + ")", size_t(passes) * samples.size()};
  const Statistics st = collect(top, samples, m->histogram, shown);
  if (m->make) return table_of(top, st, *m, method);
  std::vector<std::pair<std::string, CalibrationTable>> by_method;  // the base (MSE) first
  for (const char* name : {"mse", "max", "percentile", "kl"})
    by_method.emplace_back(name, table_of(top, st, *find_method(name), method));
  return choose_per_layer(top, samples, by_method);
}

// Numbers with 17 significant digits: a table read back gives the doubles it was written from,
// so a compile that reuses it quantizes exactly as the one that wrote it.
void write_calibration_table(const std::string& path, const CalibrationTable& table) {
  std::string text =
      "# tpuc calibration table: value threshold (|x| that maps to 127) min max (observed)\n";
  if (!table.key.empty()) text += "# key " + table.key + "\n";
  char number[32];
  for (const auto& [name, threshold] : table.threshold) {
    auto it = table.range.find(name);
    const auto [lo, hi] = it != table.range.end() ? it->second : std::pair{-threshold, threshold};
    text += name;
    for (double v : {threshold, lo, hi}) {
      std::snprintf(number, sizeof number, " %.17g", v);
      text += number;
    }
    text += "\n";
  }
  text += std::string(kMeansHeader) + "\n";
  for (const auto& [name, means] : table.channel_mean) {
    text += std::to_string(means.size());
    for (double m : means) {
      std::snprintf(number, sizeof number, " %.17g", m);
      text += number;
    }
    text += " " + name + "\n";
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

namespace {

// "<value name> <threshold> <min> <max>", read from the right as value names may hold spaces.
void read_threshold_line(const std::string& path, int number, const std::string& line,
                         CalibrationTable& table) {
  double fields[3];
  size_t end_of_name = line.size();
  bool ok = true;
  for (int f = 2; f >= 0 && ok; --f) {
    const size_t space = line.rfind(' ', end_of_name - 1);
    char* end = nullptr;
    ok = space != std::string::npos && space > 0 && end_of_name > space + 1;
    if (ok) fields[f] = std::strtod(line.substr(space + 1, end_of_name - space - 1).c_str(), &end);
    ok = ok && *end == '\0';
    end_of_name = space;
  }
  ok = ok && std::all_of(fields, fields + 3, [](double v) { return std::isfinite(v); });
  if (!ok || !(fields[0] >= 0) || !(fields[1] <= 0) || !(fields[2] >= 0))
    fail_at(path, number, 1,
            "expected '<value name> <threshold> <min> <max>', finite, with threshold >= 0 and "
            "min <= 0 <= max");
  const std::string name = line.substr(0, end_of_name);
  table.threshold[name] = fields[0];
  table.range[name] = {fields[1], fields[2]};
}

// "<channels> <mean>... <value name>", read from the left.
void read_means_line(const std::string& path, int number, const std::string& line,
                     CalibrationTable& table) {
  const char* p = line.c_str();
  char* end = nullptr;
  const long channels = std::strtol(p, &end, 10);
  bool ok = end != p && channels > 0 && channels <= (1 << 24);
  std::vector<double> means;
  for (long c = 0; ok && c < channels; ++c) {
    p = end;
    means.push_back(std::strtod(p, &end));
    ok = end != p && std::isfinite(means.back());
  }
  ok = ok && end[0] == ' ' && end[1] != '\0';
  if (!ok) fail_at(path, number, 1, "expected '<channels> <mean>... <value name>'");
  table.channel_mean[end + 1] = means;
}

}  // namespace

CalibrationTable read_calibration_table(const std::string& path) {
  std::istringstream in(read_file(path));
  CalibrationTable table;
  std::string line;
  bool means = false;  // past the header of the channel means
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.rfind("# key ", 0) == 0) table.key = line.substr(6);
    means = means || line == kMeansHeader;
    if (line.empty() || line[0] == '#') continue;
    if (means)
      read_means_line(path, number, line, table);
    else
      read_threshold_line(path, number, line, table);
  }
  return table;
}

}  // namespace tpuc::quant
