#include "frontend/onnx/importer.h"

#include <onnx/onnx_pb.h>
#include <onnx/version_converter/convert.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>

#include "ir/diagnostics.h"
#include "ops/registry.h"

namespace tpuc {

namespace {

// ONNX TensorProto.DataType → tpuc dtype.
const std::map<int, DType> kDTypes = {
    {onnx::TensorProto::FLOAT, DType::F32},     {onnx::TensorProto::FLOAT16, DType::F16},
    {onnx::TensorProto::BFLOAT16, DType::BF16}, {onnx::TensorProto::INT8, DType::I8},
    {onnx::TensorProto::UINT8, DType::U8},      {onnx::TensorProto::INT16, DType::I16},
    {onnx::TensorProto::INT32, DType::I32},     {onnx::TensorProto::INT64, DType::I64},
    {onnx::TensorProto::BOOL, DType::Bool},     {onnx::TensorProto::DOUBLE, DType::F64},
    {onnx::TensorProto::UINT16, DType::U16},    {onnx::TensorProto::UINT32, DType::U32},
    {onnx::TensorProto::UINT64, DType::U64},
};

struct Importer {
  std::string file;
  int64_t declared_opset = 0;  // the model's own, named in errors
  int64_t opset = 0;           // the one its nodes are normalized from (after any conversion)

  // "model.onnx (opset 11)", or the file alone before its opset is known.
  std::string origin() const {
    return declared_opset ? file + " (opset " + std::to_string(declared_opset) + ")" : file;
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(origin() + ": " + message);
  }

  DType dtype(int onnx_type, const std::string& what) const {
    auto it = kDTypes.find(onnx_type);
    if (it == kDTypes.end())
      fail(what + " has ONNX data type " + std::to_string(onnx_type) +
           ", which tpuc does not support");
    return it->second;
  }

  Tensor tensor(const onnx::TensorProto& t) const {
    const std::string what = "tensor '" + t.name() + "'";
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      fail(what + " keeps its data in an external file; not supported");
    const TensorType type{dtype(t.data_type(), what), Shape(t.dims().begin(), t.dims().end()),
                          std::nullopt};
    // The stored values must match the shape before anything is allocated for it.
    int64_t count = 1;
    for (int64_t d : type.shape) {
      if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d))
        fail(what + " has an invalid shape " + to_string(type.shape));
      count *= d;
    }
    const int64_t width = int64_t(bytes(type.dtype));
    const int64_t stored =
        t.has_raw_data()           ? int64_t(t.raw_data().size()) / width
        : type.dtype == DType::F32 ? t.float_data_size()
        : type.dtype == DType::I64
            ? t.int64_data_size()
            : t.int32_data_size();  // the narrower integer and 16-bit float types
    if (stored != count || (t.has_raw_data() && int64_t(t.raw_data().size()) % width))
      fail(what + " holds " + std::to_string(stored) + " values, its shape " +
           to_string(type.shape) + " needs " + std::to_string(count));
    Tensor out(type);
    if (t.has_raw_data()) {
      std::memcpy(out.data.data(), t.raw_data().data(), out.data.size());
      return out;
    }
    auto fill = [&](const auto& field, auto as) {
      for (int i = 0; i < field.size(); ++i) {
        decltype(as) v = decltype(as)(field.Get(i));
        std::memcpy(out.data.data() + size_t(i) * sizeof v, &v, sizeof v);
      }
    };
    switch (out.type.dtype) {
      case DType::F32:
        fill(t.float_data(), float{});
        break;
      case DType::I64:
        fill(t.int64_data(), int64_t{});
        break;
      case DType::I8:
        fill(t.int32_data(), int8_t{});
        break;
      case DType::U8:
      case DType::Bool:
        fill(t.int32_data(), uint8_t{});
        break;
      case DType::I16:
        fill(t.int32_data(), int16_t{});
        break;
      case DType::I32:
        fill(t.int32_data(), int32_t{});
        break;
      case DType::F16:
      case DType::BF16:
      case DType::U16:
        fill(t.int32_data(), uint16_t{});
        break;
      case DType::F64:
        fill(t.double_data(), double{});
        break;
      case DType::U32:
        fill(t.uint64_data(), uint32_t{});
        break;
      case DType::U64:
        fill(t.uint64_data(), uint64_t{});
        break;
    }
    return out;
  }

  Attr attribute(const onnx::AttributeProto& a, const std::string& node) const {
    switch (a.type()) {
      case onnx::AttributeProto::INT:
        return int64_t(a.i());
      case onnx::AttributeProto::FLOAT:
        return double(a.f());
      case onnx::AttributeProto::STRING:
        return a.s();
      case onnx::AttributeProto::INTS:
        return std::vector<int64_t>(a.ints().begin(), a.ints().end());
      case onnx::AttributeProto::FLOATS:
        return std::vector<double>(a.floats().begin(), a.floats().end());
      default:
        fail("node '" + node + "': attribute '" + a.name() + "' has a type tpuc does not support");
    }
  }
};

// Per-op canonicalization to the newest opset's form. `opset` is the model's default-domain opset.
using Normalizer = void (*)(Node&, Graph&, int64_t opset);

void keep(Node&, Graph&, int64_t) {}

void batchnorm(Node& n, Graph&, int64_t) {
  if (n.i("training_mode", 0))
    node_error(n,
               "training_mode 1 normalizes with the batch's statistics and updates the running "
               "ones; tpuc compiles inference (export the model in eval mode)");
  n.attrs.erase("spatial");  // opset < 9: always 1 for the models tpuc accepts
  n.attrs.erase("is_test");
  n.attrs.erase("consumed_inputs");
  n.outputs.resize(1);  // training-mode outputs (running mean/var) are never used at inference
}

void softmax(Node& n, Graph&, int64_t opset) {
  // Before opset 13 Softmax coerced its input to 2-D at `axis` (default 1); since 13 it works along
  // one axis (default -1).
  if (opset < 13) {
    if (!n.has("axis")) n.attrs["axis"] = int64_t{1};
    n.attrs["coerce_2d"] = int64_t{1};
  }
}

// A scalar input of a Dropout (ratio, training_mode): its constant value, or `absent` when the
// input is not given; nullopt when it is computed.
std::optional<double> dropout_scalar(const Node& n, const Graph& g, size_t k, double absent) {
  if (n.inputs.size() <= k || n.inputs[k].empty()) return absent;
  auto c = g.constants.find(n.inputs[k]);
  if (c == g.constants.end() || c->second.size() != 1) return std::nullopt;
  return c->second.at(0);
}

void dropout(Node& n, Graph& g, int64_t) {
  // Inference Dropout is the identity, and so is a training-mode one that drops nothing (ratio
  // 0, as some exporters write it); any other training mode is random. Its mask keeps everything.
  const std::optional<double> training = dropout_scalar(n, g, 2, 0),
                              ratio = dropout_scalar(n, g, 1, n.f("ratio", 0.5));
  if (training != 0.0 && ratio != 0.0)
    node_error(n,
               "training mode with a ratio other than 0 is random; tpuc compiles inference "
               "only");
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) {  // nothing dropped: a mask of all true
    const std::string shape = g.fresh_name(n.name + "_shape");
    g.nodes.push_back({"Shape", n.name + "/shape", {n.inputs[0]}, {shape}, {}});
    g.nodes.push_back({"ConstantOfShape",
                       n.name + "/mask",
                       {shape},
                       {n.outputs[1]},
                       {{"value", 1.0}, {"dtype", std::string("bool")}}});
  }
  n.attrs.erase("ratio");
  n.attrs.erase("is_test");
  n.inputs.resize(1);
  n.outputs.resize(1);
}

void reshape(Node& n, Graph& g, int64_t opset) {
  if (opset >= 5) return;
  // Reshape-1 carried the shape as an attribute.
  const std::string shape = g.fresh_name(n.name + "_shape");
  const std::vector<int64_t> dims = n.ints("shape");
  g.constants[shape] = make_tensor<int64_t>(DType::I64, {int64_t(dims.size())}, dims);
  n.attrs.erase("shape");
  n.inputs.push_back(shape);
}

void gemm(Node& n, Graph&, int64_t) {
  n.attrs.erase("broadcast");
}  // Gemm < 7: broadcast is implied

struct OnnxOp {
  const char* name;
  Normalizer normalize;
};

void clip(Node& n, Graph& g, int64_t opset) {
  if (opset >= 11) return;
  // Clip-6 carried min and max as attributes; since 11 they are optional inputs.
  n.inputs.resize(1);
  for (const char* bound : {"min", "max"}) {
    const std::string name = g.fresh_name(n.name + "_" + bound);
    const float fallback = std::string(bound) == "min" ? -3.402823466e38f : 3.402823466e38f;
    g.constants[name] = make_tensor<float>(DType::F32, {}, {float(n.f(bound, fallback))});
    n.attrs.erase(bound);
    n.inputs.push_back(name);
  }
}

// Squeeze/Unsqueeze (opset 13+) and ReduceSum (13+) take their axes as an input; tpuc keeps them
// as the `axes` attribute of the older opsets, so they must be constant.
void axes_to_attribute(Node& n, Graph& g, int64_t) {
  if (n.inputs.size() < 2 || n.inputs[1].empty()) return n.inputs.resize(1);
  auto axes = g.constants.find(n.inputs[1]);
  if (axes == g.constants.end()) node_error(n, "axes must be a constant");
  std::vector<int64_t> values;
  for (int64_t i = 0; i < axes->second.size(); ++i) values.push_back(int64_t(axes->second.at(i)));
  n.attrs["axes"] = values;
  n.inputs.resize(1);
}

// Cast's `to` is an ONNX type code; tpuc's canonical form is its dtype name.
void cast_type(Node& n, Graph&, int64_t) {
  auto it = kDTypes.find(int(n.i("to", 0)));
  if (it == kDTypes.end())
    node_error(n, "Cast to ONNX type " + std::to_string(n.i("to", 0)) + " is not supported");
  n.attrs["to"] = std::string(name(it->second));
}

// ConstantOfShape's value is a one-element tensor attribute; tpuc keeps its dtype name and value.
// (Handled in import_onnx, where tensor attributes are read.)

// The ops whose older opsets differ from the form tpuc's registry takes (every other registered op
// is imported as it is).
const OnnxOp kNormalizers[] = {
    {"BatchNormalization", batchnorm},
    {"Cast", cast_type},
    {"Clip", clip},
    {"Dropout", dropout},
    {"Gemm", gemm},
    {"LogSoftmax", softmax},
    {"ReduceSum", axes_to_attribute},
    {"Reshape", reshape},
    {"Softmax", softmax},
    {"Squeeze", axes_to_attribute},
    {"Unsqueeze", axes_to_attribute},
};

// 1-D Conv, ConvTranspose, MaxPool and AveragePool run as their 2-D forms on a height-1 image:
// Unsqueeze the input (and a non-constant weight) at axis 2, widen the window attributes, Squeeze
// the result. The ops library, its schedules and the chip then need only the 2-D form.
bool one_dimensional(const Node& n, const Graph& g) {
  const bool conv = n.op == "Conv" || n.op == "ConvTranspose";
  if (!conv && n.op != "MaxPool" && n.op != "AveragePool") return false;
  // Malformed nodes (missing operands) are left for the op's own checks to report.
  if (n.outputs.empty() || n.inputs.size() < (conv ? 2u : 1u) || n.inputs[0].empty() ||
      (conv && n.inputs[1].empty()))
    return false;
  if (n.attrs.count("kernel_shape")) return n.ints("kernel_shape").size() == 1;
  if (!conv) return false;
  const std::string& w = n.inputs[1];  // its rank is known for initializers and graph inputs
  return g.is_constant(w) ? g.constants.at(w).type.shape.size() == 3
                          : g.types.count(w) && g.types.at(w).shape.size() == 3;
}

void widen_to_2d(Node& n, Graph& g, std::vector<Node>& nodes) {
  auto unsqueeze = [&](const std::string& value) {
    const std::string wide = value + "/2d";
    if (g.is_constant(value)) {
      Tensor t = g.constants.at(value);
      t.type.shape.insert(t.type.shape.begin() + 2, 1);
      g.constants[wide] = std::move(t);
    } else {
      nodes.push_back(Node{"Unsqueeze",
                           n.name + "/unsqueeze_" + value,
                           {value},
                           {wide},
                           {{"axes", std::vector<int64_t>{2}}}});
    }
    return wide;
  };
  n.inputs[0] = unsqueeze(n.inputs[0]);
  if (n.op != "MaxPool" && n.op != "AveragePool") n.inputs[1] = unsqueeze(n.inputs[1]);
  auto widen = [&](const char* key, int64_t fill) {
    if (!n.attrs.count(key)) return;
    std::vector<int64_t> v = n.ints(key);
    v.insert(v.begin(), fill);
    if (std::string(key) == "pads" && v.size() == 3) v.insert(v.begin() + 2, 0);  // [0, b, 0, e]
    n.attrs[key] = v;
  };
  widen("kernel_shape", 1);
  widen("strides", 1);
  widen("dilations", 1);
  widen("pads", 0);
  widen("output_padding", 0);
  widen("output_shape", 1);
  const std::string out = n.outputs[0];
  n.outputs[0] = out + "/2d";
  nodes.push_back(n);
  nodes.push_back(Node{
      "Squeeze", n.name + "/squeeze", {n.outputs[0]}, {out}, {{"axes", std::vector<int64_t>{2}}}});
}

// The registered op an ONNX node of this type imports as, or nullptr (tpuc's own ops, such as
// Lut, are not ONNX's).
const ops::OpDef* importable(const std::string& op) {
  const ops::OpDef* def = ops::find_op(op);
  return def && !def->internal ? def : nullptr;
}

Normalizer normalizer(const std::string& op) {
  for (const OnnxOp& o : kNormalizers)
    if (op == o.name) return o.normalize;
  return keep;
}

}  // namespace

std::vector<std::string> onnx_supported_ops() {
  std::vector<std::string> names;
  for (const ops::OpDef& op : ops::all_ops())
    if (importable(op.name)) names.push_back(op.name);
  return names;
}

std::pair<std::string, Tensor> read_onnx_tensor(const std::string& path) {
  Importer im{path};
  onnx::TensorProto t;
  std::ifstream in(path, std::ios::binary);
  if (!in) im.fail("cannot open file");
  if (!t.ParseFromIstream(&in)) im.fail("not a valid ONNX TensorProto");
  return {t.name(), im.tensor(t)};
}

namespace {

// The opsets whose forms the normalizers know; a model of another is converted into the nearest
// by ONNX's own version converter.
constexpr int64_t kOldestOpset = 7, kNewestOpset = 17;

// The model's default-domain opset; 0 when it imports none.
int64_t default_opset(const onnx::ModelProto& model) {
  int64_t opset = 0;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  return opset;
}

// `model` in an opset the normalizers know: as it is, or converted by ONNX's version converter
// (onnx::version_conversion, its adapters op by op); a model it cannot convert is an error naming
// both opsets and the converter's reason (which names the op).
onnx::ModelProto in_known_opset(const Importer& im, onnx::ModelProto model) {
  const int64_t opset = im.declared_opset;
  if (opset == 0) im.fail("the model imports no default-domain opset");
  if (opset >= kOldestOpset && opset <= kNewestOpset) return model;
  const int64_t target = opset < kOldestOpset ? kOldestOpset : kNewestOpset;
  try {
    return onnx::version_conversion::ConvertVersion(model, int(target));
  } catch (const std::exception& e) {
    im.fail("ONNX's version converter cannot take this model from opset " + std::to_string(opset) +
            " to " + std::to_string(target) + ": " + e.what());
  }
}

// The error for a graph input of a sequence, optional or map type, naming which.
[[noreturn]] void non_tensor_input(const Importer& im, const onnx::ValueInfoProto& in) {
  const onnx::TypeProto& t = in.type();
  const char* kind = t.has_sequence_type()   ? "a sequence"
                     : t.has_optional_type() ? "an optional"
                     : t.has_map_type()      ? "a map"
                                             : "not a tensor";
  im.fail("input '" + in.name() + "' is " + kind + "; tpuc takes tensors only");
}

// The graph inputs: typed from the file, or from a shape given for them; an input given a value
// becomes that constant. A shape or value given for no input is an error.
void import_inputs(const Importer& im, const onnx::GraphProto& gp,
                   const std::map<std::string, Shape>& input_shapes,
                   const std::map<std::string, Tensor>& bound_inputs, Graph& g) {
  std::set<std::string> unused;
  for (const auto& [name, shape] : input_shapes) unused.insert(name);
  for (const auto& [name, value] : bound_inputs) unused.insert(name);
  for (const auto& in : gp.input()) {
    if (g.constants.count(in.name())) continue;  // old exporters list initializers as inputs
    const std::string what = "input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) non_tensor_input(im, in);
    const auto& tt = in.type().tensor_type();
    TensorType type{im.dtype(tt.elem_type(), what), {}, std::nullopt};
    unused.erase(in.name());
    auto bound = bound_inputs.find(in.name());
    if (bound != bound_inputs.end()) {
      if (bound->second.type.dtype != type.dtype)
        im.fail(what + " is " + std::string(tpuc::name(type.dtype)) +
                ", the value bound to it is " + to_string(bound->second.type));
      g.constants[in.name()] = bound->second;
      continue;
    }
    auto given = input_shapes.find(in.name());
    if (given != input_shapes.end()) {
      type.shape = given->second;
    } else {
      for (const auto& d : tt.shape().dim()) {
        if (!d.has_dim_value())
          im.fail(what + " has a symbolic dimension '" + d.dim_param() +
                  "'; give its shape (config inputs[].shape or --input-shape)");
        if (d.dim_value() < 0) im.fail(what + " has a negative dimension");
        type.shape.push_back(d.dim_value());
      }
    }
    g.inputs.push_back(in.name());
    g.types[in.name()] = type;
  }
  if (!unused.empty())
    im.fail("a shape or value is given for '" + *unused.begin() + "', which is not a graph input");
}

// A Constant's value: its tensor, or the scalar or 1-D list of value_float(s) / value_int(s).
Tensor constant_value(const Importer& im, const onnx::AttributeProto& a, const std::string& node) {
  if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) return im.tensor(a.t());
  if (a.name() == "value_float") return make_tensor<float>(DType::F32, {}, {a.f()});
  if (a.name() == "value_int") return make_tensor<int64_t>(DType::I64, {}, {a.i()});
  if (a.name() == "value_floats")
    return make_tensor<float>(DType::F32, {a.floats_size()},
                              {a.floats().begin(), a.floats().end()});
  if (a.name() == "value_ints")
    return make_tensor<int64_t>(DType::I64, {a.ints_size()}, {a.ints().begin(), a.ints().end()});
  im.fail("node '" + node + "': Constant with attribute '" + a.name() + "' is not supported");
}

// Node `np` (named `name`) into `g`: a Constant becomes a constant; an op of the registry a node,
// normalized to the newest opset's form (a 1-D window op widened to 2-D). Returns false when tpuc
// has no such op.
bool import_node(const Importer& im, const onnx::NodeProto& np, const std::string& name, Graph& g) {
  if (!np.domain().empty() && np.domain() != "ai.onnx") return false;
  if (np.output_size() == 0 || np.output(0).empty()) im.fail("node '" + name + "' has no output");
  if (np.op_type() == "Constant") {
    for (const auto& a : np.attribute()) g.constants[np.output(0)] = constant_value(im, a, name);
    return true;
  }
  if (!importable(np.op_type())) return false;
  Node n{np.op_type(),
         name,
         {np.input().begin(), np.input().end()},
         {np.output().begin(), np.output().end()},
         {}};
  for (const auto& a : np.attribute()) {
    if (np.op_type() == "ConstantOfShape" && a.name() == "value") {  // a one-element tensor
      const Tensor v = im.tensor(a.t());
      if (v.size() != 1)
        im.fail("node '" + name + "': ConstantOfShape value must hold one element");
      n.attrs["value"] = v.at(0);
      n.attrs["dtype"] = std::string(tpuc::name(v.type.dtype));
      continue;
    }
    n.attrs[a.name()] = im.attribute(a, name);
  }
  normalizer(n.op)(n, g, im.opset);
  if (one_dimensional(n, g)) {
    widen_to_2d(n, g, g.nodes);
  } else {
    g.nodes.push_back(std::move(n));
  }
  return true;
}

std::string node_name(const onnx::NodeProto& np, int index) {
  return np.name().empty() ? np.op_type() + "_" + std::to_string(index) : np.name();
}

// Every operator of the graph tpuc has no op for, in one error naming each with its node.
void check_operators(const Importer& im, const onnx::GraphProto& gp) {
  std::vector<std::string> unsupported;
  for (int k = 0; k < gp.node_size(); ++k) {
    const onnx::NodeProto& np = gp.node(k);
    const bool default_domain = np.domain().empty() || np.domain() == "ai.onnx";
    const std::string name = node_name(np, k);
    if (default_domain && (np.op_type() == "Constant" || importable(np.op_type()))) continue;
    unsupported.push_back((default_domain ? "" : np.domain() + ".") + np.op_type() + " (node '" +
                          name + "')");
  }
  if (unsupported.empty()) return;
  std::string list;
  for (const std::string& op : unsupported) list += (list.empty() ? "" : ", ") + op;
  im.fail(std::to_string(unsupported.size()) + " unsupported operator" +
          (unsupported.size() > 1 ? "s" : "") + ": " + list);
}

// Every node (check_operators found an op for each). A normalizer's node errors get the origin.
void import_nodes(const Importer& im, const onnx::GraphProto& gp, Graph& g) {
  for (int k = 0; k < gp.node_size(); ++k) {
    bool imported = false;
    try {
      imported = import_node(im, gp.node(k), node_name(gp.node(k), k), g);
    } catch (const Error& e) {
      const std::string message = e.what();
      if (message.rfind(im.file, 0) == 0) throw;
      im.fail(message);
    }
    if (!imported)
      TPUC_INTERNAL_ERROR("node '" + node_name(gp.node(k), k) + "' has no op after the check");
  }
}

onnx::ModelProto read_model(const Importer& im) {
  onnx::ModelProto model;
  std::ifstream in(im.file, std::ios::binary);
  if (!in) im.fail("cannot open file");
  if (!model.ParseFromIstream(&in))
    im.fail("not a valid ONNX model (the protobuf does not parse; truncated or not ONNX?)");
  if (!model.has_graph()) im.fail("not a valid ONNX model (it has no graph)");
  return model;
}

}  // namespace

InputNeeds input_needs(const std::string& path) {
  Importer im{path};
  const onnx::ModelProto model = read_model(im);
  im.declared_opset = default_opset(model);
  const onnx::GraphProto& gp = model.graph();
  check_operators(im, gp);
  std::set<std::string> inputs, fixing;
  InputNeeds needs;
  for (const auto& in : gp.input()) inputs.insert(in.name());
  for (const auto& init : gp.initializer()) inputs.erase(init.name());
  for (const auto& in : gp.input()) {
    if (!in.type().has_tensor_type()) non_tensor_input(im, in);
    const auto& dims = in.type().tensor_type().shape().dim();
    if (inputs.count(in.name()) &&
        std::any_of(dims.begin(), dims.end(), [](const auto& d) { return !d.has_dim_value(); }))
      needs.symbolic.push_back(in.name());
  }
  // The values that must be known: the shape operands, and, back through the graph (its nodes
  // are in topological order), whatever computes them — but a Shape reads only a shape.
  std::set<std::string> known;
  for (const auto& np : gp.node()) {
    const ops::OpDef* op = importable(np.op_type());
    for (int k = 0; op && k < np.input_size(); ++k)
      if (op->is_shape_operand(size_t(k))) known.insert(np.input(k));
  }
  for (int k = gp.node_size() - 1; k >= 0; --k) {
    const onnx::NodeProto& np = gp.node(k);
    const bool computes_known = std::any_of(np.output().begin(), np.output().end(),
                                            [&](const std::string& o) { return known.count(o); });
    if (computes_known && np.op_type() != "Shape" && np.op_type() != "Size")
      known.insert(np.input().begin(), np.input().end());
  }
  for (const std::string& name : known)
    if (inputs.count(name)) fixing.insert(name);
  needs.fixing_shapes = {fixing.begin(), fixing.end()};
  return needs;
}

Graph import_onnx(const std::string& path, const std::map<std::string, Shape>& input_shapes,
                  const std::map<std::string, Tensor>& bound_inputs) {
  Importer im{path};
  onnx::ModelProto model = read_model(im);
  im.declared_opset = default_opset(model);
  check_operators(im, model.graph());
  model = in_known_opset(im, model);
  im.opset = default_opset(model);
  const onnx::GraphProto& gp = model.graph();
  Graph g;
  g.name = gp.name().empty() ? "model" : gp.name();
  g.origin = im.origin();
  for (const auto& init : gp.initializer()) g.constants[init.name()] = im.tensor(init);
  import_inputs(im, gp, input_shapes, bound_inputs, g);
  import_nodes(im, gp, g);
  for (const auto& out : gp.output()) g.outputs.push_back(out.name());
  return g;
}

}  // namespace tpuc
