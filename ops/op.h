// An op's Halide algorithm. Each op family file (conv.cpp, pool.cpp, ...) defines, for its ops,
// shape inference (output TensorTypes from input types, constant inputs and attributes) and the
// algorithm (output Funcs defined from input Funcs, float and int8); ops/registry.cpp declares
// them with their traits. Schedules (schedules/host, schedules/bm1684x) only place these Funcs;
// they never redefine them.
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
#include "ir/special_functions.h"
#include "ops/registry.h"

namespace tpuc::ops {

struct OpInput {
  Halide::Func func;  // undefined for an absent optional input
  const TensorType* type = nullptr;
  const Tensor* constant = nullptr;  // constant data, when known (weights, shapes)
};

// The intermediate Funcs of an algorithm that a schedule may place. An op defines the ones it
// has; the others stay undefined.
struct Stages {
  Halide::Func pad;                // Conv, MaxPool: the padded input
  Halide::Func acc;                // Conv, ConvTranspose, Gemm, MatMul, GlobalAveragePool: the sum
  Halide::Func weights;            // Conv: the weight as the accumulation reads it
  Halide::Func requant;            // int8 Conv, Gemm, GlobalAveragePool: requant(k, channel)
  Halide::Func sum, count;         // AveragePool: window sums and counts; Softmax, moments: sums
  Halide::Func max, shifted, exp;  // Softmax: row maxima, x - max, e^(x - max); Sigmoid: e^-x
  // LayerNormalization (InstanceNormalization has the moments): mean, x - mean, its square and
  // their sum, the variance, + epsilon, its square root, the normalized value, · scale.
  Halide::Func mean, centered, square, square_sum, var, var_eps, std, norm, scaled;
  Halide::Func erf, erf_plus_one, half;  // GELU (with `scaled`: x/√2)
  Halide::Func negated, exp_plus_one;    // Sigmoid, SiLU, Tanh (with `exp`)
  Halide::Func quotient;                 // Tanh: 2 / (1 + e^−2x)
  Halide::Func magnitude;                // Softplus: |x| (then negated, exp, exp_plus_one)
  // HardSigmoid, HardSwish (with `scaled` and `shifted`: α·x and α·x + β): max(·, 0), min(·, 1);
  // Clip: max(x, min); Softplus: max(x, 0). Exp, Erf, Sqrt, Log: the input widened to f32 and the
  // function's f32 result (Softplus: log(1 + e^−|x|)).
  Halide::Func rectified, gate, widened, special;
  Halide::Func rank;            // TopK: each element's rank along the axis
  Halide::Func equal, ordered;  // GreaterOrEqual, LessOrEqual: a == b and a > b (a < b)

  // The defined ones, in the order above.
  std::vector<Halide::Func> defined() const;
};

struct Algorithm {
  std::vector<Halide::Func> outputs;  // one per node output
  Stages stages;
  std::vector<Halide::RDom> reductions;  // the reduction domains, in stage order
  // Numbers of the node its definition reads as parameters, each holding the node's value
  // (Quantize's and Dequantize's scales): a host kernel takes them as arguments, so nodes that
  // differ only in them share code. No algorithm compiles a scale in.
  std::vector<Halide::Param<float>> parameters;
};

// A one-element float constant input: algorithms take it as an immediate of their expression (so a
// chip schedule needs no operand for it; the generator reads it off the lowered expression).
bool is_immediate(const OpInput& input);
Halide::Expr immediate(const OpInput& input);

// e^x, erf(x), √x and log x as the chip computes them (ir/special_functions.h), as calls of the
// pipeline to the extern functions special_function_calls() names: the chip's schedules give
// such stages to its SFU sequences, the host executor inlines their steps.
const std::map<std::string, SpecialFunction>& special_function_calls();
Halide::Expr exp_f32(Halide::Expr x);
Halide::Expr erf_f32(Halide::Expr x);
Halide::Expr sqrt_f32(Halide::Expr x);
Halide::Expr log_f32(Halide::Expr x);
// The ops that are one special function of their input (Exp, Erf, Sqrt, Log), and the function
// as the host computes it.
const std::map<std::string, SpecialFunction>& special_function_ops();
Halide::Expr special_f32(SpecialFunction f, Halide::Expr x);

// What a float GlobalAveragePool multiplies its window sum by: 1/(H·W…) rounded to f32 (a chip
// schedule scales by the same factor).
float global_average_factor(const Shape& input);

// A Halide-safe Func/parameter name for a layer name (Halide reserves '.' and '$').
std::string halide_name(const std::string& name);

// Halide variables for a tensor of rank r (argument 0 = innermost tensor dim): x, y, c, n, ...
std::vector<Halide::Var> make_vars(size_t rank);

// Halide type of a tpuc dtype.
Halide::Type halide_type(DType t);

}  // namespace tpuc::ops
