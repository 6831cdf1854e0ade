// Quantize (f32 → int8 with the output's scale), Dequantize (int8 → f32 with the input's scale) and
// Lut (int8 → int8 through a 256-entry table), exactly as docs/quantization.md defines them.
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

// The per-tensor scale of t (`which` side of the node), or its inverse, as the parameter
// (Algorithm::parameters) that holds it.
static Param<float> scale_parameter(const Node& n, const TensorType& t, const char* which,
                                    bool inverse) {
  if (!t.quant || t.quant->scale.size() != 1)
    node_error(n, std::string(which) + " needs a per-tensor scale");
  const double scale = t.quant->scale[0];
  return Param<float>(halide_name(n.name + (inverse ? "_inv_scale" : "_scale")),
                      float(inverse ? 1.0 / scale : scale));
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
  const Param<float> inv_scale = scale_parameter(n, out[0], "the output", true);
  output(v) = quantize(in[0].func(v), inv_scale, zero_point(out[0]));
  return {{output}, {}, {}, {inv_scale}};
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
  const Param<float> scale = scale_parameter(n, *in[0].type, "the input", false);
  output(v) = dequantize(in[0].func(v), scale, zero_point(*in[0].type));
  return {{output}, {}, {}, {scale}};
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
