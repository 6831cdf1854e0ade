#include "tests/support/pass_golden_cases.h"

#include <algorithm>
#include <filesystem>

#include "tests/support/source_tree.h"

namespace tpuc::testing {

std::vector<std::string> pass_golden_cases() {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(source_path("tests/passes/golden")))
    if (e.path().extension() == ".tpuir") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace tpuc::testing
