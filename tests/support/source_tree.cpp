#include "tests/support/source_tree.h"

namespace tpuc::testing {

std::string source_path(const std::string& relative) {
  return std::string(TPUC_SOURCE_DIR) + "/" + relative;
}

}  // namespace tpuc::testing
