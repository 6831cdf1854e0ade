// The three error kinds: what each is caught as, and how messages name a node.
#include "ir/diagnostics.h"

#include <gtest/gtest.h>

#include "ir/graph.h"

using namespace tpuc;

TEST(Diagnostics, NodeMessagesNameTheNodeAndItsOp) {
  const Node n{"Conv", "conv1", {"x"}, {"y"}, {}};
  EXPECT_EQ(describe(n), "node 'conv1' (Conv)");
  try {
    node_error(n, "bad pads");
    FAIL() << "no error";
  } catch (const Unsupported&) {
    FAIL() << "a user error is not Unsupported";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "node 'conv1' (Conv): bad pads");
  }
}

// Code generation falls back on Unsupported alone: it is an Error (a user sees it as one), and an
// internal error is neither.
TEST(Diagnostics, UnsupportedIsAnErrorAndInternalErrorsAreNeither) {
  const Node n{"Relu", "r", {"x"}, {"y"}, {}};
  EXPECT_THROW(unsupported(n, "no form"), Unsupported);
  EXPECT_THROW(unsupported(n, "no form"), Error);
  auto broken = [] { TPUC_INTERNAL_ASSERT(1 + 1 == 3, "arithmetic"); };
  try {
    broken();
    FAIL() << "no error";
  } catch (const Error&) {
    FAIL() << "an internal error must not be caught as a user error";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("internal error at tests/ir/diagnostics_test.cpp:"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(": arithmetic"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(TPUC_INTERNAL_ASSERT(true, "fine"));
}
