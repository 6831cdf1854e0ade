#include "tests/support/errors.h"

#include "ir/diagnostics.h"

namespace tpuc::testing {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace tpuc::testing
