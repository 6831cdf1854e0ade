// CPU schedules for the host reference executor: a table from op to schedule, applied to the op's
// ops::Algorithm. They change only where and how values are computed, never what.
#pragma once
#include "ops/op.h"

namespace tpuc {

// `out_shape` is the shape of the first output (schedules pick vector widths from it).
void schedule_host(const Node& node, ops::Algorithm& algorithm, const Shape& out_shape);

// The storage order (Halide dimensions, innermost first) a node's kernel reads a constant input
// in, when not the tensor's own row-major one (empty): the executor stores the constant so, once.
std::vector<int> packed_layout(const Node& node, size_t input);

// The host's target, as Halide's JIT detects it: host kernels compile for it (ahead of time,
// target/host/kernel_cache.h), and tests realize pipelines with it.
Halide::Target host_jit_target();

}  // namespace tpuc
