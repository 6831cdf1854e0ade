// Where tests find the repository's data (configs, examples, golden files): one place that knows
// the source directory, so that no test spells it.
#pragma once
#include <string>

namespace tpuc::testing {

// The absolute path of `relative` (e.g. "configs/chips/bm1684x.yaml") in the source tree.
std::string source_path(const std::string& relative);

}  // namespace tpuc::testing
