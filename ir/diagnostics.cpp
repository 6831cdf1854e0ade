#include "ir/diagnostics.h"

#include "ir/graph.h"

namespace tpuc {

void fail_at(const std::string& file, int line, int col, const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  if (line > 0 && col > 0) where += ":" + std::to_string(col);
  throw Error(where + ": " + message);
}

std::string describe(const Node& n) { return "node '" + n.name + "' (" + n.op + ")"; }

void node_error(const Node& n, const std::string& message) {
  throw Error(describe(n) + ": " + message);
}

void unsupported(const Node& n, const std::string& message) {
  throw Unsupported(describe(n) + ": " + message);
}

void internal_error(const char* file, int line, const std::string& message) {
  throw InternalError("internal error at " + std::string(file) + ":" + std::to_string(line) + ": " +
                      message);
}

}  // namespace tpuc
