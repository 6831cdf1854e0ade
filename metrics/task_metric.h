// Task metrics: how well a model's outputs do their task, measured against labels, as
// `tpuc compile` reports them for the float model, int8 on the host and int8 on the chip. One
// kind per task (docs/config.md, `validation.metric`):
// - top1: class scores against a class;
// - text_detection: a probability map against word boxes (text_detection.h);
// - ctc: per-step class scores, greedily CTC-decoded, against a string (ctc.h).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ir/tensor.h"

namespace tpuc::metrics {

struct MetricConfig {
  std::string kind = "top1";
  // text_detection (text_detection.h)
  double threshold = 0.5;  // a pixel is text when its probability is above this
  double shrink = 0.2;     // the training kernels are word boxes shrunk by this × their height
  int64_t min_pixels = 4;  // smaller components are noise
  double iou = 0.5;        // a detection matches a word box at this overlap or more
  // ctc (ctc.h)
  std::string alphabet;  // the characters of classes 0.. without the blank
  int64_t blank = 0;     // the blank's class
};

// An axis-aligned box in pixels, [x0, x1) × [y0, y1).
struct Box {
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool operator==(const Box& o) const {
    return x0 == o.x0 && y0 == o.y0 && x1 == o.x1 && y1 == o.y1;
  }
};

// One sample's label; which field holds it depends on the metric's kind.
struct Label {
  int64_t cls = -1;
  std::vector<Box> boxes;
  std::string text;
};

// Counts summed over samples; what they count depends on the kind.
struct Tally {
  int64_t samples = 0;
  int64_t hits = 0, predicted = 0, truths = 0;  // top1 and ctc: hits of `samples`
  int64_t edits = 0, characters = 0;            // ctc: edit distance, ground-truth length
};

// A named figure in percent; a metric's first figure is the one the tolerance applies to.
using Figure = std::pair<std::string, double>;

// The kinds there are, the default (top1) first.
std::vector<std::string> metric_kinds();
// A label of `kind` from its JSON form: a class number (top1), a list of [x0, y0, x1, y1] boxes
// (text_detection), a string (ctc). Throws Error naming `where` when `j` is not that form.
Label read_label(const std::string& kind, const nlohmann::json& j, const std::string& where);
// Adds one sample's output to the tally. Throws Error when the output cannot be read as the
// metric needs it (its shape, a class count that is not the alphabet's).
void add_sample(const MetricConfig& m, const Tensor& output, const Label& label, Tally& t);
std::vector<Figure> figures(const MetricConfig& m, const Tally& t);

}  // namespace tpuc::metrics
