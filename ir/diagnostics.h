// Errors that reach users. Every bad input (model, config, schedule, tensor file) becomes one
// tpuc::Error whose message names the file and the place, e.g. "conf.yaml:3:5: unknown key 'qant'".
#pragma once
#include <stdexcept>
#include <string>

namespace tpuc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line:col: message" (line/col 1-based; 0 leaves them out).
[[noreturn]] void fail_at(const std::string& file, int line, int col, const std::string& message);

}  // namespace tpuc
