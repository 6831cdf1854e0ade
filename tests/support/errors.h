// The message of an expected error, for tests that check what tpuc tells its user.
#pragma once
#include <functional>
#include <string>

namespace tpuc::testing {

// The message of the tpuc::Error (or Unsupported) that `action` throws, or "no error" when it
// throws none; other exceptions pass through and fail the test.
std::string error_of(const std::function<void()>& action);

}  // namespace tpuc::testing
