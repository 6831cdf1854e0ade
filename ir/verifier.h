// Structural checks of a Graph: unique definitions, inputs defined before use (topological
// order), graph outputs defined, constants' data sizes matching their types, and, when asked,
// every value typed. The pass manager runs it after every pass in tests and debug builds.
#pragma once
#include "ir/graph.h"

namespace tpuc {

struct VerifyOptions {
  bool require_types = false;  // every value has a known TensorType
};

// Throws Error naming the node and the problem.
void verify(const Graph& g, const VerifyOptions& options = {});

}  // namespace tpuc
