#include "ir/graph.h"

#include "ir/diagnostics.h"

namespace tpuc {

namespace {
template <class T>
T attr_or(const Node& n, const std::string& key, T fallback) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return fallback;
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  node_error(n, "attribute '" + key + "' has the wrong type");
}
}  // namespace

int64_t Node::i(const std::string& key, int64_t fallback) const {
  return attr_or(*this, key, fallback);
}

double Node::f(const std::string& key, double fallback) const {
  auto it = attrs.find(key);  // an integer literal is an acceptable float
  if (it != attrs.end())
    if (const int64_t* v = std::get_if<int64_t>(&it->second)) return double(*v);
  return attr_or(*this, key, fallback);
}

std::string Node::s(const std::string& key, const std::string& fallback) const {
  return attr_or(*this, key, fallback);
}

std::vector<int64_t> Node::ints(const std::string& key, std::vector<int64_t> fallback) const {
  return attr_or(*this, key, std::move(fallback));
}

std::vector<double> Node::floats(const std::string& key, std::vector<double> fallback) const {
  auto it = attrs.find(key);  // an empty or integer list is an acceptable float list
  if (it != attrs.end())
    if (const auto* v = std::get_if<std::vector<int64_t>>(&it->second))
      return std::vector<double>(v->begin(), v->end());
  return attr_or(*this, key, std::move(fallback));
}

const TensorType& Graph::type(const std::string& value) const {
  auto constant = constants.find(value);
  if (constant != constants.end()) return constant->second.type;
  auto it = types.find(value);
  if (it == types.end())
    throw Error("graph '" + name + "': value '" + value + "' has no known type");
  return it->second;
}

const Node* Graph::producer(const std::string& value) const {
  for (const Node& n : nodes)
    for (const std::string& out : n.outputs)
      if (out == value) return &n;
  return nullptr;
}

std::vector<const Node*> Graph::consumers(const std::string& value) const {
  std::vector<const Node*> result;
  for (const Node& n : nodes)
    for (const std::string& in : n.inputs)
      if (in == value) {
        result.push_back(&n);
        break;
      }
  return result;
}

std::string Graph::fresh_name(const std::string& base) const {
  auto used = [this](const std::string& v) {
    if (types.count(v) || constants.count(v)) return true;
    for (const Node& n : nodes)
      for (const std::string& out : n.outputs)
        if (out == v) return true;
    for (const std::string& in : inputs)
      if (in == v) return true;
    return false;
  };
  if (!used(base)) return base;
  for (int i = 1;; ++i)
    if (!used(base + "_" + std::to_string(i))) return base + "_" + std::to_string(i);
}

Graph single_node_graph(const Graph& g, const Node& n) {
  Graph one;
  one.name = n.name;
  for (const std::string& in : n.inputs) {
    if (in.empty()) continue;
    if (g.is_constant(in)) {
      one.constants[in] = g.constants.at(in);
    } else if (!one.types.count(in)) {
      one.inputs.push_back(in);
      one.types[in] = g.type(in);
    }
  }
  for (const std::string& o : n.outputs) {
    one.types[o] = g.type(o);
    one.outputs.push_back(o);
  }
  one.nodes = {n};
  return one;
}

}  // namespace tpuc
