// pad-as-concat: a reflect or edge Pad becomes, axis by axis, a Concat of the tensor with the
// rows it copies — Slices of one row, an edge row repeated by an Expand — ops every target runs,
// where the chip's Pad writes constants only. Reflect mirrors without repeating the edge: the rows
// before are x[b], ..., x[1], those after x[n−2], ..., x[n−1−e]. A Pad that crops (a negative
// amount) or reflects past the far edge (b or e ≥ n) stays.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The amounts of a Pad (every axis' begin, then every end), when constant and none negative.
std::optional<std::vector<int64_t>> pad_amounts(const Graph& g, const Node& n, size_t rank) {
  std::vector<int64_t> pads = n.ints("pads");
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    if (!g.is_constant(n.inputs[1])) return std::nullopt;
    const Tensor& t = g.constants.at(n.inputs[1]);
    pads.clear();
    for (int64_t i = 0; i < t.size(); ++i) pads.push_back(int64_t(t.at(i)));
  }
  if (pads.size() != 2 * rank) return std::nullopt;
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) return std::nullopt;
  return pads;
}

class PadRewrite {
 public:
  PadRewrite(Graph& g, const Node& pad) : g_(g), pad_(pad), type_(g.types.at(pad.inputs[0])) {}

  std::vector<Node> run(const std::vector<int64_t>& pads) {
    const size_t rank = type_.shape.size();
    size_t last = 0;  // the last padded axis: its Concat gives the Pad's output
    for (size_t a = 0; a < rank; ++a)
      if (pads[a] || pads[a + rank]) last = a;
    const bool edge = pad_.s("mode", "constant") == "edge";
    std::string x = pad_.inputs[0];
    Shape shape = type_.shape;
    for (size_t a = 0; a < rank; ++a) {
      const int64_t before = pads[a], after = pads[a + rank], n = shape[a];
      if (!before && !after) continue;
      std::vector<std::string> parts;
      if (edge && before) parts.push_back(repeat(row(x, shape, a, 0), shape, a, before));
      for (int64_t k = before; !edge && k >= 1; --k) parts.push_back(row(x, shape, a, k));
      parts.push_back(x);
      if (edge && after) parts.push_back(repeat(row(x, shape, a, n - 1), shape, a, after));
      for (int64_t k = n - 2; !edge && k >= n - 1 - after; --k)
        parts.push_back(row(x, shape, a, k));
      shape[a] += before + after;
      const std::string y = a == last ? pad_.outputs[0] : value("padded", shape);
      nodes_.push_back({"Concat", a == last ? pad_.name : y, parts, {y}, {{"axis", int64_t(a)}}});
      x = y;
    }
    return nodes_;
  }

 private:
  std::string value(const std::string& what, const Shape& shape) {
    return typed_value(g_, pad_.name + "/" + what, type_.dtype, shape);
  }
  // Row k of `x` along axis a.
  std::string row(const std::string& x, Shape shape, size_t a, int64_t k) {
    shape[a] = 1;
    const std::string y = value("row", shape);
    nodes_.push_back(
        {"Slice",
         y,
         {x, shape_constant(g_, y + "_start", {k}), shape_constant(g_, y + "_end", {k + 1}),
          shape_constant(g_, y + "_axis", {int64_t(a)})},
         {y},
         {}});
    return y;
  }
  // `count` copies of a one-row tensor along axis a.
  std::string repeat(const std::string& one, Shape shape, size_t a, int64_t count) {
    if (count == 1) return one;
    shape[a] = count;
    const std::string y = value("edge", shape);
    nodes_.push_back({"Expand", y, {one, shape_constant(g_, y + "_shape", shape)}, {y}, {}});
    return y;
  }

  Graph& g_;
  const Node& pad_;
  const TensorType type_;
  std::vector<Node> nodes_;
};

}  // namespace

void pad_as_concat(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    const std::string mode = n.s("mode", "constant");
    if (n.op != "Pad" || (mode != "edge" && mode != "reflect") || !g.types.count(n.inputs[0]))
      continue;
    const Shape& x = g.types.at(n.inputs[0]).shape;
    const std::optional<std::vector<int64_t>> pads = pad_amounts(g, n, x.size());
    if (!pads || std::all_of(pads->begin(), pads->end(), [](int64_t p) { return p == 0; }))
      continue;
    bool reflectable = true;
    for (size_t a = 0; a < x.size(); ++a)
      reflectable = reflectable && (*pads)[a] < x[a] && (*pads)[a + x.size()] < x[a];
    if (mode == "reflect" && !reflectable) continue;
    i = replace_node(g, i, PadRewrite(g, n).run(*pads));
  }
}

}  // namespace tpuc::passes
