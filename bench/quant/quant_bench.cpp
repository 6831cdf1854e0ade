// Output cosine of the quantized graph against the float graph, on the host, for one model, one
// policy and one calibration method: calibrates on `calibrate` seeded random inputs (standard
// normal; a policy with `search` also searches on them), then compares on `evaluate` other ones.
// Prints one JSON line; progress on stderr.
//   tpuc_quant_bench model.onnx pipeline.yaml policy.yaml method calibrate evaluate
#include <cstdio>
#include <random>
#include <string>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"
#include "quant/mixed_precision.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/host/executor.h"

using namespace tpuc;

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: %s model.onnx pipeline.yaml policy.yaml method calibrate evaluate\n",
                 argv[0]);
    return 2;
  }
  try {
    Graph top = import_onnx(argv[1]);
    passes::run_pipeline(top, passes::load_pipeline(argv[2]));
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    auto sample = [&] {
      Tensor t(top.type(top.inputs.at(0)));
      for (int64_t i = 0; i < t.size(); ++i) t.as<float>()[i] = normal(rng);
      return TensorMap{{top.inputs.at(0), t}};
    };
    std::vector<TensorMap> calibration, evaluation;
    for (int i = 0; i < std::stoi(argv[5]); ++i) calibration.push_back(sample());
    for (int i = 0; i < std::stoi(argv[6]); ++i) evaluation.push_back(sample());
    quant::QuantPolicy policy = quant::load_quant_policy(argv[3]);
    const quant::CalibrationTable table =
        quant::needs_calibration(policy)
            ? quant::calibrate(top, calibration, {argv[4], 99.99}, true)
            : quant::CalibrationTable{};
    size_t float_layers = 0;
    if (policy.search) {
      const quant::SearchResult found =
          quant::search_mixed_precision(top, table, policy, calibration, *policy.search);
      policy = found.policy;
      float_layers = found.chosen.size();
    }
    const Graph tpu = quant::quantize(top, table, policy);
    int int8_nodes = 0;
    for (const Node& n : tpu.nodes)
      int8_nodes += !n.outputs.empty() && tpu.type(n.outputs[0]).dtype == DType::I8;
    host::Executor f(top), q(tpu);
    double sum = 0, worst = 1;
    for (const TensorMap& in : evaluation) {
      const double c =
          quant::similarity(f.run(in).at(top.outputs.at(0)), q.run(in).at(top.outputs.at(0)))
              .cosine;
      sum += c;
      worst = std::min(worst, c);
    }
    std::printf(
        "{\"cosine_mean\": %.5f, \"cosine_min\": %.5f, \"int8_nodes\": %d, \"nodes\": %zu, "
        "\"searched_float_layers\": %zu}\n",
        sum / double(evaluation.size()), worst, int8_nodes, tpu.nodes.size(), float_layers);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
