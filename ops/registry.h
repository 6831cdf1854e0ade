// The op registry: every operator tpuc knows, declared once with all its traits in one table
// (ops/registry.cpp), as TVM's RELAY_REGISTER_OP declares an op with its attributes. Every stage
// asks it: the importer which ops exist, shape inference and the executors for the algorithm,
// the passes and the quantizer for the traits below. How a target runs an op is the target's own
// table (schedules/bm1684x/chip_schedule.cpp), keyed by the same names.
//
// This header has no Halide in it, so stages above ops/ that only ask about traits need none; the
// algorithm's types are in ops/op.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::ops {

struct Algorithm;  // ops/op.h
struct OpInput;    // ops/op.h

// What shape inference sees of one input.
struct InferInput {
  const TensorType* type = nullptr;  // nullptr for an absent optional input
  const Tensor* constant = nullptr;  // set when the input is a graph constant
};

using InferFn = std::vector<TensorType> (*)(const Node&, const std::vector<InferInput>&);
using BuildFn = Algorithm (*)(const Node&, const std::vector<OpInput>&,
                              const std::vector<TensorType>& outputs);
// Why the op's int8 algorithm cannot take node `n` with these input types (nullptr: absent) and
// result type ("" when it can).
using Int8Check = std::string (*)(const Node& n, const std::vector<const TensorType*>& inputs,
                                  const TensorType& result);

// The multiply-accumulates of node `n` with these input types (nullptr: absent) and result type.
using MacsFn = uint64_t (*)(const Node& n, const std::vector<const TensorType*>& inputs,
                            const TensorType& result);

// How an op's int8 form relates its result's scale to its input's (docs/quantization.md).
enum class Int8Form : uint8_t {
  None,        // no int8 algorithm: float in an int8 graph, or a table when `elementwise`
  OwnScale,    // computes new values, requantized to its result's own calibrated scale
  InputScale,  // moves or selects values: its result keeps its (first) input's scale
};

struct OpDef {
  const char* name;
  InferFn infer;
  BuildFn build;
  Int8Form int8 = Int8Form::None;
  Int8Check int8_check = nullptr;  // constraints of the int8 form beyond `int8` (nullptr: none)
  // Each result element is a function of the same input element alone: a 256-entry int8 table
  // can stand for the op.
  bool elementwise = false;
  // The result holds the input's elements in the same order under another shape, so on a target
  // it is a view of the input's bytes (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout).
  bool reshape = false;
  bool identity = false;  // the result is the input itself: always removable (Identity, Dropout)
  bool weighted = false;  // inputs 1.. are weights the quantizer converts with the op (Conv, Gemm)
  bool broadcasts = false;  // the inputs broadcast to the result's shape (numpy's rules)
  // The result is bounded by the op's definition (a gate, a probability, a clip): calibration keeps
  // its whole observed range, as its extremes (a saturated gate's ones) are signal, not outliers.
  bool bounded = false;
  // Bit i: constant input i says what the op does rather than holding data (Resize's scales), so
  // a half-precision layer keeps it in f32.
  uint32_t control_operands = 0;
  bool internal = false;  // tpuc's own op (made by passes, never imported): Lut, Quantize, ...
  // Bit i: input i fixes the result's shape or the op's form (a shape, axes, pads, K, sizes), so
  // its value must be known when compiling; a graph input there is bound to a value given for it
  // (frontend/onnx/importer.h, inputs_fixing_shapes).
  uint32_t shape_operands = 0;
  MacsFn macs = nullptr;  // its multiply-accumulates (nullptr: none, elementwise work only)

  bool is_control_operand(size_t input) const {
    return input < 32 && (control_operands >> input & 1u) != 0;
  }
  bool is_shape_operand(size_t input) const {
    return input < 32 && (shape_operands >> input & 1u) != 0;
  }
};

// Every op, sorted by name.
const std::vector<OpDef>& all_ops();
// The op named `name`, or nullptr when tpuc has none.
const OpDef* find_op(const std::string& name);
// The op of node `n`; an Error naming the node when tpuc has none (a hand-written .tpuir may).
const OpDef& op_of(const Node& n);

}  // namespace tpuc::ops
