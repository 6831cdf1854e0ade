#include "metrics/text_detection.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "ir/diagnostics.h"

namespace tpuc::metrics {

namespace {

// A component's bounding box by a flood fill from `start` (an explicit stack: no recursion
// depth to overflow on a large map); clears the pixels it visits.
Box flood(std::vector<uint8_t>& text, int64_t w, int64_t start, int64_t& pixels) {
  Box b{start % w, start / w, start % w + 1, start / w + 1};
  std::vector<int64_t> stack{start};
  text[size_t(start)] = 0;
  pixels = 0;
  while (!stack.empty()) {
    const int64_t p = stack.back();
    stack.pop_back();
    ++pixels;
    const int64_t x = p % w, y = p / w;
    b = {std::min(b.x0, x), std::min(b.y0, y), std::max(b.x1, x + 1), std::max(b.y1, y + 1)};
    const int64_t h = int64_t(text.size()) / w;
    const std::pair<int64_t, int64_t> next[4] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
    for (const auto& [nx, ny] : next) {
      const int64_t q = ny * w + nx;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h || !text[size_t(q)]) continue;
      text[size_t(q)] = 0;
      stack.push_back(q);
    }
  }
  return b;
}

}  // namespace

std::vector<Box> detect_boxes(const Tensor& map, const MetricConfig& m) {
  const Shape& s = map.type.shape;
  if (s.size() < 2 || num_elements(s) != s[s.size() - 2] * s.back())
    throw Error("a text detection map has the shape [1, ..., height, width], not " + to_string(s));
  const int64_t h = s[s.size() - 2], w = s.back();
  std::vector<uint8_t> text(size_t(h * w));
  for (int64_t i = 0; i < h * w; ++i) text[size_t(i)] = map.at(i) > m.threshold;
  std::vector<Box> boxes;
  for (int64_t i = 0; i < h * w; ++i) {
    if (!text[size_t(i)]) continue;
    int64_t pixels = 0;
    Box b = flood(text, w, i, pixels);
    if (pixels < m.min_pixels) continue;
    const int64_t grow = std::llround(m.shrink * double(b.y1 - b.y0) / (1 - 2 * m.shrink));
    boxes.push_back({std::max<int64_t>(b.x0 - grow, 0), std::max<int64_t>(b.y0 - grow, 0),
                     std::min(b.x1 + grow, w), std::min(b.y1 + grow, h)});
  }
  return boxes;
}

double iou(const Box& a, const Box& b) {
  auto area = [](const Box& x) {
    return std::max<int64_t>(x.x1 - x.x0, 0) * std::max<int64_t>(x.y1 - x.y0, 0);
  };
  const Box both{std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1),
                 std::min(a.y1, b.y1)};
  const int64_t common = area(both), all = area(a) + area(b) - common;
  return all > 0 ? double(common) / double(all) : 0.0;
}

int64_t count_matches(const std::vector<Box>& predicted, const std::vector<Box>& truths,
                      double min_iou) {
  std::vector<std::tuple<double, size_t, size_t>>
      pairs;  // (−IoU, predicted, true): sorts best first
  for (size_t p = 0; p < predicted.size(); ++p)
    for (size_t t = 0; t < truths.size(); ++t) {
      const double o = iou(predicted[p], truths[t]);
      if (o >= min_iou) pairs.emplace_back(-o, p, t);
    }
  std::sort(pairs.begin(), pairs.end());
  std::vector<bool> used_p(predicted.size()), used_t(truths.size());
  int64_t matches = 0;
  for (const auto& [negative_iou, p, t] : pairs) {
    if (used_p[p] || used_t[t]) continue;
    used_p[p] = used_t[t] = true;
    ++matches;
  }
  return matches;
}

}  // namespace tpuc::metrics
