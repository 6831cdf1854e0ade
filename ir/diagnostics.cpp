#include "ir/diagnostics.h"

namespace tpuc {

void fail_at(const std::string& file, int line, int col, const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  if (line > 0 && col > 0) where += ":" + std::to_string(col);
  throw Error(where + ": " + message);
}

}  // namespace tpuc
