#include "tests/support/compile_steps.h"

#include <vector>

#include "passes/pass_manager.h"
#include "quant/calibration.h"
#include "quant/quantize.h"
#include "tests/support/random_tensor.h"
#include "tests/support/source_tree.h"

namespace tpuc::testing {

Graph with_default_pipeline(Graph g) {
  passes::run_pipeline(g, passes::load_pipeline(source_path("configs/pipelines/default.yaml")));
  return g;
}

Graph int8_quantized(const Graph& top, unsigned count, unsigned seed) {
  const Shape& shape = top.type("x").shape;
  std::vector<TensorMap> samples;
  for (unsigned s = 0; s < count; ++s)
    samples.push_back({{"x", random_tensor<float>(DType::F32, shape, -2, 2, seed + s)}});
  return quant::quantize(top, quant::calibrate(top, samples, {}), quant::QuantPolicy{});
}

}  // namespace tpuc::testing
