// The graph passes, one per file; pass_registry.cpp lists them by name with their options.
#pragma once
#include "passes/pass_manager.h"

namespace tpuc::passes {

void infer_shapes(Graph& g, const PassOptions&);         // shape_inference.cpp
void canonicalize(Graph& g, const PassOptions&);         // canonicalize.cpp
void fold_batchnorm(Graph& g, const PassOptions&);       // fold_batchnorm.cpp
void fuse_activation(Graph& g, const PassOptions&);      // fuse_activation.cpp
void eliminate_dead_code(Graph& g, const PassOptions&);  // dce.cpp

}  // namespace tpuc::passes
