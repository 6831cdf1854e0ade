// reduce-as-pool: a ReduceMean or ReduceMax over the two spatial axes of an NCHW f32 tensor (the
// global pooling torch exports for `x.mean((2, 3))`, as MnasNet and ShuffleNet do) becomes the
// GlobalAveragePool or GlobalMaxPool it is — an op every target runs — followed, when keepdims is
// 0, by a Reshape to [N, C].
#include <algorithm>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

const std::map<std::string, std::string> kGlobalPool = {{"ReduceMean", "GlobalAveragePool"},
                                                        {"ReduceMax", "GlobalMaxPool"}};

// The node's reduced axes, wrapped, sorted: the `axes` attribute or its constant input.
std::vector<int64_t> reduced_axes(const Graph& g, const Node& n, size_t rank) {
  std::vector<int64_t> axes = n.ints("axes");
  if (n.inputs.size() > 1 && g.is_constant(n.inputs[1])) {
    const Tensor& t = g.constants.at(n.inputs[1]);
    for (int64_t i = 0; i < t.size(); ++i) axes.push_back(int64_t(t.at(i)));
  }
  for (int64_t& a : axes)
    if (a < 0) a += int64_t(rank);
  std::sort(axes.begin(), axes.end());
  return axes;
}

}  // namespace

void reduce_as_pool(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    auto pool = kGlobalPool.find(n.op);
    if (pool == kGlobalPool.end() || !g.types.count(n.inputs[0])) continue;
    const TensorType& x = g.types.at(n.inputs[0]);
    if (x.shape.size() != 4 || x.dtype != DType::F32 ||
        reduced_axes(g, n, 4) != std::vector<int64_t>{2, 3})
      continue;
    Node global{pool->second, n.name, {n.inputs[0]}, n.outputs, {}};
    if (n.i("keepdims", 1)) {
      g.nodes[i] = global;
      continue;
    }
    const std::string pooled = g.fresh_name(n.outputs[0] + "_pooled");
    global.outputs = {pooled};
    g.types[pooled] = {DType::F32, {x.shape[0], x.shape[1], 1, 1}, std::nullopt};
    const Node flat{"Reshape",
                    n.name + "/flatten",
                    {pooled, shape_constant(g, pooled + "_shape", {x.shape[0], x.shape[1]})},
                    n.outputs,
                    {}};
    g.nodes[i] = global;
    g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i) + 1, flat);
    ++i;
  }
}

}  // namespace tpuc::passes
