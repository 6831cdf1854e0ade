// .tpuir printer/parser: exact round trips and located parse errors.
#include "ir/text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/verifier.h"
#include "tests/support/errors.h"
#include "tests/support/sample_graph.h"

using namespace tpuc;
using tpuc::testing::error_of;
using tpuc::testing::sample_graph;

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
