#include "passes/rewrite.h"

#include <algorithm>

namespace tpuc::passes {

void replace_uses(Graph& g, const std::string& from, const std::string& to) {
  for (Node& n : g.nodes)
    for (std::string& in : n.inputs)
      if (in == from) in = to;
}

void absorb_consumer(Graph& g, size_t producer, size_t consumer) {
  const std::string old_name = g.nodes[producer].outputs[0];
  const std::string new_name = g.nodes[consumer].outputs[0];
  g.nodes[producer].outputs[0] = new_name;
  g.types.erase(old_name);
  g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(consumer));
}

size_t replace_node(Graph& g, size_t i, const std::vector<Node>& nodes) {
  g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(i));
  g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i), nodes.begin(), nodes.end());
  return i + nodes.size() - 1;
}

size_t use_count(const Graph& g, const std::string& value) {
  size_t uses = size_t(std::count(g.outputs.begin(), g.outputs.end(), value));
  for (const Node& n : g.nodes) uses += size_t(std::count(n.inputs.begin(), n.inputs.end(), value));
  return uses;
}

std::string typed_value(Graph& g, const std::string& base, DType dtype, Shape shape) {
  const std::string name = g.fresh_name(base);
  g.types[name] = {dtype, std::move(shape), std::nullopt};
  return name;
}

std::string shape_constant(Graph& g, const std::string& base, const Shape& shape) {
  const std::string name = g.fresh_name(base);
  Tensor t(TensorType{DType::I64, {int64_t(shape.size())}, std::nullopt});
  for (size_t d = 0; d < shape.size(); ++d) t.as<int64_t>()[d] = shape[d];
  g.constants[name] = t;
  return name;
}

std::string float_constant(Graph& g, const std::string& base, const Shape& shape,
                           const std::vector<float>& values) {
  const std::string name = g.fresh_name(base);
  g.constants[name] = make_tensor(DType::F32, shape, values);
  return name;
}

std::map<std::string, Attr> depthwise_attrs(int64_t channels, const std::vector<int64_t>& kernel) {
  return {{"group", channels}, {"kernel_shape", kernel}};
}

}  // namespace tpuc::passes
