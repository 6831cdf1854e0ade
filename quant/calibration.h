// Calibration: run the float graph over sample inputs and pick, per value, the threshold |x| that
// int8 maps to 127. Methods (one table in calibration.cpp):
//   max         max |x| over all samples
//   percentile  the |x| below which `percentile` % of all observed |x| fall (default 99.99)
//   kl          TensorRT's entropy calibration: the threshold whose 128-level quantization of the
//               |x| histogram (2048 bins) loses the least information (KL divergence)
//   mse         the threshold that minimizes the expected squared error of quantizing |x|
//               (rounding noise step²/12 inside the range, clipping error outside)
//   auto        per layer, the one of these whose int8 layer comes closest to float
//               (quant/method_choice.h)
// Histogram methods run the samples twice: once for max |x|, once to fill 2048 bins over [0, max].
// The table is text, one value a line (name, threshold, observed min and max), then the channel
// means, so later compiles reuse it and people read it.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/npz.h"

namespace tpuc::quant {

struct CalibrationTable {
  std::map<std::string, double> threshold;  // value name → |x| that maps to 127
  std::string key;                          // what it was computed from (calibration_key), or empty
  std::map<std::string, std::pair<double, double>>
      range;  // value name → observed [min, max] (asymmetric int8)
  // The data input of every Conv (channels: axis 1) and Gemm (its columns) → the mean of each
  // channel over the samples (bias correction).
  std::map<std::string, std::vector<double>> channel_mean;
};

struct CalibrationMethod {
  std::string name = "max";  // max, percentile, kl, mse
  double percentile = 99.99;
};

// |x| counts in equal bins over [0, max].
struct Histogram {
  std::vector<double> counts;
  double max = 0;
  double bin_width() const { return counts.empty() ? 0 : max / double(counts.size()); }
};

// Changes whenever a method computes differently: cached tables of another version are not reused.
constexpr int kCalibrationVersion = 5;  // 4: bounded ops keep their range; 5: channel means

double percentile_threshold(const Histogram& h, double percentile);
double kl_threshold(const Histogram& h);
double mse_threshold(const Histogram& h);

// The methods' names, as configs spell them.
std::vector<std::string> calibration_methods();

// Runs `top` on the host executor over `samples`; progress on stderr when `progress` is set.
CalibrationTable calibrate(const Graph& top, const std::vector<TensorMap>& samples,
                           const CalibrationMethod& method, bool progress = false);
void write_calibration_table(const std::string& path, const CalibrationTable& table);
CalibrationTable read_calibration_table(const std::string& path);
// Only the key of a table (empty when it has none): a table of another key, maybe of an older
// format, is never parsed.
std::string read_calibration_key(const std::string& path);

}  // namespace tpuc::quant
