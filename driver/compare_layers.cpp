// `tpuc compare-layers`: where does the quantized model start to drift from the float one? Both
// graphs run on one input keeping every value; each value of the quantized graph that approximates
// a float value (same name; int8 dequantized with its scale) is compared, in graph order, and the
// first one below the cosine tolerance is marked. The table also goes into report.json.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "driver/commands.h"
#include "driver/front_end.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/quant_math.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/host/executor.h"

namespace tpuc {

namespace {

// The float value an int8 tensor stands for.
Tensor real_value(const Tensor& t) {
  if (t.type.dtype != DType::I8 || !t.type.quant) return t;
  Tensor f(TensorType{DType::F32, t.type.shape, std::nullopt});
  const float scale = float(t.type.quant->scale.at(0));
  for (int64_t i = 0; i < t.size(); ++i) f.as<float>()[i] = dequantize(t.as<int8_t>()[i], scale);
  return f;
}

}  // namespace

int compare_layers_command(const CompileOptions& options, const std::string& input,
                           double min_cosine) {
  const CompileConfig c = load_config(options.config, options.overrides);
  if (std::isnan(min_cosine)) min_cosine = c.min_cosine;
  Stages stages;
  const Graph top = prepare_top(c, options, stages);
  const quant::CalibrationTable table = calibrate_or_reuse(c, top, stages);
  const Graph tpu = quant::quantize(top, table, quant::load_quant_policy(c.policy));
  const TensorMap inputs = read_tensors(input);
  const TensorMap f = host::Executor(top).run(inputs, true),
                  q = host::Executor(tpu).run(inputs, true);

  nlohmann::json rows = nlohmann::json::array();
  std::string first_bad;
  std::printf("%-44s %-10s %-6s %10s %10s %9s %12s\n", "value", "op", "dtype", "cosine",
              "euclidean", "sqnr_db", "max_abs");
  for (const Node& n : tpu.nodes) {
    for (const std::string& o : n.outputs) {
      auto reference = f.find(o);
      if (reference == f.end() || top.is_constant(o))
        continue;  // a value of the quantized graph only (Quantize, ...)
      const Tensor& actual = q.at(o);
      const quant::Similarity s = quant::similarity(reference->second, real_value(actual));
      const bool bad = s.cosine < min_cosine;
      const bool first = bad && first_bad.empty();
      if (first) first_bad = o;
      std::printf("%-44s %-10s %-6s %10.6f %10.6f %9.2f %12.6g%s\n", o.c_str(), n.op.c_str(),
                  name(actual.type.dtype), s.cosine, s.euclidean, s.sqnr_db, s.max_abs,
                  first ? "  <- first below tolerance" : (bad ? "  below" : ""));
      rows.push_back({{"value", o},
                      {"op", n.op},
                      {"dtype", std::string(name(actual.type.dtype))},
                      {"cosine", s.cosine},
                      {"euclidean", s.euclidean},
                      {"sqnr_db", std::isfinite(s.sqnr_db) ? nlohmann::json(s.sqnr_db)
                                                           : nlohmann::json(nullptr)},
                      {"max_abs", s.max_abs},
                      {"below_tolerance", bad}});
    }
  }
  std::printf(first_bad.empty() ? "every value is within cosine %.4f\n"
                                : "first value below cosine %.4f: %s\n",
              min_cosine, first_bad.c_str());
  const std::string report_path = c.output_dir + "/report.json";
  nlohmann::json report = std::filesystem::exists(report_path)
                              ? nlohmann::json::parse(read_file(report_path))
                              : nlohmann::json::object();
  report["layers"] = {
      {"input", input},
      {"min_cosine", min_cosine},
      {"first_below", first_bad.empty() ? nlohmann::json(nullptr) : nlohmann::json(first_bad)},
      {"values", rows}};
  write_file_atomic(report_path, report.dump(2) + "\n");
  return first_bad.empty() ? 0 : 1;
}

}  // namespace tpuc
