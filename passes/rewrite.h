// Graph-rewriting helpers shared by the passes.
#pragma once
#include "ir/graph.h"

namespace tpuc::passes {

// Every node input (not graph outputs) reading `from` reads `to` instead.
void replace_uses(Graph& g, const std::string& from, const std::string& to);
// Removes a node that produced `removed_output` and makes `kept` take over that output name:
// the producer of `kept` is renamed to define `removed_output`, so graph outputs keep their names.
// Used when an op absorbs its single consumer (Relu into Conv, BatchNormalization into Conv).
void absorb_consumer(Graph& g, size_t producer, size_t consumer);
// A new value named after `base`, of type `dtype` and `shape` (unquantized); returns its name.
std::string typed_value(Graph& g, const std::string& base, DType dtype, Shape shape);
// A new i64 constant holding `shape` (a Reshape's operand), named after `base`; returns its name.
std::string shape_constant(Graph& g, const std::string& base, const Shape& shape);
// A new f32 constant of `shape` holding `values`, named after `base`; returns its name.
std::string float_constant(Graph& g, const std::string& base, const Shape& shape,
                           const std::vector<float>& values);
// The attributes of a depthwise Conv over `channels` channels with window `kernel`.
std::map<std::string, Attr> depthwise_attrs(int64_t channels, const std::vector<int64_t>& kernel);
// Replaces node `i` by `nodes` (in order); returns the index of the last of them, where a pass
// walking the nodes carries on.
size_t replace_node(Graph& g, size_t i, const std::vector<Node>& nodes);
// Number of nodes reading `value`, plus one if it is a graph output.
size_t use_count(const Graph& g, const std::string& value);

}  // namespace tpuc::passes
