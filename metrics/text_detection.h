// Text detection as DB-style detectors are judged: word boxes from a probability map, matched to
// the true word boxes one to one.
#pragma once
#include <vector>

#include "metrics/task_metric.h"

namespace tpuc::metrics {

// The boxes a probability map shows: its last two dimensions are the height and width (the
// others 1). Pixels above `threshold` joined 4-connectedly are a component; a component of at
// least `min_pixels` is a word's shrunk kernel, whose bounding box grows on every side by
// round(shrink · h / (1 − 2 · shrink)) for its height h (undoing the shrink), clipped to the map.
// In raster order of each component's first pixel.
std::vector<Box> detect_boxes(const Tensor& map, const MetricConfig& m);

// Intersection over union of two boxes (0 when either is empty).
double iou(const Box& a, const Box& b);

// How many of `predicted` match a box of `truths`: pairs of IoU ≥ `min_iou` taken greedily by
// decreasing IoU (ties: the earlier predicted box, then the earlier true box), each box once.
int64_t count_matches(const std::vector<Box>& predicted, const std::vector<Box>& truths,
                      double min_iou);

}  // namespace tpuc::metrics
