// matmul-to-gemm: a MatMul by a constant 2-D matrix — a fully connected layer as PyTorch exports
// it — becomes a Gemm, the op with int8 and BM1684X forms, and takes the bias of an Add that
// follows it. Inputs of rank above 2 are flattened to rows by a Reshape before and restored after.
// B is stored transposed (transB = 1), each output's K weights one after another, as PyTorch's
// Linear stores them: the rows the chip loads a Gemm's weights in (from [K, N] its GDMA would
// gather them one element, and one DDR block, at a time).
//   MatMul(A[..., K], B[K, N]) (+ Add(bias[N]))
//     →  Reshape → Gemm(A[M, K], Bᵀ[N, K], bias) {transB = 1} → Reshape
#include "ops/attrs.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The constant bias an Add adds to the single-use `value` of width n, and that Add's index.
std::optional<std::pair<std::string, size_t>> bias_after(const Graph& g, const std::string& value,
                                                         int64_t n) {
  if (use_count(g, value) != 1) return std::nullopt;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& add = g.nodes[i];
    if (add.op != "Add" || add.inputs.size() != 2 || ops::FusedActivation::of(add).any()) continue;
    for (size_t k = 0; k < 2; ++k) {
      const std::string& other = add.inputs[1 - k];
      if (add.inputs[k] != value || !g.is_constant(other)) continue;
      const Shape& s = g.constants.at(other).type.shape;
      if (g.constants.at(other).size() == n && (s.empty() || s.back() == n))
        return std::make_pair(other, i);
    }
  }
  return std::nullopt;
}

// The f32 constant `b` [K, N] as [N, K], made once per constant.
std::string transposed(Graph& g, const std::string& b, std::map<std::string, std::string>& made) {
  auto it = made.find(b);
  if (it != made.end()) return it->second;
  const std::string name = g.fresh_name(b + "_t");
  g.constants[name] = transposed_matrix(g.constants.at(b));
  made[b] = name;
  return name;
}

}  // namespace

void matmul_to_gemm(Graph& g, const PassOptions&) {
  const std::map<std::string, Attr> kTransB = {{"transB", int64_t{1}}};
  std::map<std::string, std::string> made;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node mm = g.nodes[i];
    if (mm.op != "MatMul" || mm.inputs.size() != 2 || !g.is_constant(mm.inputs[1])) continue;
    const Shape& b = g.constants.at(mm.inputs[1]).type.shape;
    const Shape a = g.type(mm.inputs[0]).shape;
    if (b.size() != 2 || a.size() < 2 || g.constants.at(mm.inputs[1]).type.dtype != DType::F32)
      continue;
    const int64_t k = b[0], n = b[1], rows = num_elements(a) / k;
    const auto bias = bias_after(g, mm.outputs[0], n);
    std::string out = mm.outputs[0];
    std::vector<std::string> gemm_inputs{mm.inputs[0], transposed(g, mm.inputs[1], made)};
    if (bias) {  // the Add disappears; its output is the result
      out = g.nodes[bias->second].outputs[0];
      std::string c = bias->first;
      if (g.constants.at(c).type.shape != Shape{n}) {
        c = g.fresh_name(c + "_row");
        g.constants[c] = g.constants.at(bias->first);
        g.constants[c].type.shape = {n};
      }
      gemm_inputs.push_back(c);
      g.types.erase(mm.outputs[0]);
      g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(bias->second));
    }
    const Shape out_shape = g.type(out).shape;
    std::vector<Node> replacement;
    if (a.size() > 2) {
      const std::string flat = g.fresh_name(mm.inputs[0] + "_rows"),
                        product = g.fresh_name(out + "_rows");
      replacement.push_back({"Reshape",
                             mm.name + "/rows",
                             {mm.inputs[0], shape_constant(g, flat + "_shape", {rows, k})},
                             {flat},
                             {}});
      gemm_inputs[0] = flat;
      replacement.push_back({"Gemm", mm.name, gemm_inputs, {product}, kTransB});
      replacement.push_back({"Reshape",
                             mm.name + "/restore",
                             {product, shape_constant(g, out + "_shape", out_shape)},
                             {out},
                             {}});
      g.types[flat] = {DType::F32, {rows, k}, std::nullopt};
      g.types[product] = {DType::F32, {rows, n}, std::nullopt};
    } else {
      replacement.push_back({"Gemm", mm.name, gemm_inputs, {out}, kTransB});
    }
    g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(i));
    g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i), replacement.begin(), replacement.end());
    i += replacement.size() - 1;
  }
}

}  // namespace tpuc::passes
