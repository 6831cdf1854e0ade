#include "driver/synthetic_layer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"
#include "quant/quantize.h"

namespace tpuc {

namespace {

// --dtype: the precisions a layer can be compiled in, and the policy (configs/quant/) giving it.
struct Precision {
  const char* name;
  DType dtype;
  const char* policy;
};
const Precision kPrecisions[] = {{"int8", DType::I8, "int8_sym.yaml"},
                                 {"f16", DType::F16, "f16.yaml"},
                                 {"bf16", DType::BF16, "bf16.yaml"},
                                 {"f32", DType::F32, "f32.yaml"}};

const Precision& precision_of(DType t) {
  return *std::find_if(std::begin(kPrecisions), std::end(kPrecisions),
                       [&](const Precision& p) { return p.dtype == t; });
}

// Names people use for ONNX operators (PyTorch's modules); any ONNX name matches in any case.
const std::map<std::string, std::string> kOpAliases = {
    {"conv2d", "Conv"}, {"maxpool2d", "MaxPool"},     {"avgpool2d", "AveragePool"},
    {"linear", "Gemm"}, {"gap", "GlobalAveragePool"},
};

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

std::string onnx_op_name(const std::string& name) {
  const std::string lower = lowercase(name);
  if (auto alias = kOpAliases.find(lower); alias != kOpAliases.end()) return alias->second;
  for (const std::string& op : onnx_supported_ops())
    if (lowercase(op) == lower) return op;
  throw Error("--op '" + name +
              "': not an ONNX operator tpuc imports (e.g. Conv, MaxPool, Gemm, Add, MatMul, "
              "Softmax; aliases conv2d, maxpool2d, linear, gap)");
}

namespace {

// Attributes ONNX defines as lists, kept lists when given one value (kernel_shape=3 on a 1-D op).
bool is_list_attr(const std::string& key) {
  static const char* keys[] = {
      "kernel_shape", "pads",   "strides", "dilations", "perm",  "axes",   "output_padding",
      "output_shape", "starts", "ends",    "steps",     "shape", "repeats"};
  return std::any_of(std::begin(keys), std::end(keys), [&](const char* k) { return key == k; });
}

// "3" → 3, "3,3" → [3, 3], "0.5" → 0.5, "1,0.5" → [1.0, 0.5], "SAME_UPPER" → a string.
Attr parse_attr_value(const std::string& key, const std::string& text, const std::string& what) {
  std::vector<std::string> items;
  for (size_t start = 0, comma; start <= text.size(); start = comma + 1) {
    comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    items.push_back(text.substr(start, comma - start));
  }
  std::vector<int64_t> ints;
  std::vector<double> floats;
  for (const std::string& item : items) {
    char* end = nullptr;
    const long long i = std::strtoll(item.c_str(), &end, 10);
    if (!item.empty() && *end == '\0') {
      ints.push_back(i);
      floats.push_back(double(i));
      continue;
    }
    const double f = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0') {
      if (items.size() == 1 && !is_list_attr(key) &&
          std::isalpha(static_cast<unsigned char>(text[0])))
        return text;
      throw Error(what + ": '" + item + "' is not a number");
    }
    floats.push_back(f);
  }
  const bool list = items.size() > 1 || is_list_attr(key);
  if (ints.size() == items.size()) return list ? Attr(ints) : Attr(ints[0]);
  return list ? Attr(floats) : Attr(floats[0]);
}

// A positive integer attribute that sizes an operand (out_channels, out_features), taken off the
// node.
int64_t take_size(Node& n, const std::string& key, int64_t fallback) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return fallback;
  const int64_t* v = std::get_if<int64_t>(&it->second);
  if (!v || *v <= 0) throw Error(key + " must be a positive integer");
  const int64_t size = *v;
  n.attrs.erase(it);
  return size;
}

// Halide indexes buffers with 32 bits: a larger tensor cannot be computed (nor, at that size,
// allocated).
void require_addressable(const Shape& shape, const std::string& what) {
  double elements = 1;
  for (int64_t d : shape) elements *= double(d);
  if (elements > double(std::numeric_limits<int32_t>::max()))
    throw Error(what + " " + to_string(shape) +
                " has more than 2^31 - 1 elements, Halide's limit for one buffer");
}

void require_rank(const SyntheticLayer& l, size_t rank, const char* layout) {
  if (l.shape.size() != rank) throw Error(l.op + " takes a " + layout + " input");
}

// Seeded uniform floats in ±1/sqrt(fan_in).
Tensor initial_weights(Shape shape, int64_t fan_in, unsigned seed) {
  require_addressable(shape, "the weight");
  Tensor t(TensorType{DType::F32, std::move(shape), std::nullopt});
  std::mt19937 rng(seed);
  const float bound = 1.0f / std::sqrt(float(std::max<int64_t>(fan_in, 1)));
  std::uniform_real_distribution<float> uniform(-bound, bound);
  for (int64_t i = 0; i < t.size(); ++i) t.as<float>()[i] = uniform(rng);
  return t;
}

// Operand builders: add an op's operands beyond x to the graph and the node.
using OperandBuilder = void (*)(const SyntheticLayer&, Graph&, Node&);

void conv_operands(const SyntheticLayer& l, Graph& g, Node& n) {
  require_rank(l, 4, "4-D [N, C, H, W]");
  const int64_t channels = l.shape[1], out = take_size(n, "out_channels", channels),
                group = n.i("group", 1);
  if (group <= 0 || channels % group)
    throw Error("group must divide the input's " + std::to_string(channels) + " channels");
  if (!n.has("kernel_shape")) n.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  if (kernel.size() != 2)
    throw Error("kernel_shape of a 2-D Conv has two sizes, e.g. kernel_shape=3,3");
  const int64_t fan_in = channels / group * kernel[0] * kernel[1];
  g.constants["w"] = initial_weights({out, channels / group, kernel[0], kernel[1]}, fan_in, 1);
  g.constants["b"] = initial_weights({out}, fan_in, 2);
  n.inputs = {"x", "w", "b"};
}

void gemm_operands(const SyntheticLayer& l, Graph& g, Node& n) {
  require_rank(l, 2, "2-D [M, K]");
  if (!n.has("transB")) n.attrs["transB"] = int64_t{1};
  const int64_t k = l.shape[n.i("transA", 0) ? 0 : 1], out = take_size(n, "out_features", k);
  g.constants["w"] = initial_weights(n.i("transB", 0) ? Shape{out, k} : Shape{k, out}, k, 1);
  g.constants["b"] = initial_weights({out}, k, 2);
  n.inputs = {"x", "w", "b"};
}

void matmul_operands(const SyntheticLayer& l, Graph& g, Node& n) {
  if (l.shape.size() < 2) throw Error("MatMul takes an input of rank 2 or more [..., K]");
  const int64_t k = l.shape.back(), out = take_size(n, "out_features", k);
  g.constants["w"] = initial_weights({k, out}, k, 1);
  n.inputs = {"x", "w"};
}

void second_input(const SyntheticLayer& l, Graph& g, Node& n) {
  g.inputs.push_back("x2");
  g.types["x2"] = {DType::F32, l.shape, std::nullopt};
  n.inputs = {"x", "x2"};
}

// Where: a constant condition (every third element true) choosing between two inputs.
void where_operands(const SyntheticLayer& l, Graph& g, Node& n) {
  second_input(l, g, n);
  Tensor mask(TensorType{DType::Bool, l.shape, std::nullopt});
  for (int64_t i = 0; i < mask.size(); ++i) mask.as<uint8_t>()[i] = i % 3 == 0;
  g.constants["mask"] = mask;
  n.inputs = {"mask", "x", "x2"};
}

// Operands that opsets after 1 take as inputs, written as attributes: they become i64 constants
// in the input order (an operand not given is absent, "").
void attributes_to_inputs(Graph& g, Node& n, const std::vector<std::string>& keys) {
  size_t given = 0;
  for (size_t i = 0; i < keys.size(); ++i)
    if (n.has(keys[i])) given = i + 1;
  for (size_t i = 0; i < given; ++i) {
    const std::string& key = keys[i];
    if (!n.has(key)) {
      n.inputs.push_back("");
      continue;
    }
    const std::vector<int64_t> values = n.ints(key);
    g.constants[key] = make_tensor<int64_t>(DType::I64, {int64_t(values.size())}, values);
    n.inputs.push_back(key);
    n.attrs.erase(key);
  }
}

void tile_operand(const SyntheticLayer&, Graph& g, Node& n) {
  attributes_to_inputs(g, n, {"repeats"});
}
void slice_operands(const SyntheticLayer&, Graph& g, Node& n) {
  attributes_to_inputs(g, n, {"starts", "ends", "axes", "steps"});
}
void shape_operand(const SyntheticLayer&, Graph& g, Node& n) {  // Reshape, Expand
  attributes_to_inputs(g, n, {"shape"});
}

const std::map<std::string, OperandBuilder> kOperands = {
    {"Conv", conv_operands},       {"Gemm", gemm_operands},    {"MatMul", matmul_operands},
    {"Slice", slice_operands},     {"Reshape", shape_operand}, {"Add", second_input},
    {"Sub", second_input},         {"Mul", second_input},      {"Div", second_input},
    {"Max", second_input},         {"Min", second_input},      {"Expand", shape_operand},
    {"Tile", tile_operand},        {"Greater", second_input},  {"Less", second_input},
    {"Equal", second_input},       {"Where", where_operands},  {"GreaterOrEqual", second_input},
    {"LessOrEqual", second_input},
};

// The float graph as the importer would give it: typed inputs, the one node named after the op.
Graph top_graph(const SyntheticLayer& l, const std::map<std::string, Attr>& attrs) {
  Graph g;
  g.name = l.op;
  g.inputs = {"x"};
  g.outputs = {"y"};
  g.types["x"] = {DType::F32, l.shape, std::nullopt};
  Node n{l.op, l.op, {"x"}, {"y"}, attrs};
  if (auto build = kOperands.find(l.op); build != kOperands.end()) build->second(l, g, n);
  for (const char* key : {"out_channels", "out_features"})
    if (n.has(key))
      throw Error(std::string(key) +
                  " sizes the weights of Conv (out_channels), Gemm and MatMul (out_features); " +
                  l.op + " has none");
  g.nodes = {n};
  return g;
}

}  // namespace

Shape parse_shape(const std::string& text, const std::string& what) {
  Shape s;
  for (size_t start = 0, x; start <= text.size(); start = x + 1) {
    x = text.find('x', start);
    if (x == std::string::npos) x = text.size();
    const std::string dim = text.substr(start, x - start);
    if (dim.empty() || dim.size() > 12 ||
        dim.find_first_not_of("0123456789") != std::string::npos)  // 12 digits: no overflow
      throw Error(what + ": '" + dim + "' is not a dimension");
    s.push_back(std::stoll(dim));
  }
  return s;
}

std::string SyntheticLayer::options() const {
  return "--op " + op + " --shape " + to_string(shape) + " --dtype " + precision_of(dtype).name +
         (attr_text.empty() ? "" : " --attr " + attr_text);
}

SyntheticLayer parse_synthetic_layer(const std::string& op, const std::string& shape,
                                     const std::string& dtype,
                                     const std::vector<std::string>& attrs,
                                     const std::string& configs_dir) {
  SyntheticLayer l;
  l.op = onnx_op_name(op);
  l.shape = parse_shape(shape, "--shape '" + shape + "'");
  if (std::count(l.shape.begin(), l.shape.end(), 0))
    throw Error("--shape '" + shape + "': a dimension is 0");
  require_addressable(l.shape, "--shape: the input");
  const Precision* p = std::find_if(std::begin(kPrecisions), std::end(kPrecisions),
                                    [&](const Precision& q) { return dtype == q.name; });
  if (p == std::end(kPrecisions))
    throw Error("--dtype '" + dtype + "': expected int8, f16, bf16 or f32");
  l.dtype = p->dtype;
  l.policy = configs_dir + "/quant/" + p->policy;
  std::map<std::string, Attr> values;
  for (const std::string& a : attrs) {
    const size_t eq = a.find('=');
    const std::string key = a.substr(0, eq);
    if (eq == std::string::npos || key.empty() || eq + 1 == a.size())
      throw Error("--attr '" + a + "': expected key=value, e.g. pads=1,1,1,1");
    if (values.count(key)) throw Error("--attr '" + a + "': '" + key + "' given twice");
    values[key] = parse_attr_value(key, a.substr(eq + 1), "--attr '" + a + "'");
    l.attr_text += (l.attr_text.empty() ? "" : " ") + a;
  }
  try {  // shape inference checks the attributes against the shape
    l.top = top_graph(l, values);
    passes::run_pipeline(l.top, passes::load_pipeline(configs_dir + "/pipelines/default.yaml"));
    for (const auto& [value, type] : l.top.types)
      require_addressable(type.shape, "value '" + value + "'");
  } catch (const Error& e) {
    throw Error(l.options() + ": " + e.what());
  }
  return l;
}

Graph synthetic_tpu_graph(const SyntheticLayer& layer) {
  try {
    const quant::QuantPolicy policy = quant::load_quant_policy(layer.policy);
    quant::CalibrationTable table;
    if (quant::needs_calibration(policy)) {
      std::vector<TensorMap> samples;
      for (unsigned seed = 1; seed <= 4; ++seed) samples.push_back(random_inputs(layer.top, seed));
      table = quant::calibrate(layer.top, samples, quant::CalibrationMethod{});
    }
    return quant::quantize(layer.top, table, policy);
  } catch (const Error& e) {
    throw Error(layer.options() + ": " + e.what());
  }
}

const Node& synthetic_layer_node(const Graph& tpu, const SyntheticLayer& layer) {
  for (const Node& n : tpu.nodes)
    if (n.name == layer.op) return n;
  throw Error(layer.options() +
              ": the pass pipeline removed the layer; nothing is left to schedule");
}

TensorMap random_inputs(const Graph& g, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  TensorMap inputs;
  for (const std::string& name : g.inputs) {
    const TensorType& type = g.type(name);
    const bool half = type.dtype == DType::F16 || type.dtype == DType::BF16;
    Tensor t(half ? TensorType{DType::F32, type.shape, std::nullopt} : type);
    for (int64_t i = 0; i < t.size(); ++i) {
      if (t.type.dtype == DType::I8) t.as<int8_t>()[i] = int8_t(int(rng() % 256) - 128);
      if (t.type.dtype == DType::F32) t.as<float>()[i] = normal(rng);
    }
    if (half) {
      t = convert_float(t, type.dtype);
      t.type = type;
    }
    inputs[name] = t;
  }
  return inputs;
}

}  // namespace tpuc
