// stack-kernel-rows: a 2-D Conv with few input channels C and a kernel of KH > 1 rows (a network's
// first layer: 3 channels, 7 rows) reads its input through a StackRows — the KH row-shifted
// copies of the input side by side on the channels, KH·C of them — with one kernel row over
// those channels. The BM1684X's CONV sums input channels 64 (int8) or 32 (f16) at a time, so a
// 3-channel layer pays for 64 on each of its KH rows; stacked, all KH·C channels fit one group
// (tpu-mlir's 3IC layout). The stacked rows are where the Conv's top and bottom padding goes;
// its left and right padding stays. Applied while KH·C fits `channels` (option).
#include "ir/diagnostics.h"
#include "ops/conv_geometry.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The weights [OC, C, KH, KW] as [OC, KH·C, 1, KW]: channel ky·C + c holds kernel row ky of c.
Tensor stacked_kernel(const Tensor& w) {
  const Shape& s = w.type.shape;
  std::vector<float> out;
  for (int64_t oc = 0; oc < s[0]; ++oc)
    for (int64_t ky = 0; ky < s[2]; ++ky)
      for (int64_t c = 0; c < s[1]; ++c)
        for (int64_t kx = 0; kx < s[3]; ++kx)
          out.push_back(float(w.at(((oc * s[1] + c) * s[2] + ky) * s[3] + kx)));
  return make_tensor(DType::F32, {s[0], s[1] * s[2], 1, s[3]}, out);
}

bool stackable(const Graph& g, const Node& n, int64_t channels) {
  if (n.op != "Conv" || n.i("group", 1) != 1 || n.inputs.size() < 2 ||
      !g.types.count(n.inputs[0]) || !g.is_constant(n.inputs[1]))
    return false;
  const Tensor& w = g.constants.at(n.inputs[1]);
  const Shape& ws = w.type.shape;
  return g.types.at(n.inputs[0]).shape.size() == 4 && w.type.dtype == DType::F32 &&
         ws.size() == 4 && ws[2] > 1 && ws[1] * ws[2] <= channels;
}

}  // namespace

void stack_kernel_rows(Graph& g, const PassOptions& options) {
  const int64_t channels = options.integer("channels", 32);
  if (channels < 1) throw Error("stack-kernel-rows: 'channels' must be positive");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!stackable(g, g.nodes[i], channels)) continue;
    Node conv = g.nodes[i];
    const TensorType& x = g.types.at(conv.inputs[0]);
    const Tensor& w = g.constants.at(conv.inputs[1]);
    const Shape& ws = w.type.shape;
    const ops::ConvGeometry geo = ops::conv_geometry(conv, x.shape, {ws[2], ws[3]});
    Node stack{"StackRows", conv.name + "/stack_rows", {conv.inputs[0]}, {}, {}};
    stack.attrs["kernel_rows"] = ws[2];
    stack.attrs["dilation"] = geo.dilations[0];
    stack.attrs["pads"] = std::vector<int64_t>{geo.pads[0], geo.pads[2]};
    const int64_t rows = x.shape[2] + geo.pads[0] + geo.pads[2] - (ws[2] - 1) * geo.dilations[0];
    stack.outputs = {typed_value(g, conv.inputs[0] + "_stacked", x.dtype,
                                 {x.shape[0], x.shape[1] * ws[2], rows, x.shape[3]})};
    const std::string kernel = g.fresh_name(conv.inputs[1] + "_stacked");
    g.constants[kernel] = stacked_kernel(w);
    conv.inputs[0] = stack.outputs[0];
    conv.inputs[1] = kernel;
    conv.attrs.erase("auto_pad");
    conv.attrs["kernel_shape"] = std::vector<int64_t>{1, ws[3]};
    conv.attrs["dilations"] = std::vector<int64_t>{1, geo.dilations[1]};
    conv.attrs["pads"] = std::vector<int64_t>{0, geo.pads[1], 0, geo.pads[3]};
    i = replace_node(g, i, {stack, conv});
  }
}

}  // namespace tpuc::passes
