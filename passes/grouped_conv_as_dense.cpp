// grouped-conv-as-dense: a grouped Conv (1 < group, not depthwise: ResNeXt, RegNet) becomes dense
// Convs, each over a chunk of whole groups whose input channels fill at most `channels` (option;
// the BM1684X's CONV reduces 64 input channels at once, IC_PARALLEL), its weights block-diagonal:
// zero between a group's output channels and another group's inputs. A group narrower than the
// chunk costs the chip's datapath the same as the chunk, so the zeros cost it nothing that running
// the group alone would not. Several chunks read their channels through Slices and meet in a
// Concat; one chunk is the Conv alone. The Conv's fused activation goes to every chunk.
#include "ir/diagnostics.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

struct Grouping {
  int64_t groups, in_per_group, out_per_group, groups_per_chunk;
};

// The block-diagonal weight of the groups [first, first + count): [count·OCg, count·ICg, k...].
Tensor chunk_weight(const Tensor& w, const Grouping& gr, int64_t first, int64_t count) {
  const Shape& s = w.type.shape;
  const int64_t window = num_elements(s) / (s[0] * s[1]);
  const int64_t in = count * gr.in_per_group, out = count * gr.out_per_group;
  std::vector<float> values(size_t(out * in * window), 0.0f);
  for (int64_t oc = 0; oc < out; ++oc) {
    const int64_t group = oc / gr.out_per_group, source = first * gr.out_per_group + oc;
    for (int64_t ic = 0; ic < gr.in_per_group; ++ic)
      for (int64_t k = 0; k < window; ++k)
        values[size_t((oc * in + group * gr.in_per_group + ic) * window + k)] =
            float(w.at((source * gr.in_per_group + ic) * window + k));
  }
  Shape shape = s;
  shape[0] = out;
  shape[1] = in;
  return make_tensor(DType::F32, shape, values);
}

// The chunk's bias: the output channels of its groups.
std::string chunk_bias(Graph& g, const Node& conv, const Grouping& gr, int64_t first, int64_t count,
                       const std::string& name) {
  if (conv.inputs.size() < 3 || conv.inputs[2].empty()) return "";
  const Tensor& b = g.constants.at(conv.inputs[2]);
  std::vector<float> values;
  for (int64_t oc = first * gr.out_per_group; oc < (first + count) * gr.out_per_group; ++oc)
    values.push_back(float(b.at(oc)));
  g.constants[name] = make_tensor(DType::F32, {count * gr.out_per_group}, values);
  return name;
}

// The nodes standing for `conv`: per chunk a Slice of its input channels (when there are several
// chunks) and a dense Conv, then the Concat of their results.
std::vector<Node> as_chunks(Graph& g, const Node& conv, const Grouping& gr) {
  const TensorType& x = g.types.at(conv.inputs[0]);
  const TensorType y = g.types.at(conv.outputs[0]);
  const Tensor& w = g.constants.at(conv.inputs[1]);
  std::vector<Node> nodes;
  Node concat{"Concat", conv.name + "/concat", {}, conv.outputs, {{"axis", int64_t{1}}}};
  for (int64_t first = 0; first < gr.groups; first += gr.groups_per_chunk) {
    const int64_t count = std::min(gr.groups_per_chunk, gr.groups - first);
    const bool alone = count == gr.groups;
    const std::string name = conv.name + "/groups" + std::to_string(first);
    Node dense = conv;
    dense.name = alone ? conv.name : name;
    dense.attrs.erase("group");
    dense.inputs[1] = g.fresh_name(name + ".weight");
    g.constants[dense.inputs[1]] = chunk_weight(w, gr, first, count);
    if (dense.inputs.size() > 2)
      dense.inputs[2] = chunk_bias(g, conv, gr, first, count, name + ".bias");
    if (!alone) {
      const int64_t begin = first * gr.in_per_group, end = begin + count * gr.in_per_group;
      const std::string part = g.fresh_name(name + "_input");
      nodes.push_back(
          {"Slice",
           name + "/slice",
           {conv.inputs[0], shape_constant(g, part + "_starts", {begin}),
            shape_constant(g, part + "_ends", {end}), shape_constant(g, part + "_axes", {1})},
           {part},
           {}});
      Shape s = x.shape;
      s[1] = end - begin;
      g.types[part] = {x.dtype, s, std::nullopt};
      dense.inputs[0] = part;
      dense.outputs = {g.fresh_name(name + "_output")};
      Shape o = y.shape;
      o[1] = count * gr.out_per_group;
      g.types[dense.outputs[0]] = {y.dtype, o, std::nullopt};
      concat.inputs.push_back(dense.outputs[0]);
    }
    nodes.push_back(dense);
  }
  if (!concat.inputs.empty()) nodes.push_back(concat);
  return nodes;
}

}  // namespace

void grouped_conv_as_dense(Graph& g, const PassOptions& options) {
  const int64_t channels = options.integer("channels", 64);
  if (channels < 1) throw Error("grouped-conv-as-dense: 'channels' must be positive");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node conv = g.nodes[i];
    const int64_t groups = conv.i("group", 1);
    if (conv.op != "Conv" || groups == 1 || !g.types.count(conv.inputs[0]) ||
        !g.types.count(conv.outputs[0]) || !g.is_constant(conv.inputs[1]) ||
        g.constants.at(conv.inputs[1]).type.dtype != DType::F32 ||
        (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !g.is_constant(conv.inputs[2])))
      continue;
    const int64_t in = g.types.at(conv.inputs[0]).shape[1],
                  out = g.types.at(conv.outputs[0]).shape[1];
    if (groups == in && out == in) continue;  // depthwise: a command of its own
    const Grouping gr{groups, in / groups, out / groups,
                      std::max<int64_t>(1, channels / (in / groups))};
    const std::vector<Node> nodes = as_chunks(g, conv, gr);
    i = replace_node(g, i, nodes);
  }
}

}  // namespace tpuc::passes
