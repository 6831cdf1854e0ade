#include "tests/support/tpuc_process.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace tpuc::testing {

TpucResult run_tpuc(const std::string& args) {
  TpucResult result{0, ""};
  // The tpuc target's own file (tests/CMakeLists.txt), built before the tests that run it.
  FILE* pipe = popen((std::string(TPUC_EXECUTABLE) + " " + args + " 2>&1").c_str(), "r");
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace tpuc::testing
