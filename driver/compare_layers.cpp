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
#include "driver/tensor_files.h"
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

// One value of the quantized graph against the float value it approximates.
struct ValueComparison {
  std::string value, op;
  DType dtype;
  quant::Similarity similarity;
  bool below_tolerance;
};

// Every value of `tpu` that approximates a float value of `top` (same name), in graph order.
std::vector<ValueComparison> compare_values(const Graph& top, const Graph& tpu,
                                            const TensorMap& float_values,
                                            const TensorMap& quantized_values, double min_cosine) {
  std::vector<ValueComparison> rows;
  for (const Node& n : tpu.nodes) {
    for (const std::string& o : n.outputs) {
      auto reference = float_values.find(o);
      // A value of the quantized graph only (Quantize, ...) has no float value to compare with.
      if (reference == float_values.end() || top.is_constant(o)) continue;
      const Tensor& actual = quantized_values.at(o);
      const quant::Similarity s = quant::similarity(reference->second, real_value(actual));
      rows.push_back({o, n.op, actual.type.dtype, s, s.cosine < min_cosine});
    }
  }
  return rows;
}

// The value first below tolerance; empty when none is.
std::string first_below(const std::vector<ValueComparison>& rows) {
  for (const ValueComparison& row : rows)
    if (row.below_tolerance) return row.value;
  return "";
}

void print_table(const std::vector<ValueComparison>& rows, double min_cosine) {
  const std::string first = first_below(rows);
  std::printf("%-44s %-10s %-6s %10s %10s %9s %12s\n", "value", "op", "dtype", "cosine",
              "euclidean", "sqnr_db", "max_abs");
  for (const ValueComparison& row : rows) {
    const quant::Similarity& s = row.similarity;
    const char* mark = "";
    if (row.below_tolerance) mark = row.value == first ? "  <- first below tolerance" : "  below";
    std::printf("%-44s %-10s %-6s %10.6f %10.6f %9.2f %12.6g%s\n", row.value.c_str(),
                row.op.c_str(), name(row.dtype), s.cosine, s.euclidean, s.sqnr_db, s.max_abs, mark);
  }
  std::printf(
      first.empty() ? "every value is within cosine %.4f\n" : "first value below cosine %.4f: %s\n",
      min_cosine, first.c_str());
}

// report.json's `layers` (docs/report.md).
nlohmann::json layers_json(const std::string& input, double min_cosine,
                           const std::vector<ValueComparison>& rows) {
  nlohmann::json values = nlohmann::json::array();
  for (const ValueComparison& row : rows) {
    const quant::Similarity& s = row.similarity;
    values.push_back({{"value", row.value},
                      {"op", row.op},
                      {"dtype", std::string(name(row.dtype))},
                      {"cosine", s.cosine},
                      {"euclidean", s.euclidean},
                      {"sqnr_db", std::isfinite(s.sqnr_db) ? nlohmann::json(s.sqnr_db)
                                                           : nlohmann::json(nullptr)},
                      {"max_abs", s.max_abs},
                      {"below_tolerance", row.below_tolerance}});
  }
  const std::string first = first_below(rows);
  return {{"input", input},
          {"min_cosine", min_cosine},
          {"first_below", first.empty() ? nlohmann::json(nullptr) : nlohmann::json(first)},
          {"values", values}};
}

// Into the report.json of the output folder, beside what a compile wrote there.
void write_layers_report(const std::string& output_dir, const nlohmann::json& layers) {
  const std::string path = output_dir + "/report.json";
  nlohmann::json report = std::filesystem::exists(path) ? nlohmann::json::parse(read_file(path))
                                                        : nlohmann::json::object();
  report["layers"] = layers;
  write_file_atomic(path, report.dump(2) + "\n");
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
  std::map<std::string, TensorType> expected;
  for (const std::string& name : top.inputs) expected[name] = top.type(name);
  const TensorMap inputs = read_model_inputs(input, expected);
  const TensorMap float_values = host::Executor(top).run(inputs, true);
  const TensorMap quantized_values = host::Executor(tpu).run(inputs, true);
  const std::vector<ValueComparison> rows =
      compare_values(top, tpu, float_values, quantized_values, min_cosine);
  print_table(rows, min_cosine);
  write_layers_report(c.output_dir, layers_json(input, min_cosine, rows));
  return first_below(rows).empty() ? 0 : 1;
}

}  // namespace tpuc
