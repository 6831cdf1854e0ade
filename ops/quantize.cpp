// Quantize (f32 → int8 with the output's scale), Dequantize (int8 → f32 with the input's scale) and
// Lut (int8 → int8 through a 256-entry table), exactly as docs/quantization.md defines them.
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

static double tensor_scale(const Node& n, const TensorType& t, const char* which) {
  if (!t.quant || t.quant->scale.size() != 1)
    node_error(n, std::string(which) + " needs a per-tensor scale");
  return t.quant->scale[0];
}

std::vector<TensorType> infer_quantize(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->dtype != DType::F32) node_error(n, "input must be f32");
  return {{DType::I8, in[0].type->shape, std::nullopt}};
}

Algorithm build_quantize(const Node& n, const std::vector<OpInput>& in,
                         const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  output(v) = quantize(in[0].func(v), float(1.0 / tensor_scale(n, out[0], "the output")),
                       zero_point(out[0]));
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_dequantize(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->dtype != DType::I8) node_error(n, "input must be i8");
  return {{DType::F32, in[0].type->shape, std::nullopt}};
}

Algorithm build_dequantize(const Node& n, const std::vector<OpInput>& in,
                           const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  output(v) = dequantize(in[0].func(v), float(tensor_scale(n, *in[0].type, "the input")),
                         zero_point(*in[0].type));
  return {{output}, {}, {}};
}

// Lut(x, table): y = table[uint8(x)], the table indexed by x's byte as the chip's gather reads an
// index (unsigned): entries 0..127 hold x = 0..127, entries 128..255 x = -128..-1. The quantizer
// fills the table with an elementwise op's values on the 256 int8 inputs, so sigmoid, tanh, exp
// and the like run as one lookup.
std::vector<TensorType> infer_lut(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (in[0].type->dtype != DType::I8) node_error(n, "input must be i8");
  if (in[1].type->dtype != DType::I8 || in[1].type->shape != Shape{256})
    node_error(n, "the table must be i8[256]");
  return {{DType::I8, in[0].type->shape, std::nullopt}};
}

Algorithm build_lut(const Node& n, const std::vector<OpInput>& in,
                    const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  output(v) = in[1].func(cast<int>(cast<uint8_t>(in[0].func(v))));
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
