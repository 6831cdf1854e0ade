#include "passes/calibration.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "backend/host/executor.h"
#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc::passes {

namespace {

// A method folds every observed tensor of a value into a running statistic, then turns the
// statistic into a threshold.
struct Method {
  const char* name;
  double (*observe)(double state, const Tensor& t);
};

double observe_max(double state, const Tensor& t) {
  for (int64_t i = 0; i < t.size(); ++i) state = std::max(state, std::fabs(t.at(i)));
  return state;
}

const Method kMethods[] = {{"max", observe_max}};

}  // namespace

CalibrationTable calibrate(const Graph& top, const std::vector<TensorMap>& samples, const std::string& method, bool progress) {
  const Method* m = nullptr;
  for (const Method& candidate : kMethods)
    if (method == candidate.name) m = &candidate;
  if (!m) throw Error("unknown calibration method '" + method + "' (known: max)");
  if (samples.empty()) throw Error("calibration needs at least one sample");
  host::Executor executor(top);
  CalibrationTable table;
  for (size_t s = 0; s < samples.size(); ++s) {
    for (const auto& [name, t] : executor.run(samples[s], true))
      if (t.type.dtype == DType::F32 && !top.is_constant(name)) table.threshold[name] = m->observe(table.threshold[name], t);
    if (progress && (s + 1) * 10 / samples.size() != s * 10 / samples.size())
      std::fprintf(stderr, "\rcalibrating: %zu/%zu", s + 1, samples.size());
  }
  if (progress) std::fprintf(stderr, "\n");
  return table;
}

void write_calibration_table(const std::string& path, const CalibrationTable& table) {
  std::string text = "# tpuc calibration table: value threshold (|x| that maps to 127)\n";
  char line[64];
  for (const auto& [name, threshold] : table.threshold) {
    std::snprintf(line, sizeof line, " %.9g\n", threshold);
    text += name + line;
  }
  write_file_atomic(path, text);
}

CalibrationTable read_calibration_table(const std::string& path) {
  std::istringstream in(read_file(path));
  CalibrationTable table;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    char* end = nullptr;
    const double value = space == std::string::npos ? 0 : std::strtod(line.c_str() + space + 1, &end);
    if (space == std::string::npos || space == 0 || *end != '\0' || !(value >= 0))
      fail_at(path, number, 1, "expected '<value name> <threshold>'");
    table.threshold[line.substr(0, space)] = value;
  }
  return table;
}

}  // namespace tpuc::passes
