// instance-norm-as-layer-norm: an InstanceNormalization of an NCHW f32 tensor (per sample and
// channel, over H and W; style transfer and GAN generators) becomes the LayerNormalization of its
// rows — Reshape to [N, C, H·W], LayerNormalization over the last axis with scale 1 and bias 0 (no
// rounding), Reshape back — then its per-channel scale and bias as a 1×1 depthwise Conv. The
// BM1684X runs both (a normalization with the rows on the lanes; the Conv's multiply-add); the
// per-channel affine keeps its weights, where a LayerNormalization's scale runs along the row.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

void instance_norm_as_layer_norm(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    if (n.op != "InstanceNormalization" || n.inputs.size() != 3 || !g.types.count(n.inputs[0]))
      continue;
    const TensorType x = g.types.at(n.inputs[0]);
    const int64_t channels = x.shape.size() == 4 ? x.shape[1] : 0;
    auto per_channel = [&](const std::string& v) {
      auto it = g.constants.find(v);
      return it != g.constants.end() && it->second.type.dtype == DType::F32 &&
             it->second.type.shape == Shape{channels};
    };
    if (x.dtype != DType::F32 || channels == 0 || !per_channel(n.inputs[1]) ||
        !per_channel(n.inputs[2]))
      continue;
    const int64_t area = x.shape[2] * x.shape[3];
    const Shape rows{x.shape[0], channels, area};
    const std::string ones =
        float_constant(g, n.name + "/ones", {area}, std::vector<float>(size_t(area), 1));
    const std::string zeros =
        float_constant(g, n.name + "/zeros", {area}, std::vector<float>(size_t(area), 0));
    const std::string scale = g.fresh_name(n.name + "/scale");
    g.constants[scale] = g.constants.at(n.inputs[1]);  // [C] as the depthwise weights [C, 1, 1, 1]
    g.constants[scale].type.shape = {channels, 1, 1, 1};
    const std::string flat = typed_value(g, n.name + "/rows", x.dtype, rows);
    const std::string normalized = typed_value(g, n.name + "/normalized", x.dtype, rows);
    const std::string unflat = typed_value(g, n.name + "/unflattened", x.dtype, x.shape);
    const std::map<std::string, Attr> ln = {{"axis", int64_t{-1}},
                                            {"epsilon", n.f("epsilon", 1e-5)}};
    i = replace_node(
        g, i,
        {{"Reshape",
          n.name + "/rows",
          {n.inputs[0], shape_constant(g, n.name + "/rows_shape", rows)},
          {flat},
          {}},
         {"LayerNormalization", n.name + "/normalized", {flat, ones, zeros}, {normalized}, ln},
         {"Reshape",
          n.name + "/unflattened",
          {normalized, shape_constant(g, n.name + "/shape", x.shape)},
          {unflat},
          {}},
         {"Conv",
          n.name,
          {unflat, scale, n.inputs[2]},
          n.outputs,
          depthwise_attrs(channels, {1, 1})}});
  }
}

}  // namespace tpuc::passes
