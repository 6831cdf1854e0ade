// The graph IR shared by every stage: values named by string, typed by TensorType, produced by
// Nodes kept in topological order. The same structure holds the float "top" graph and the
// quantized "tpu" graph; quantized values simply carry QuantParams and integer dtypes.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/tensor.h"

namespace tpuc {

using Attr = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

struct Node {
  std::string
      op;  // operator name as in ONNX ("Conv", "Gemm") or tpuc's own ("Quantize", "Requant")
  std::string name;  // the layer name from the model, kept for errors and per-layer reports
  std::vector<std::string> inputs;    // value names; "" is an absent optional input
  std::vector<std::string> outputs;   // value names defined by this node
  std::map<std::string, Attr> attrs;  // ordered, so printing is deterministic

  bool has(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t i(const std::string& key, int64_t fallback) const;
  double f(const std::string& key, double fallback) const;
  std::string s(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<double> floats(const std::string& key, std::vector<double> fallback = {}) const;
};

struct Graph {
  std::string name;
  // Where the graph came from, prefixed to the errors passes raise about its nodes
  // ("model.onnx (opset 11)"); empty for a graph read from .tpuir, whose errors name the file.
  std::string origin;
  std::vector<std::string> inputs;          // graph inputs, in order
  std::vector<std::string> outputs;         // graph outputs, in order
  std::map<std::string, TensorType> types;  // type of every non-constant value whose type is known
  std::map<std::string, Tensor>
      constants;            // weights and other constant values (typed by their Tensor)
  std::vector<Node> nodes;  // topological order

  // The type of any value, constant or not; throws Error when unknown.
  const TensorType& type(const std::string& value) const;
  bool is_constant(const std::string& value) const { return constants.count(value) != 0; }
  // The node defining `value`, or nullptr for inputs and constants.
  const Node* producer(const std::string& value) const;
  // Nodes reading `value`, in graph order.
  std::vector<const Node*> consumers(const std::string& value) const;
  // A value name not yet used in the graph, derived from `base`.
  std::string fresh_name(const std::string& base) const;
};

// Node `n` of `g` as a graph of its own: the activations it reads become graph inputs, the
// constants it reads come along, its results are the outputs.
Graph single_node_graph(const Graph& g, const Node& n);

}  // namespace tpuc
