// The command generator's refusals (command_generator_impl.h): a loop nest no BM1684X command
// takes becomes a host layer whose reason says what the chip lacks, never a wrong command.
#include <gtest/gtest.h>

#include "target/bm1684x/codegen.h"
#include "tests/support/chip_checks.h"
#include "tests/support/layer_graphs.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

// The one host layer's reason (or how many there were, when not one).
std::string host_reason(const Graph& g) {
  const bm1684x::Model m = compile_model(g, bm1684x_chip());
  if (m.host_layers.size() != 1) return std::to_string(m.host_layers.size()) + " host layers";
  return m.host_layers[0].reason;
}

}  // namespace

// A window of stride 16 is one command per output, but padding along that axis has no form.
TEST(CodegenRefusals, APaddedWindowWithAStrideAboveTheField) {
  const Graph g = conv_graph(DType::F16, {1, 3, 34, 34}, 8, 16, 16, 1, false, 1);
  EXPECT_NE(host_reason(g).find("a padded window with a stride above 15 has no command form"),
            std::string::npos)
      << host_reason(g);
}

// opd1_y/x_ins0 hold dilation − 1 in 4 bits.
TEST(CodegenRefusals, ADilationAboveTheField) {
  Graph g = conv_graph(DType::F16, {1, 4, 40, 40}, 8, 2, 1, 0, false, 1);
  g.nodes[0].attrs["dilations"] = std::vector<int64_t>{17, 17};
  g.types["y"] = plain_type(DType::F16, {1, 8, 23, 23});
  EXPECT_NE(host_reason(g).find("a dilation above 16 has no command form"), std::string::npos)
      << host_reason(g);
}

// A GDMA copy has four dimensions: a 5-D transpose none of whose loops continue one another in
// both tensors (a full reversal) cannot be one.
TEST(CodegenRefusals, AFiveDimensionalTransposeWhoseLoopsDoNotMerge) {
  const Graph g =
      one_node({"Transpose", "t", {"x"}, {"y"}, {{"perm", std::vector<int64_t>{4, 3, 2, 1, 0}}}},
               plain_type(DType::F16, {2, 3, 4, 5, 6}), plain_type(DType::F16, {6, 5, 4, 3, 2}));
  EXPECT_NE(host_reason(g).find("more than four dimensions has no GDMA form"), std::string::npos)
      << host_reason(g);
}

// CONV and POOL slide over H and W: a 3-D window (NCDHW) is a host layer, refused before lowering.
TEST(CodegenRefusals, AThreeDimensionalWindow) {
  const std::vector<int64_t> kernel = {2, 2, 2};
  const Graph g =
      one_node({"MaxPool", "p", {"x"}, {"y"}, {{"kernel_shape", kernel}}},
               plain_type(DType::F16, {1, 8, 4, 6, 6}), plain_type(DType::F16, {1, 8, 3, 5, 5}));
  EXPECT_NE(host_reason(g).find("a 3-D window has no bm1684x schedule"), std::string::npos)
      << host_reason(g);
}

// GDMA strides are unsigned: a Slice walking backwards (x[::-1]) runs on the host.
TEST(CodegenRefusals, ASliceWithANegativeStep) {
  Graph g = one_node({"Slice", "flip", {"x", "starts", "ends", "axes", "steps"}, {"y"}, {}},
                     plain_type(DType::F16, {1, 8, 5, 7}), plain_type(DType::F16, {1, 8, 5, 7}));
  const std::vector<std::pair<std::string, int64_t>> operands = {
      {"starts", -1}, {"ends", -100}, {"axes", 3}, {"steps", -1}};
  for (const auto& [name, value] : operands) {
    g.constants[name] = make_tensor<int64_t>(DType::I64, {1}, {value});
    g.types[name] = {DType::I64, {1}, std::nullopt};
  }
  EXPECT_NE(host_reason(g).find("a Slice with a negative step has no GDMA form"), std::string::npos)
      << host_reason(g);
}
