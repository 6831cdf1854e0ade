// The built tpuc executable run as a user runs it, for the end-to-end tests.
#pragma once
#include <string>

namespace tpuc::testing {

struct TpucResult {
  int code;            // the exit code; -1 when tpuc did not exit (a signal)
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs `tpuc <args>` through the shell (args may quote and redirect).
TpucResult run_tpuc(const std::string& args);

}  // namespace tpuc::testing
