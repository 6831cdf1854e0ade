#include "driver/front_end.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <ostream>
#include <streambuf>

#include "driver/tensor_files.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "ir/text.h"
#include "passes/pass_manager.h"
#include "quant/quant_policy.h"

namespace tpuc {

namespace {

// The config's `outputs`: the graph computes only those (the passes remove the rest).
void keep_outputs(Graph& g, const NamesConfig& outputs) {
  if (outputs.names.empty()) return;
  for (const std::string& name : outputs.names) {
    const bool exists = g.producer(name) || g.is_constant(name) ||
                        std::count(g.inputs.begin(), g.inputs.end(), name);
    if (!exists)
      throw Error(outputs.origin + ": outputs: '" + name + "' is not a value of the model");
  }
  g.outputs = outputs.names;
}

// A stream that keeps only the CRC-32 of what is written to it: a float graph's text runs to
// hundreds of megabytes.
class Crc32Stream : private std::streambuf, public std::ostream {
 public:
  Crc32Stream() : std::ostream(this) {}
  uLong crc = crc32(0, nullptr, 0);

 private:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(s), uInt(n));
    return n;
  }
  std::streambuf::int_type overflow(std::streambuf::int_type c) override {
    const char one = char(c);
    if (c != std::streambuf::traits_type::eof()) xsputn(&one, 1);
    return c;
  }
};

// What a calibration table depends on: the float graph, the preprocessed samples, the method and
// the version of the methods. A table in the output folder with the same key is reused.
std::string calibration_key(const CompileConfig& c, const Graph& top,
                            const std::vector<TensorMap>& samples) {
  Crc32Stream graph;
  print(top, graph);
  const std::string method = c.calibration_method.name + " " +
                             std::to_string(c.calibration_method.percentile) + " v" +
                             std::to_string(quant::kCalibrationVersion);
  uLong data = crc32(0, reinterpret_cast<const Bytef*>(method.data()), uInt(method.size()));
  for (const TensorMap& sample : samples)
    for (const auto& [name, t] : sample) data = crc32(data, t.data.data(), uInt(t.data.size()));
  char key[32];
  std::snprintf(key, sizeof key, "%08lx-%08lx", graph.crc, data);
  return key;
}

// The value a config gives an input (inputs[].value): the file's one tensor, or its tensor of the
// input's name.
Tensor read_value(const InputConfig& in) {
  TensorMap file = read_tensor_file(in.value, "input");
  auto named = file.find(in.name);
  if (named == file.end() && file.size() != 1)
    throw Error(in.value + ": has no tensor named '" + in.name + "' (inputs[].value)");
  std::fprintf(stderr, "[import] input '%s' bound to its value in %s\n", in.name.c_str(),
               in.value.c_str());
  return named == file.end() ? file.begin()->second : named->second;
}

}  // namespace

Graph prepare_top(const CompileConfig& c, const CompileOptions& options, Stages& stages) {
  const std::string& out = c.output_dir;
  Graph top = stages.run("import", [&] {
    std::map<std::string, Shape> shapes;
    std::map<std::string, Tensor> bound;
    for (const InputConfig& in : c.inputs) {
      if (!in.shape.empty()) shapes[in.name] = in.shape;
      if (!in.value.empty()) bound[in.name] = read_value(in);
    }
    Graph g = import_onnx(c.model, shapes, bound);
    keep_outputs(g, c.outputs);
    return g;
  });
  stages.run("passes", [&] {
    passes::PipelineOptions po;
    po.dump_dir = out + "/dumps";
    po.dump_after = options.dump_after;
    po.dump_before = options.dump_before;
    po.time_passes = options.time_passes;
    passes::Pipeline pipeline = passes::load_pipeline(c.pipeline);
    for (const InputConfig& in :
         c.inputs) {  // preprocessing moves into the model: it takes raw input
      if (!in.fuse_preprocess) continue;
      passes::PassOptions o;
      o.values = {{"input", YAML::Node(in.name)},
                  {"scale", YAML::Node(in.preprocess.scale)},
                  {"mean", YAML::Node(in.preprocess.mean)}};
      pipeline.steps.push_back({passes::find_pass("fuse-preprocess"), o});
    }
    if (quant::load_quant_policy(c.policy).equalize_cross_layer)
      pipeline.steps.push_back({passes::find_pass("equalize-cross-layer"), {}});
    passes::run_pipeline(top, pipeline, po);
    write_tpuir(top, out + "/top.tpuir");
    return 0;
  });
  return top;
}

namespace {

// Ranges calibrated on random values need not match real data: a trained text detector lost its
// int8 accuracy that way (cosine 0.35 against 0.97 on real pages). Random inputs show as
// neighbouring values that do not correlate; images correlate well above 0.5.
void warn_if_noise(const Dataset& cal, const std::string& where) {
  const double r = neighbour_correlation(cal);
  if (r < 0.2)
    std::fprintf(stderr,
                 "warning: the calibration inputs in %s look like random values (neighbouring "
                 "values correlate %.2f; images: 0.5 and more). A trained model's int8 ranges "
                 "need real samples: calibrate on data like its inputs (docs/quantization.md).\n",
                 where.c_str(), r);
}

}  // namespace

quant::CalibrationTable calibrate_or_reuse(const CompileConfig& c, const Graph& top,
                                           Stages& stages) {
  return stages.run("calibrate", [&] {
    const Dataset cal = load(c.calibration, top, c);
    warn_if_noise(cal, c.calibration.images);
    std::vector<TensorMap> samples;
    for (const Tensor& t : cal.images) samples.push_back({{top.inputs.at(0), t}});
    const std::string path = c.output_dir + "/calibration.txt",
                      key = calibration_key(c, top, samples);
    if (std::filesystem::exists(path) && quant::read_calibration_key(path) == key) {
      std::fprintf(stderr, "reusing %s (same graph, data and method)\n", path.c_str());
      return quant::read_calibration_table(path);
    }
    quant::CalibrationTable t = quant::calibrate(top, samples, c.calibration_method, true);
    t.key = key;
    quant::write_calibration_table(path, t);
    return t;
  });
}

Dataset load(const DatasetConfig& d, const Graph& g, const CompileConfig& c) {
  const std::string& input = g.inputs.at(0);
  Preprocess pre;
  for (const InputConfig& ic : c.inputs) {
    if (ic.name != input) continue;
    pre = ic.preprocess;
    // A fused preprocessing scales in the graph: the dataset keeps only the channel order and size.
    if (ic.fuse_preprocess) {
      pre.scale = {1.0};
      pre.mean = {0.0};
    }
  }
  return read_dataset(d.images, d.labels, g.type(input), pre, d.count, 0, c.metric.kind);
}

}  // namespace tpuc
