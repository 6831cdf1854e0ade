// Task metrics against figures worked out by hand: boxes of a drawn probability map, greedy IoU
// matching, CTC decoding and edit distances, and the figures a tally gives.
#include <gtest/gtest.h>

#include "ir/diagnostics.h"
#include "metrics/ctc.h"
#include "metrics/task_metric.h"
#include "metrics/text_detection.h"

using namespace tpuc;
using namespace tpuc::metrics;

namespace {

// A [1, 1, h, w] map from rows of '#' (0.9) and '.' (0.1).
Tensor drawn_map(const std::vector<std::string>& rows) {
  const int64_t h = int64_t(rows.size()), w = int64_t(rows[0].size());
  std::vector<float> p;
  for (const std::string& r : rows)
    for (char c : r) p.push_back(c == '#' ? 0.9f : 0.1f);
  return make_tensor<float>(DType::F32, {1, 1, h, w}, p);
}

// Per-step scores [1, steps, classes] with each step's best class given.
Tensor steps_of(const std::vector<int64_t>& best, int64_t classes) {
  std::vector<float> s(best.size() * size_t(classes), 0.0f);
  for (size_t t = 0; t < best.size(); ++t) s[t * size_t(classes) + size_t(best[t])] = 1.0f;
  return make_tensor<float>(DType::F32, {1, int64_t(best.size()), classes}, s);
}

}  // namespace

// Two kernels and two specks: the one-pixel specks are dropped; the 2-row kernel grows by
// round(0.2 · 2 / 0.6) = 1 on every side, the 3-row one by round(0.2 · 3 / 0.6) = 1, clipped.
TEST(TextDetection, BoxesGrowFromKernels) {
  const Tensor map = drawn_map({"..........",  //
                                ".####.....",  //
                                ".####...##",  //
                                "........#.",  //
                                ".......###",  //
                                "..........",  //
                                "#.#......."});
  MetricConfig m;
  const std::vector<Box> boxes = detect_boxes(map, m);
  ASSERT_EQ(boxes.size(), 2u);
  EXPECT_EQ(boxes[0], (Box{0, 0, 6, 4}));
  EXPECT_EQ(boxes[1], (Box{6, 1, 10, 6}));
  m.min_pixels = 1;  // now the two single pixels of the last row count (grown by 0: h = 1)
  EXPECT_EQ(detect_boxes(map, m).size(), 4u);
}

TEST(TextDetection, ProbabilityAtTheThresholdIsNotText) {
  MetricConfig m;
  m.min_pixels = 1;
  const Tensor half = make_tensor<float>(DType::F32, {1, 1, 1, 2}, {0.5f, 0.5f});
  EXPECT_TRUE(detect_boxes(half, m).empty());
}

// IoU of [0,4)×[0,2) and [2,6)×[0,2): 4 common of 12 = 1/3.
TEST(TextDetection, GreedyMatchingTakesTheBestOverlapFirst) {
  EXPECT_DOUBLE_EQ(iou({0, 0, 4, 2}, {2, 0, 6, 2}), 1.0 / 3);
  EXPECT_DOUBLE_EQ(iou({0, 0, 4, 2}, {4, 0, 6, 2}), 0.0);
  // A overlaps its true box by 0.6 and B its own by 100/110: both match at 0.5, only B at 0.7;
  // two copies of one box match it once.
  const std::vector<Box> predicted{{0, 0, 10, 10}, {20, 0, 30, 10}};
  const std::vector<Box> truths{{0, 0, 6, 10}, {19, 0, 30, 10}};
  EXPECT_NEAR(iou(predicted[0], truths[0]), 0.6, 1e-12);
  EXPECT_EQ(count_matches(predicted, truths, 0.5), 2);
  EXPECT_EQ(count_matches(predicted, truths, 0.7), 1);
  EXPECT_EQ(count_matches({{0, 0, 10, 10}, {0, 0, 10, 10}}, {{0, 0, 10, 10}}, 0.5), 1);
}

// 3 detections of 4 words, 2 right: precision 2/3, recall 1/2, F1 = 2·(2/3)(1/2)/(7/6) = 4/7.
TEST(TextDetection, FiguresOfATally) {
  MetricConfig m;
  m.kind = "text_detection";
  Tally t;
  t.hits = 2;
  t.predicted = 3;
  t.truths = 4;
  const std::vector<Figure> f = figures(m, t);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].first, "F1");
  EXPECT_NEAR(f[0].second, 400.0 / 7, 1e-9);
  EXPECT_NEAR(f[1].second, 200.0 / 3, 1e-9);
  EXPECT_NEAR(f[2].second, 50.0, 1e-9);
}

// Blank 0, alphabet "ab": the steps b b _ b a a _ read "bba" (a repeat after a blank counts).
TEST(Ctc, GreedyDecodingCollapsesRepeatsBetweenBlanks) {
  EXPECT_EQ(ctc_greedy_decode(steps_of({2, 2, 0, 2, 1, 1, 0}, 3), "ab", 0), "bba");
  EXPECT_EQ(ctc_greedy_decode(steps_of({0, 0, 0}, 3), "ab", 0), "");
  // The blank last: class k is alphabet[k].
  EXPECT_EQ(ctc_greedy_decode(steps_of({0, 2, 1, 1}, 3), "ab", 2), "ab");
  EXPECT_THROW(ctc_greedy_decode(steps_of({0}, 4), "ab", 0), Error);
}

TEST(Ctc, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2);
  EXPECT_EQ(edit_distance("same", "same"), 0);
}

// Two words: "ab" read right; "ba" read "b": word accuracy 50%, characters 1 − 1/4 = 75%.
TEST(Ctc, WordAndCharacterAccuracy) {
  MetricConfig m;
  m.kind = "ctc";
  m.alphabet = "ab";
  Tally t;
  add_sample(m, steps_of({1, 0, 2}, 3), Label{-1, {}, "ab"}, t);
  add_sample(m, steps_of({2, 2, 0}, 3), Label{-1, {}, "ba"}, t);
  const std::vector<Figure> f = figures(m, t);
  EXPECT_EQ(f[0], (Figure{"word accuracy", 50.0}));
  EXPECT_EQ(f[1], (Figure{"character accuracy", 75.0}));
}

TEST(TaskMetric, Top1AndUnknownKinds) {
  MetricConfig m;
  Tally t;
  add_sample(m, make_tensor<float>(DType::F32, {1, 3}, {0.1f, 0.7f, 0.2f}), Label{1, {}, ""}, t);
  add_sample(m, make_tensor<float>(DType::F32, {1, 3}, {0.1f, 0.7f, 0.2f}), Label{2, {}, ""}, t);
  EXPECT_EQ(figures(m, t)[0], (Figure{"top-1", 50.0}));
  m.kind = "mAP";
  EXPECT_THROW(add_sample(m, make_tensor<float>(DType::F32, {1}, {0.0f}), Label{}, t), Error);
}
