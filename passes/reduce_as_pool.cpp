// reduce-as-pool: a ReduceMean, ReduceMax or ReduceSum of an f32 tensor over any of its axes, and a
// GlobalMaxPool, become the pools the chip runs over rows of a 4-D tensor. Over H and W of an NCHW
// tensor (torch's `x.mean((2, 3))`, as MnasNet and ShuffleNet export it) the mean is a
// GlobalAveragePool, the max a MaxPool whose window is H × W and the sum a depthwise Conv of ones
// over it. Over other axes (CBAM's mean and max across the channels, a transformer's mean over the
// features) the kept axes go first and the reduced last (a Transpose when they are not already), a
// Reshape makes them [1, K, R, 1] — the K kept values on the lanes, the R reduced ones along a row
// — and a GlobalAveragePool, a MaxPool or a Conv of window [R, 1] reduces each row. A Reshape then
// gives the node's own shape (keepdims or not).
#include <algorithm>
#include <numeric>
#include <set>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The node's reduced axes, wrapped, sorted: the `axes` attribute or its constant input; every axis
// when none is given (ONNX's default). Empty: the node is not one this pass can read.
std::vector<int64_t> reduced_axes(const Graph& g, const Node& n, size_t rank) {
  std::vector<int64_t> axes = n.op == "GlobalMaxPool" ? std::vector<int64_t>{} : n.ints("axes");
  if (n.op == "GlobalMaxPool")
    for (size_t a = 2; a < rank; ++a) axes.push_back(int64_t(a));
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    if (!g.is_constant(n.inputs[1])) return {};
    const Tensor& t = g.constants.at(n.inputs[1]);
    for (int64_t i = 0; i < t.size(); ++i) axes.push_back(int64_t(t.at(i)));
  }
  if (axes.empty() && !n.i("noop_with_empty_axes", 0)) {
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t& a : axes)
    if (a < 0) a += int64_t(rank);
  std::sort(axes.begin(), axes.end());
  return axes;
}

// Rows to pool: `x` itself over H and W of an NCHW tensor, else its kept axes first and reduced
// last (a Transpose when they are not already), Reshaped to [1, K, R, 1]; appended to `nodes`.
struct Rows {
  std::string value;
  Shape pooled;           // the pool's result
  int64_t height, width;  // its window
};
Rows rows_of(Graph& g, const Node& n, const TensorType& x, const std::vector<int64_t>& axes,
             std::vector<Node>& nodes) {
  const Shape& s = x.shape;
  if (s.size() == 4 && axes == std::vector<int64_t>{2, 3})
    return {n.inputs[0], {s[0], s[1], 1, 1}, s[2], s[3]};
  std::vector<int64_t> perm;
  int64_t kept = 1, reduced = 1;
  for (size_t a = 0; a < s.size(); ++a)
    if (!std::binary_search(axes.begin(), axes.end(), int64_t(a))) {
      perm.push_back(int64_t(a));
      kept *= s[a];
    }
  for (int64_t a : axes) {
    perm.push_back(a);
    reduced *= s[size_t(a)];
  }
  std::string moved = n.inputs[0];
  if (!std::is_sorted(perm.begin(), perm.end())) {
    Shape t;
    for (int64_t a : perm) t.push_back(s[size_t(a)]);
    moved = typed_value(g, n.name + "/moved", x.dtype, t);
    nodes.push_back({"Transpose", n.name + "/moved", {n.inputs[0]}, {moved}, {{"perm", perm}}});
  }
  const Shape shape{1, kept, reduced, 1};
  const std::string rows = typed_value(g, n.name + "/rows", x.dtype, shape);
  nodes.push_back({"Reshape",
                   n.name + "/rows",
                   {moved, shape_constant(g, n.name + "/rows_shape", shape)},
                   {rows},
                   {}});
  return {rows, {1, kept, 1, 1}, reduced, 1};
}

// The pool that reduces each of the rows to one value, into `out`: a GlobalAveragePool (mean), a
// MaxPool of the whole row (max), or a depthwise Conv of ones (sum, accumulated in f32 or int32).
Node row_pool(Graph& g, const Node& n, const Rows& r, const std::string& out) {
  const std::vector<int64_t> window{r.height, r.width};
  if (n.op == "ReduceMean") return {"GlobalAveragePool", n.name, {r.value}, {out}, {}};
  if (n.op != "ReduceSum") return {"MaxPool", n.name, {r.value}, {out}, {{"kernel_shape", window}}};
  const int64_t channels = r.pooled[1];
  const std::string ones =
      float_constant(g, n.name + "/ones", {channels, 1, r.height, r.width},
                     std::vector<float>(size_t(channels * r.height * r.width), 1));
  return {"Conv", n.name, {r.value, ones}, {out}, depthwise_attrs(channels, window)};
}

// The nodes standing for reduction `n` of `x` over `axes`: the rows, their pool, and a Reshape to
// the node's shape when the pool's differs.
std::vector<Node> as_pools(Graph& g, const Node& n, const TensorType& x,
                           const std::vector<int64_t>& axes) {
  std::vector<Node> nodes;
  const Rows r = rows_of(g, n, x, axes, nodes);
  const Shape& y = g.types.at(n.outputs[0]).shape;
  if (r.pooled == y) {
    nodes.push_back(row_pool(g, n, r, n.outputs[0]));
    return nodes;
  }
  const std::string pooled = typed_value(g, n.name + "/pooled", x.dtype, r.pooled);
  nodes.push_back(row_pool(g, n, r, pooled));
  nodes.push_back({"Reshape",
                   n.name + "/shaped",
                   {pooled, shape_constant(g, n.name + "/shape", y)},
                   n.outputs,
                   {}});
  return nodes;
}

}  // namespace

void reduce_as_pool(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    static const std::set<std::string> kReductions = {"GlobalMaxPool", "ReduceMax", "ReduceMean",
                                                      "ReduceSum"};
    if (!kReductions.count(n.op) || !g.types.count(n.inputs[0]) || !g.types.count(n.outputs[0]))
      continue;
    const TensorType x = g.types.at(n.inputs[0]);
    const std::vector<int64_t> axes = reduced_axes(g, n, x.shape.size());
    if (x.dtype != DType::F32 || axes.empty() || x.shape.size() > 4 || axes.front() < 0 ||
        axes.back() >= int64_t(x.shape.size()))
      continue;
    i = replace_node(g, i, as_pools(g, n, x, axes));
  }
}

}  // namespace tpuc::passes
