// .tpuir printer/parser: exact round trips and located parse errors.
#include "ir/text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/diagnostics.h"
#include "ir/verifier.h"
#include "tests/support/errors.h"

using namespace tpuc;
using tpuc::testing::error_of;

namespace {

Graph sample_graph() {
  Graph g;
  g.name = "sample net";
  g.inputs = {"image"};
  g.outputs = {"logits"};
  g.types["image"] = {DType::F32, {1, 1, 4, 4}, std::nullopt};
  g.constants["w"] = make_tensor<float>(DType::F32, {2, 1, 1, 1}, {0.5f, -1.0f / 3.0f});
  std::vector<float> big(40);
  for (size_t i = 0; i < big.size(); ++i) big[i] = float(i) * 0.1f;
  g.constants["big"] = make_tensor<float>(DType::F32, {40}, big);
  g.constants["shape"] = make_tensor<int64_t>(DType::I64, {2}, {1, -1});
  Tensor wq = make_tensor<int8_t>(DType::I8, {2}, {-128, 127});
  wq.type.quant = QuantParams{{0.25, 1e-3}, 0, 0};
  g.constants["wq"] = wq;
  Node conv{"Conv", "conv/1", {"image", "w", ""}, {"y"}, {}};
  conv.attrs["pads"] = std::vector<int64_t>{0, 0, 0, 0};
  conv.attrs["group"] = int64_t{1};
  conv.attrs["alpha"] = 1.0;
  conv.attrs["scales"] = std::vector<double>{0.1, 2.0};
  conv.attrs["mode"] = std::string("a \"quoted\" string");
  g.nodes.push_back(conv);
  g.types["y"] = {DType::I8, {1, 2, 4, 4}, QuantParams{{0.0625}, 3, -1}};
  g.nodes.push_back({"Reshape", "odd name", {"y", "shape"}, {"logits"}, {}});
  return g;
}

}  // namespace

TEST(Text, PrintParsePrintIsIdentity) {
  const std::string first = print(sample_graph());
  const Graph parsed = parse(first, "sample.tpuir");
  EXPECT_EQ(print(parsed), first);
  EXPECT_EQ(parsed.constants.at("big"), sample_graph().constants.at("big"));
  EXPECT_EQ(parsed.constants.at("wq"), sample_graph().constants.at("wq"));
  EXPECT_EQ(parsed.types.at("y"), sample_graph().types.at("y"));
  EXPECT_EQ(parsed.nodes[0].attrs, sample_graph().nodes[0].attrs);
  EXPECT_EQ(parsed.nodes[0].inputs[2], "");
  EXPECT_FALSE(parsed.types.count("logits"));  // untyped values stay untyped
  verify(parsed);
}

TEST(Text, SmallConstantsAreReadableAndLargeOnesHex) {
  const std::string text = print(sample_graph());
  EXPECT_NE(text.find("const %w : f32[2,1,1,1] = [0.5, -0.33333334]"), std::string::npos) << text;
  EXPECT_NE(text.find("const %big : f32[40] = 0x00000000cdcccc3d"), std::string::npos) << text;
  EXPECT_NE(text.find("%y : i8[1,2,4,4]{scale=0.0625, zero_point=3}"), std::string::npos) << text;
  EXPECT_NE(text.find("@\"odd name\""), std::string::npos) << text;
}

TEST(Text, FloatAttributesKeepTheirKind) {
  Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[2]
  %y : f32[2] = Op(%x) {a = 1, b = 1.0, c = [1, 2], d = [1.5, 2], e = [], f = -inf} @n
  output %y
})");
  const Node& n = g.nodes[0];
  EXPECT_EQ(std::get<int64_t>(n.attrs.at("a")), 1);
  EXPECT_EQ(std::get<double>(n.attrs.at("b")), 1.0);
  EXPECT_EQ(std::get<std::vector<int64_t>>(n.attrs.at("c")), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(std::get<std::vector<double>>(n.attrs.at("d")), (std::vector<double>{1.5, 2.0}));
  EXPECT_TRUE(std::get<std::vector<int64_t>>(n.attrs.at("e")).empty());
  EXPECT_TRUE(std::isinf(std::get<double>(n.attrs.at("f"))));
  EXPECT_EQ(print(parse(print(g))), print(g));
}

TEST(Text, ErrorsNameFileLineAndColumn) {
  auto message = [](const std::string& text) {
    return error_of([&] { parse(text, "bad.tpuir"); });
  };
  EXPECT_EQ(message("tpuir 1\ngraph \"g\" {\n  input %x : f99[1]\n}\n"),
            "bad.tpuir:3:14: unknown dtype 'f99'");
  EXPECT_EQ(message("tpuir 2\n"), "bad.tpuir:1:8: unsupported tpuir version");
  EXPECT_EQ(message("tpuir 1\ngraph \"g\" {\n  const %c : f32[3] = [1, 2]\n}\n"),
            "bad.tpuir:3:29: constant has 2 values, its type needs 3");
  EXPECT_EQ(message("tpuir 1\ngraph \"g\" {\n  %y : f32[1] = Relu(%x @n\n}\n"),
            "bad.tpuir:3:25: expected ')'");
  EXPECT_EQ(message("tpuir 1\ngraph \"g\" {\n"),
            "bad.tpuir:3:1: unexpected end of input: missing '}'");
}

TEST(Verifier, RejectsUseBeforeDefinitionAndDoubleDefinition) {
  Graph g = sample_graph();
  std::swap(g.nodes[0], g.nodes[1]);
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  g.nodes[1].outputs = {"y"};
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  g.outputs.push_back("missing");
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  EXPECT_THROW(verify(g, {.require_types = true}), Error);  // "logits" is untyped
  g.types["logits"] = {DType::I8, {1, 32}, std::nullopt};
  verify(g, {.require_types = true});
  g.constants["w"].data.pop_back();
  EXPECT_THROW(verify(g), Error);
}
