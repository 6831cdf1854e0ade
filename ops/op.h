// The operator registry. Each op family file (conv.cpp, pool.cpp, ...) defines, for its ops:
//   - shape inference: output TensorTypes from input types, constant inputs and attributes;
//   - the Halide algorithm: output Funcs defined from input Funcs, float and int8.
// Schedules (schedules/host, schedules/bm1684x) only place these Funcs; they never redefine them.
//
// Dimension convention: a tensor of shape [d0, d1, ..., dk] is a Func whose argument 0 is dk
// (innermost) and whose last argument is d0, so Halide::Buffer(shape reversed) wraps row-major
// data as is. An NCHW tensor is Func(x=w, y=h, c, n).
#pragma once
#include <Halide.h>

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::ops {

struct InferInput {
  const TensorType* type = nullptr;   // nullptr for an absent optional input
  const Tensor* constant = nullptr;   // set when the input is a graph constant
};

struct OpInput {
  Halide::Func func;                  // undefined for an absent optional input
  const TensorType* type = nullptr;
  const Tensor* constant = nullptr;   // constant data, when known (weights, shapes)
};

// An op's algorithm. `stages` names the intermediate Funcs a schedule may place, e.g. Conv's
// "pad" (zero-padded input) and "acc" (the int32/f32 accumulation including bias).
struct Algorithm {
  std::vector<Halide::Func> outputs;  // one per node output
  std::map<std::string, Halide::Func> stages;
  std::vector<Halide::RDom> reductions;  // the reduction domains, in stage order
};

using InferFn = std::vector<TensorType> (*)(const Node&, const std::vector<InferInput>&);
using BuildFn = Algorithm (*)(const Node&, const std::vector<OpInput>&, const std::vector<TensorType>& outputs);

struct OpDef {
  const char* name;
  InferFn infer;
  BuildFn build;
  bool int8;  // has an int8 algorithm (inputs i8 with QuantParams, attrs multiplier/rshift where needed)
};

const OpDef* find_op(const std::string& name);  // nullptr when unsupported
// Ops whose every output element is a function of the same input element alone (Sigmoid, Exp, ...):
// a 256-entry table can stand for them in int8.
bool is_elementwise_unary(const std::string& name);
// A one-element float constant input: algorithms take it as an immediate of their expression (so a
// chip schedule needs no operand for it; the generator reads it off the lowered expression).
bool is_immediate(const OpInput& input);
Halide::Expr immediate(const OpInput& input);

// e^x and erf(x) as tpuc defines them (ir/quant_math.h, extern calls of the pipeline), and the
// JIT symbols such calls need: every host pipeline of an op registers them.
Halide::Expr exp_f32(Halide::Expr x);
Halide::Expr erf_f32(Halide::Expr x);
const std::map<std::string, Halide::JITExtern>& jit_externs();

// What a float GlobalAveragePool multiplies its window sum by: 1/(H·W…) rounded to f32 (a chip
// schedule scales by the same factor).
float global_average_factor(const Shape& input);
const std::vector<OpDef>& all_ops();

// A Halide-safe Func/parameter name for a layer name (Halide reserves '.' and '$').
std::string halide_name(const std::string& name);

// Halide variables for a tensor of rank r (argument 0 = innermost tensor dim): x, y, c, n, ...
std::vector<Halide::Var> make_vars(size_t rank);

// Halide type of a tpuc dtype.
Halide::Type halide_type(DType t);

}  // namespace tpuc::ops
