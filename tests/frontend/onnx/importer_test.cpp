// The ONNX importer on the real example model and on small models built here with ONNX's own
// protobuf classes.
#include "frontend/onnx/importer.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>

#include "ir/diagnostics.h"
#include "ir/files.h"

using namespace tpuc;

namespace {

const std::string kModel = std::string(TPUC_SOURCE_DIR) + "/examples/fmnist/model.onnx";

std::string error_of(const std::string& path, const std::map<std::string, Shape>& shapes = {}) {
  try {
    import_onnx(path, shapes);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// A one-input model whose nodes are given; input "x" is f32[1, dim] with `dim` symbolic when empty.
std::string write_model(const std::string& name, const std::vector<onnx::NodeProto>& nodes,
                        int opset = 13, const std::string& dim_param = "") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("test");
  onnx::ValueInfoProto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  if (dim_param.empty()) {
    tt->mutable_shape()->add_dim()->set_dim_value(4);
  } else {
    tt->mutable_shape()->add_dim()->set_dim_param(dim_param);
  }
  for (const auto& n : nodes) *g->add_node() = n;
  g->add_output()->set_name(nodes.back().output(0));
  const std::string path = ::testing::TempDir() + "/" + name + ".onnx";
  std::ofstream(path, std::ios::binary) << m.SerializeAsString();
  return path;
}

onnx::NodeProto node(const std::string& op, const std::string& name, std::vector<std::string> in,
                     const std::string& out) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (const std::string& i : in) n.add_input(i);
  n.add_output(out);
  return n;
}

// A Constant node whose value is an int64 or float tensor.
template <typename T>
onnx::NodeProto constant_node(const std::string& out, const std::vector<int64_t>& dims,
                              const std::vector<T>& values) {
  onnx::NodeProto c = node("Constant", out + "_constant", {}, out);
  onnx::AttributeProto* value = c.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  onnx::TensorProto* t = value->mutable_t();
  for (int64_t d : dims) t->add_dims(d);
  if constexpr (std::is_same_v<T, float>) {
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (float v : values) t->add_float_data(v);
  } else {
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t v : values) t->add_int64_data(v);
  }
  return c;
}

}  // namespace

TEST(OnnxImport, FashionMnistModel) {
  const Graph g = import_onnx(kModel);
  EXPECT_EQ(g.inputs, std::vector<std::string>{"image"});
  EXPECT_EQ(g.outputs, std::vector<std::string>{"logits"});
  EXPECT_EQ(g.type("image"), (TensorType{DType::F32, {1, 1, 28, 28}, std::nullopt}));
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "BatchNormalization", "Relu", "MaxPool", "Conv",
                                           "BatchNormalization", "Relu", "MaxPool", "Flatten",
                                           "Gemm", "Relu", "Gemm"}));
  const Node& conv = g.nodes[0];
  EXPECT_EQ(g.constants.at(conv.inputs[1]).type.shape, (Shape{16, 1, 3, 3}));
  EXPECT_EQ(conv.ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(g.constants.at(g.nodes[9].inputs[1]).type.shape, (Shape{128, 1568}));
}

TEST(OnnxImport, TruncatedAndMissingFiles) {
  const std::string bytes = read_file(kModel);
  const std::string path = ::testing::TempDir() + "/truncated.onnx";
  write_file_atomic(path, bytes.substr(0, 1000));
  EXPECT_EQ(
      error_of(path),
      path + ": not a valid ONNX model (the protobuf does not parse; truncated or not ONNX?)");
  EXPECT_EQ(error_of("/nonexistent/m.onnx"), "/nonexistent/m.onnx: cannot open file");
}

TEST(OnnxImport, ListsEveryUnsupportedOperator) {
  const std::string path =
      write_model("unknown", {node("NonZero", "nz_1", {"x"}, "a"), node("Relu", "r", {"a"}, "b"),
                              node("Foo", "", {"b"}, "c")});
  EXPECT_EQ(error_of(path),
            path + ": 2 unsupported operators: NonZero (node 'nz_1'), Foo (node 'Foo_2')");
}

TEST(OnnxImport, ConstantNodesBecomeConstants) {
  const onnx::NodeProto c = constant_node<int64_t>("shape", {2}, {2, 2});
  const Graph g =
      import_onnx(write_model("constant", {c, node("Reshape", "r", {"x", "shape"}, "y")}));
  ASSERT_TRUE(g.constants.count("shape"));
  EXPECT_EQ(g.constants.at("shape").at(1), 2);
  EXPECT_EQ(g.nodes.size(), 1u);
}

TEST(OnnxImport, SymbolicDimensionsNeedAShape) {
  const std::string path = write_model("symbolic", {node("Relu", "r", {"x"}, "y")}, 13, "batch");
  EXPECT_EQ(error_of(path), path +
                                ": input 'x' has a symbolic dimension 'batch'; give its shape "
                                "(config inputs[].shape or --input-shape)");
  EXPECT_EQ(import_onnx(path, {{"x", {1, 8}}}).type("x").shape, (Shape{1, 8}));
  EXPECT_EQ(error_of(path, {{"x", {1, 8}}, {"y", {1}}}),
            path + ": a shape or value is given for 'y', which is not a graph input");
}

TEST(OnnxImport, OldSoftmaxKeepsItsTwoDimensionalMeaning) {
  const Graph old = import_onnx(write_model("softmax11", {node("Softmax", "s", {"x"}, "y")}, 11));
  EXPECT_EQ(old.nodes[0].i("axis", -1), 1);
  EXPECT_EQ(old.nodes[0].i("coerce_2d", 0), 1);
  const Graph now = import_onnx(write_model("softmax13", {node("Softmax", "s", {"x"}, "y")}, 13));
  EXPECT_FALSE(now.nodes[0].has("coerce_2d"));
}

TEST(OnnxImport, OpsetOutsideTheSupportedRange) {
  const std::string path = write_model("opset5", {node("Relu", "r", {"x"}, "y")}, 5);
  EXPECT_EQ(error_of(path), path + ": opset 5 is outside the supported range 7-17");
}

TEST(OnnxImport, BoundInputsBecomeConstants) {
  const std::string path = write_model("bound", {node("Relu", "relu", {"x"}, "y")});
  Tensor x = make_tensor<float>(DType::F32, {1, 4}, {1, -2, 3, -4});
  const Graph g = import_onnx(path, {}, {{"x", x}});
  EXPECT_TRUE(g.inputs.empty());
  ASSERT_TRUE(g.is_constant("x"));
  EXPECT_EQ(g.constants.at("x").at(1), -2);
  try {
    import_onnx(path, {}, {{"x", make_tensor<int64_t>(DType::I64, {1}, {4})}});
    FAIL() << "a value of the wrong dtype was bound";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": input 'x' is f32, the value bound to it is i64[1]");
  }
}

// A 1-D convolution over x viewed as [1, 1, 4]: the 2-D form on a height-1 image.
TEST(OnnxImport, OneDimensionalConvBecomesTwoDimensional) {
  const onnx::NodeProto c = constant_node<float>("w", {2, 1, 3}, {0, 1, 2, 3, 4, 5});
  onnx::NodeProto conv = node("Conv", "conv", {"x3", "w"}, "y");
  onnx::AttributeProto* pads = conv.add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  pads->add_ints(1);
  pads->add_ints(2);
  const onnx::NodeProto shape = constant_node<int64_t>("shape", {3}, {1, 1, 4});
  const Graph g = import_onnx(
      write_model("conv1d", {c, shape, node("Reshape", "r", {"x", "shape"}, "x3"), conv}));
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Reshape", "Unsqueeze", "Conv", "Squeeze"}));
  const Node& wide = g.nodes[2];
  EXPECT_EQ(g.constants.at(wide.inputs[1]).type.shape, (Shape{2, 1, 1, 3}));
  EXPECT_EQ(wide.ints("pads"), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(g.nodes[3].outputs[0], "y");
}
