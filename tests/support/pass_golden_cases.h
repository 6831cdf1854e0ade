// The golden cases of the passes (tests/passes/golden, format in its README).
#pragma once
#include <string>
#include <vector>

namespace tpuc::testing {

// The paths of every case (*.tpuir), sorted by file name.
std::vector<std::string> pass_golden_cases();

}  // namespace tpuc::testing
