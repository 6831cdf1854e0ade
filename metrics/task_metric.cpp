#include "metrics/task_metric.h"

#include "ir/diagnostics.h"
#include "metrics/ctc.h"
#include "metrics/text_detection.h"

namespace tpuc::metrics {

namespace {

using Json = nlohmann::json;

double percent(int64_t part, int64_t whole) {
  return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

int64_t argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t k = 1; k < t.size(); ++k)
    if (t.at(k) > t.at(best)) best = k;
  return best;
}

Label class_label(const Json& j, const std::string& where) {
  if (!j.is_number_integer() || j.get<int64_t>() < 0)
    throw Error(where + ": a top1 label is a class number (0 or more)");
  return Label{j.get<int64_t>(), {}, ""};
}

Label boxes_label(const Json& j, const std::string& where) {
  const std::string form = ": a text_detection label is a list of [x0, y0, x1, y1] boxes";
  if (!j.is_array()) throw Error(where + form);
  Label label;
  for (const Json& b : j) {
    if (!b.is_array() || b.size() != 4) throw Error(where + form);
    for (const Json& v : b)
      if (!v.is_number_integer()) throw Error(where + form + " of whole pixels");
    const Box box{b[0], b[1], b[2], b[3]};
    if (box.x1 < box.x0 || box.y1 < box.y0) throw Error(where + ": a box ends before it starts");
    label.boxes.push_back(box);
  }
  return label;
}

Label text_label(const Json& j, const std::string& where) {
  if (!j.is_string()) throw Error(where + ": a ctc label is the text, a string");
  return Label{-1, {}, j.get<std::string>()};
}

// Each kind: its label's JSON form, how one sample adds to the tally, and the figures.
struct Kind {
  const char* name;
  Label (*label)(const Json&, const std::string&);
  void (*add)(const MetricConfig&, const Tensor&, const Label&, Tally&);
  std::vector<Figure> (*figures)(const Tally&);
};

const Kind kKinds[] = {
    {"top1", class_label,
     [](const MetricConfig&, const Tensor& out, const Label& label, Tally& t) {
       t.hits += argmax(out) == label.cls;
     },
     [](const Tally& t) {
       return std::vector<Figure>{{"top-1", percent(t.hits, t.samples)}};
     }},
    {"text_detection", boxes_label,
     [](const MetricConfig& m, const Tensor& out, const Label& label, Tally& t) {
       const std::vector<Box> found = detect_boxes(out, m);
       t.hits += count_matches(found, label.boxes, m.iou);
       t.predicted += int64_t(found.size());
       t.truths += int64_t(label.boxes.size());
     },
     [](const Tally& t) {
       const double p = percent(t.hits, t.predicted), r = percent(t.hits, t.truths);
       return std::vector<Figure>{
           {"F1", p + r > 0 ? 2 * p * r / (p + r) : 0.0}, {"precision", p}, {"recall", r}};
     }},
    {"ctc", text_label,
     [](const MetricConfig& m, const Tensor& out, const Label& label, Tally& t) {
       const std::string read = ctc_greedy_decode(out, m.alphabet, m.blank);
       t.hits += read == label.text;
       t.edits += edit_distance(read, label.text);
       t.characters += int64_t(label.text.size());
     },
     [](const Tally& t) {
       return std::vector<Figure>{{"word accuracy", percent(t.hits, t.samples)},
                                  {"character accuracy", 100.0 - percent(t.edits, t.characters)}};
     }},
};

const Kind& kind_of(const std::string& name) {
  for (const Kind& k : kKinds)
    if (name == k.name) return k;
  throw Error("no task metric '" + name + "'");
}

}  // namespace

std::vector<std::string> metric_kinds() {
  std::vector<std::string> names;
  for (const Kind& k : kKinds) names.push_back(k.name);
  return names;
}

Label read_label(const std::string& kind, const nlohmann::json& j, const std::string& where) {
  return kind_of(kind).label(j, where);
}

void add_sample(const MetricConfig& m, const Tensor& output, const Label& label, Tally& t) {
  kind_of(m.kind).add(m, output, label, t);
  ++t.samples;
}

std::vector<Figure> figures(const MetricConfig& m, const Tally& t) {
  return kind_of(m.kind).figures(t);
}

}  // namespace tpuc::metrics
