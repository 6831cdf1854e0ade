// Calibration: run the float graph over sample inputs and record, per value, the statistic the
// method needs to pick an int8 threshold. Methods are one table (calibration.cpp); "max" takes
// max |x|. The table is text, one value a line, so later compiles reuse it and people read it.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/npz.h"

namespace tpuc::passes {

struct CalibrationTable {
  std::map<std::string, double> threshold;  // value name → |x| that maps to 127
};

// Runs `top` on the host executor over `samples`; progress on stderr when `progress` is set.
CalibrationTable calibrate(const Graph& top, const std::vector<TensorMap>& samples, const std::string& method,
                           bool progress = false);
void write_calibration_table(const std::string& path, const CalibrationTable& table);
CalibrationTable read_calibration_table(const std::string& path);

}  // namespace tpuc::passes
