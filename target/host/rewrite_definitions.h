// What the host's pipeline rewrites share (inline_special_functions.h, narrow_products.h): a
// mutator applied to every definition of every Func a pipeline's outputs depend on.
#pragma once
#include <Halide.h>

#include <vector>

namespace tpuc::host {

void rewrite_definitions(const std::vector<Halide::Func>& outputs,
                         Halide::Internal::IRMutator& mutator);

}  // namespace tpuc::host
