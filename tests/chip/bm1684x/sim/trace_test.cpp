// The simulator's timeline as a Chrome trace (chip/bm1684x/sim/trace.h), on the commands the
// code generator makes for a residual block.
#include "chip/bm1684x/sim/trace.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "chip/bm1684x/sim/simulator.h"
#include "target/bm1684x/codegen.h"
#include "tests/support/chip_checks.h"
#include "tests/support/layer_graphs.h"

using namespace tpuc;
using namespace tpuc::testing;
using namespace tpuc::bm1684x;

// The Chrome trace of a simulated residual block: every command once on its engine's track, the
// engines' spans in order and never overlapping, each command after the one it depends on, each
// span as long as its cycles at the TIU clock, and each layer spanning its commands.
TEST(SimTrace, ShowsEveryCommandInDependencyOrder) {
  Graph g = conv_graph(DType::I8, {1, 70, 9, 11}, 70, 1, 1, 0, true);
  Node add{"Add", "add", {"x", "y"}, {"z"}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{1 << 14, 1 << 14};
  add.attrs["rshift"] = std::vector<int64_t>{15};
  g.types["z"] = int8_type({1, 70, 9, 11}, 0.1);
  g.nodes.push_back(add);
  g.outputs = {"z"};
  const Chip& chip = bm1684x_chip();
  const Model model = compile_model(g, chip);
  Simulator sim(chip, model);
  Tensor x(g.type("x"));
  sim.run({{"x", x}});
  const nlohmann::json trace = nlohmann::json::parse(chrome_trace(model, sim.stats(), chip));
  std::map<int, std::vector<nlohmann::json>> tracks;  // tid → spans in file order
  for (const nlohmann::json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "X") tracks[e.at("tid").get<int>()].push_back(e);
  }
  ASSERT_EQ(tracks[1].size(), model.program.tiu.size());
  ASSERT_EQ(tracks[2].size(), model.program.gdma.size());
  ASSERT_EQ(tracks[3].size(), model.layers.size());
  auto end_of = [](const nlohmann::json& e) {
    return e.at("ts").get<double>() + e.at("dur").get<double>();
  };
  for (int engine : {1, 2}) {
    const std::vector<nlohmann::json>& spans = tracks[engine];
    const std::vector<nlohmann::json>& other = tracks[3 - engine];
    for (size_t k = 0; k < spans.size(); ++k) {
      const nlohmann::json& e = spans[k];
      EXPECT_EQ(e.at("args").at("id").get<size_t>(), k + 1);
      EXPECT_DOUBLE_EQ(e.at("dur").get<double>(),
                       e.at("args").at("cycles").get<double>() / chip.tiu_mhz);
      if (k > 0) {
        EXPECT_GE(e.at("ts").get<double>(), end_of(spans[k - 1]) - 1e-9);
      }
      const size_t dep = e.at("args").at("dep").get<size_t>();
      if (dep) {
        EXPECT_GE(e.at("ts").get<double>(), end_of(other.at(dep - 1)) - 1e-9)
            << "engine " << engine << " command " << k + 1;
      }
    }
  }
  for (size_t l = 0; l < model.layers.size(); ++l) {
    const LayerInfo& info = model.layers[l];
    const nlohmann::json& span = tracks[3][l];
    for (uint32_t k : info.tiu) {
      EXPECT_LE(span.at("ts").get<double>(), tracks[1][k].at("ts").get<double>() + 1e-9);
      EXPECT_GE(end_of(span), end_of(tracks[1][k]) - 1e-9);
    }
  }
}
