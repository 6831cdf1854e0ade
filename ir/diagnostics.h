// The three kinds of error, kept apart as Halide's src/Error.h keeps user_error, internal_error
// and internal_assert:
//   - Error: the user's input is wrong (a model, config, tensor file, model file, schedule). The
//     message names the file and the place; `tpuc` prints it as one line and exits with 2.
//   - Unsupported, an Error: a valid node that a target cannot run in this form. Code generation
//     catches this kind alone, to run the node on the host instead; its message is the reason
//     the report gives.
//   - InternalError: tpuc broke one of its own invariants, a bug. Nothing falls back on it; `tpuc`
//     prints it with a request to report it and exits with 3.
#pragma once
#include <stdexcept>
#include <string>

namespace tpuc {

struct Node;

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Unsupported : public Error {
 public:
  using Error::Error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// "file:line:col: message" (line/col 1-based; 0 leaves them out).
[[noreturn]] void fail_at(const std::string& file, int line, int col, const std::string& message);

// "node 'name' (Op)": how every message about a node names it.
std::string describe(const Node& n);
// Error / Unsupported "node 'name' (Op): message".
[[noreturn]] void node_error(const Node& n, const std::string& message);
[[noreturn]] void unsupported(const Node& n, const std::string& message);

// InternalError "internal error at file:line: message"; use the macros below.
[[noreturn]] void internal_error(const char* file, int line, const std::string& message);

}  // namespace tpuc

#define TPUC_INTERNAL_ERROR(message) ::tpuc::internal_error(__FILE__, __LINE__, (message))
#define TPUC_INTERNAL_ASSERT(condition, message)                             \
  do {                                                                       \
    if (!(condition)) ::tpuc::internal_error(__FILE__, __LINE__, (message)); \
  } while (false)
