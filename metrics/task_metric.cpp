#include "metrics/task_metric.h"

#include <map>

#include "ir/diagnostics.h"
#include "metrics/ctc.h"
#include "metrics/text_detection.h"

namespace tpuc::metrics {

namespace {

double percent(int64_t part, int64_t whole) {
  return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

int64_t argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t k = 1; k < t.size(); ++k)
    if (t.at(k) > t.at(best)) best = k;
  return best;
}

struct Kind {
  void (*add)(const MetricConfig&, const Tensor&, const Label&, Tally&);
  std::vector<Figure> (*figures)(const Tally&);
};

const std::map<std::string, Kind> kKinds = {
    {"top1",
     {[](const MetricConfig&, const Tensor& out, const Label& label, Tally& t) {
        t.hits += argmax(out) == label.cls;
      },
      [](const Tally& t) {
        return std::vector<Figure>{{"top-1", percent(t.hits, t.samples)}};
      }}},
    {"text_detection",
     {[](const MetricConfig& m, const Tensor& out, const Label& label, Tally& t) {
        const std::vector<Box> found = detect_boxes(out, m);
        t.hits += count_matches(found, label.boxes, m.iou);
        t.predicted += int64_t(found.size());
        t.truths += int64_t(label.boxes.size());
      },
      [](const Tally& t) {
        const double p = percent(t.hits, t.predicted), r = percent(t.hits, t.truths);
        return std::vector<Figure>{
            {"F1", p + r > 0 ? 2 * p * r / (p + r) : 0.0}, {"precision", p}, {"recall", r}};
      }}},
    {"ctc",
     {[](const MetricConfig& m, const Tensor& out, const Label& label, Tally& t) {
        const std::string read = ctc_greedy_decode(out, m.alphabet, m.blank);
        t.hits += read == label.text;
        t.edits += edit_distance(read, label.text);
        t.characters += int64_t(label.text.size());
      },
      [](const Tally& t) {
        return std::vector<Figure>{{"word accuracy", percent(t.hits, t.samples)},
                                   {"character accuracy", 100.0 - percent(t.edits, t.characters)}};
      }}},
};

const Kind& kind_of(const MetricConfig& m) {
  auto it = kKinds.find(m.kind);
  if (it == kKinds.end()) throw Error("no task metric '" + m.kind + "'");
  return it->second;
}

}  // namespace

std::vector<std::string> metric_kinds() {
  std::vector<std::string> names;
  for (const auto& [name, kind] : kKinds) names.push_back(name);
  return names;
}

void add_sample(const MetricConfig& m, const Tensor& output, const Label& label, Tally& t) {
  kind_of(m).add(m, output, label, t);
  ++t.samples;
}

std::vector<Figure> figures(const MetricConfig& m, const Tally& t) { return kind_of(m).figures(t); }

}  // namespace tpuc::metrics
