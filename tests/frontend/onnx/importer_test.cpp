// The ONNX importer on the real example model and on small models built here with ONNX's own
// protobuf classes.
#include "frontend/onnx/importer.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "ir/files.h"
#include "tests/support/errors.h"
#include "tests/support/onnx_model.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

const std::string kModel = source_path("examples/fmnist/model.onnx");

// The error importing `path` (with these input shapes) gives.
std::string import_error(const std::string& path, const std::map<std::string, Shape>& shapes = {}) {
  return error_of([&] { import_onnx(path, shapes); });
}

// A model of one input x, f32[1, 4] (f32[1, dim_param] when dim_param is given), and `nodes`,
// written as <name>.onnx in the test's temporary folder.
std::string write_model(const std::string& name, const std::vector<onnx::NodeProto>& nodes,
                        int opset = 13, const std::string& dim_param = "") {
  const std::string path = ::testing::TempDir() + "/" + name + ".onnx";
  const std::vector<int64_t> dims = {1, dim_param.empty() ? 4 : -1};
  write_onnx_model(path, "x", dims, nodes, opset, dim_param);
  return path;
}

// A Constant node whose value is an int64 or float tensor.
template <typename T>
onnx::NodeProto constant_node(const std::string& out, const std::vector<int64_t>& dims,
                              const std::vector<T>& values) {
  onnx::NodeProto c = onnx_node("Constant", out + "_constant", {}, out);
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
      import_error(path),
      path + ": not a valid ONNX model (the protobuf does not parse; truncated or not ONNX?)");
  EXPECT_EQ(import_error("/nonexistent/m.onnx"), "/nonexistent/m.onnx: cannot open file");
}

TEST(OnnxImport, ListsEveryUnsupportedOperator) {
  const std::string path = write_model(
      "unknown", {onnx_node("Unique", "u_1", {"x"}, "a"), onnx_node("Relu", "r", {"a"}, "b"),
                  onnx_node("Foo", "", {"b"}, "c")});
  EXPECT_EQ(import_error(path), path +
                                    " (opset 13): 2 unsupported operators: Unique (node 'u_1'), "
                                    "Foo (node 'Foo_2')");
}

TEST(OnnxImport, ConstantNodesBecomeConstants) {
  const onnx::NodeProto c = constant_node<int64_t>("shape", {2}, {2, 2});
  const Graph g =
      import_onnx(write_model("constant", {c, onnx_node("Reshape", "r", {"x", "shape"}, "y")}));
  ASSERT_TRUE(g.constants.count("shape"));
  EXPECT_EQ(g.constants.at("shape").at(1), 2);
  EXPECT_EQ(g.nodes.size(), 1u);
}

TEST(OnnxImport, SymbolicDimensionsNeedAShape) {
  const std::string path =
      write_model("symbolic", {onnx_node("Relu", "r", {"x"}, "y")}, 13, "batch");
  EXPECT_EQ(import_error(path), path +
                                    " (opset 13): input 'x' has a symbolic dimension 'batch'; give "
                                    "its shape (config inputs[].shape or --input-shape)");
  EXPECT_EQ(import_onnx(path, {{"x", {1, 8}}}).type("x").shape, (Shape{1, 8}));
  EXPECT_EQ(import_error(path, {{"x", {1, 8}}, {"y", {1}}}),
            path + " (opset 13): a shape or value is given for 'y', which is not a graph input");
}

TEST(OnnxImport, OldSoftmaxKeepsItsTwoDimensionalMeaning) {
  const Graph old =
      import_onnx(write_model("softmax11", {onnx_node("Softmax", "s", {"x"}, "y")}, 11));
  EXPECT_EQ(old.nodes[0].i("axis", -1), 1);
  EXPECT_EQ(old.nodes[0].i("coerce_2d", 0), 1);
  const Graph now =
      import_onnx(write_model("softmax13", {onnx_node("Softmax", "s", {"x"}, "y")}, 13));
  EXPECT_FALSE(now.nodes[0].has("coerce_2d"));
}

// Opsets older than 7 go through ONNX's version converter into opset 7's forms.
TEST(OnnxImport, OldOpsetsAreConvertedByOnnxsConverter) {
  const std::string path = write_model("opset5", {onnx_node("Relu", "r", {"x"}, "y")}, 5);
  const Graph g = import_onnx(path);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Relu");
}

// The ONNX node tests feed these as graph inputs: a Reshape's shape, a Dropout's ratio and mode.
TEST(OnnxImport, NamesTheInputsThatFixShapes) {
  const std::string node = "/usr/share/libonnx-testdata/data/node/";
  EXPECT_EQ(input_needs(node + "test_reshape_extended_dims/model.onnx").fixing_shapes,
            std::vector<std::string>{"shape"});
  EXPECT_EQ(input_needs(node + "test_training_dropout_zero_ratio/model.onnx").fixing_shapes,
            (std::vector<std::string>{"r", "t"}));
  EXPECT_TRUE(input_needs(kModel).fixing_shapes.empty());
  const std::string symbolic =
      write_model("symbolic_needs", {onnx_node("Relu", "r", {"x"}, "y")}, 13, "batch");
  EXPECT_EQ(input_needs(symbolic).symbolic, std::vector<std::string>{"x"});
  EXPECT_TRUE(input_needs(kModel).symbolic.empty());
}

// Training mode with ratio 0 drops nothing: the identity, as inference is; another ratio is
// random, an error naming the node.
TEST(OnnxImport, ATrainingDropoutOfRatioZeroIsTheIdentity) {
  const std::string node = "/usr/share/libonnx-testdata/data/node/";
  const Tensor on = make_tensor<uint8_t>(DType::Bool, {}, {1});
  const Graph g = import_onnx(node + "test_training_dropout_zero_ratio/model.onnx", {},
                              {{"r", make_tensor<float>(DType::F32, {}, {0.0f})}, {"t", on}});
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].inputs.size(), 1u);
  const std::string random = node + "test_training_dropout/model.onnx";
  EXPECT_NE(
      error_of([&] {
        import_onnx(random, {}, {{"r", make_tensor<float>(DType::F32, {}, {0.75f})}, {"t", on}});
      }).find("training mode with a ratio other than 0 is random"),
      std::string::npos);
}

TEST(OnnxImport, BoundInputsBecomeConstants) {
  const std::string path = write_model("bound", {onnx_node("Relu", "relu", {"x"}, "y")});
  Tensor x = make_tensor<float>(DType::F32, {1, 4}, {1, -2, 3, -4});
  const Graph g = import_onnx(path, {}, {{"x", x}});
  EXPECT_TRUE(g.inputs.empty());
  ASSERT_TRUE(g.is_constant("x"));
  EXPECT_EQ(g.constants.at("x").at(1), -2);
  const Tensor wrong_dtype = make_tensor<int64_t>(DType::I64, {1}, {4});
  const auto bind_wrong_dtype = [&] { import_onnx(path, {}, {{"x", wrong_dtype}}); };
  EXPECT_EQ(error_of(bind_wrong_dtype),
            path + " (opset 13): input 'x' is f32, the value bound to it is i64[1]");
}

// A 1-D convolution over x viewed as [1, 1, 4]: the 2-D form on a height-1 image.
TEST(OnnxImport, OneDimensionalConvBecomesTwoDimensional) {
  const onnx::NodeProto c = constant_node<float>("w", {2, 1, 3}, {0, 1, 2, 3, 4, 5});
  onnx::NodeProto conv = onnx_node("Conv", "conv", {"x3", "w"}, "y");
  onnx::AttributeProto* pads = conv.add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  pads->add_ints(1);
  pads->add_ints(2);
  const onnx::NodeProto shape = constant_node<int64_t>("shape", {3}, {1, 1, 4});
  const Graph g = import_onnx(
      write_model("conv1d", {c, shape, onnx_node("Reshape", "r", {"x", "shape"}, "x3"), conv}));
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Reshape", "Unsqueeze", "Conv", "Squeeze"}));
  const Node& wide = g.nodes[2];
  EXPECT_EQ(g.constants.at(wide.inputs[1]).type.shape, (Shape{2, 1, 1, 3}));
  EXPECT_EQ(wide.ints("pads"), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(g.nodes[3].outputs[0], "y");
}
