// The mixed-precision search (quant/mixed_precision.h) on the example's Fashion-MNIST model.
#include <gtest/gtest.h>

#include "ir/files.h"
#include "quant/calibration.h"
#include "quant/mixed_precision.h"
#include "quant/quant_policy.h"
#include "tests/support/fmnist.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using namespace tpuc::testing;

// The precision search on the real model: an unreachable target uses every float layer it may, in
// order of sensitivity (by each layer's own error, or by the output), and never makes the output
// worse; a met target keeps everything in int8.
TEST(PrecisionSearch, KeepsTheMostSensitiveLayersInFloat) {
  const Graph top = fmnist_top();
  const std::vector<TensorMap> samples = fmnist_calibration_samples(top, 20);
  const quant::CalibrationTable table = quant::calibrate(top, samples, {});
  const quant::QuantPolicy policy =
      quant::load_quant_policy(source_path("configs/quant/int8_sym.yaml"));
  quant::PrecisionSearch search{1.0, 2, 10, DType::F16, "layer"};
  for (const char* ranking : {"output", "layer"}) {
    SCOPED_TRACE(ranking);
    search.ranking = ranking;
    const quant::SearchResult hard =
        quant::search_mixed_precision(top, table, policy, samples, search);
    ASSERT_EQ(hard.chosen.size(), 2u);
    EXPECT_EQ(hard.chosen[0], hard.sensitivity[0].first);  // the most sensitive first
    ASSERT_EQ(hard.policy.overrides.size(), policy.overrides.size() + 1);
    EXPECT_EQ(hard.policy.overrides.back().layers, hard.chosen);
    EXPECT_EQ(hard.policy.overrides.back().precision, DType::F16);
    const bool by_output = search.ranking == "output";  // output cosine best first, else worst
    for (size_t i = 1; i < hard.sensitivity.size(); ++i)
      EXPECT_EQ(hard.sensitivity[i - 1].second >= hard.sensitivity[i].second,
                by_output || hard.sensitivity[i - 1].second == hard.sensitivity[i].second);
    EXPECT_GT(hard.final_cosine, hard.int8_cosine);
  }
  const quant::SearchResult hard =
      quant::search_mixed_precision(top, table, policy, samples, search);
  const quant::SearchResult easy =
      quant::search_mixed_precision(top, table, policy, samples, {0.5, 2, 10, DType::F16, "layer"});
  EXPECT_TRUE(easy.chosen.empty());
  EXPECT_EQ(easy.policy.overrides.size(), policy.overrides.size());
  // The written policy reads back as the same policy.
  const std::string path = ::testing::TempDir() + "searched.yaml";
  tpuc::write_file_atomic(path, quant::policy_yaml(hard.policy, "test"));
  const quant::QuantPolicy back = quant::load_quant_policy(path);
  ASSERT_EQ(back.overrides.size(), hard.policy.overrides.size());
  for (size_t i = 0; i < back.overrides.size(); ++i) {
    EXPECT_EQ(back.overrides[i].ops, hard.policy.overrides[i].ops);
    EXPECT_EQ(back.overrides[i].layers, hard.policy.overrides[i].layers);
    EXPECT_EQ(back.overrides[i].precision, hard.policy.overrides[i].precision);
  }
}
