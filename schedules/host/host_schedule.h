// CPU schedules for the host reference executor: a table from op to schedule, applied to the op's
// ops::Algorithm. They change only where and how values are computed, never what.
#pragma once
#include "ops/op.h"

namespace tpuc {

// `out_shape` is the shape of the first output (schedules pick vector widths from it).
void schedule_host(const Node& node, ops::Algorithm& algorithm, const Shape& out_shape);

// The shapes a node's kernel takes its inputs and then its results as: `shapes` (their own), or
// another form of the same bytes the schedule computes better. A 1×1 Conv of stride 1 without
// padding sees each plane as one row (N, C, 1, H·W): its vectors then run along whole planes, not
// along the rows of a narrow map (7 of 16 lanes on a 7×7 one).
std::vector<Shape> host_shapes(const Node& node, std::vector<Shape> shapes);

// The storage order (Halide dimensions, innermost first) a node's kernel reads a constant input
// in, when not the tensor's own row-major one (empty): the executor stores the constant so, once.
std::vector<int> packed_layout(const Node& node, size_t input);

// The host's target, as Halide's JIT detects it: host kernels compile for it (ahead of time,
// target/host/kernel_cache.h), and tests realize pipelines with it.
Halide::Target host_jit_target();

}  // namespace tpuc
