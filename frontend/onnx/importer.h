// ONNX → top graph. Reads a ModelProto with Debian's libonnx protobuf classes and produces a
// tpuc::Graph in one canonical form whatever the opset (7–17):
//   - initializers and Constant nodes become Graph::constants;
//   - attributes that later opsets moved to inputs are kept as the newer input form (e.g. Reshape's
//     shape, Dropout's ratio), and old-only attributes are dropped or translated
//     (BatchNormalization's spatial/is_test, Softmax before opset 13 gets `coerce_2d = 1`: it
//     flattens to 2-D at `axis`; Dropout keeps only its data input: training mode and the mask
//     output are rejected);
//   - graph inputs are typed from the model or from `input_shapes` (required for symbolic dims);
//     inputs given a value in `bound_inputs` become constants instead (a static-shape compiler
//     needs the values behind shapes, axes, pads and K at compile time);
//     other values stay untyped until the shape-inference pass.
// Errors name the file: unreadable or truncated protobuf, external tensor data, unsupported dtypes,
// and every unsupported operator at once with its node name.
#pragma once
#include <map>
#include <string>

#include "ir/graph.h"

namespace tpuc {

Graph import_onnx(const std::string& path, const std::map<std::string, Shape>& input_shapes = {},
                  const std::map<std::string, Tensor>& bound_inputs = {});

// What the graph inputs of the model at `path` need from a user before it can be compiled:
// `fixing_shapes`, the inputs that fix a shape or an op's form (a Reshape's shape, a Slice's
// starts, a TopK's K: ops::OpDef::shape_operands), whose values import_onnx takes as bound_inputs
// (they become constants); `symbolic`, the inputs with a symbolic dimension, whose shapes it takes
// as input_shapes. Like import_onnx, it first refuses a model with an operator tpuc does not
// import, in one Error listing each with its node ("2 unsupported operators: GRU (node 'g'), ...").
struct InputNeeds {
  std::vector<std::string> fixing_shapes, symbolic;
};
InputNeeds input_needs(const std::string& path);

// The ONNX operator types the importer translates.
std::vector<std::string> onnx_supported_ops();

// A serialized onnx.TensorProto file (the ONNX test data's input_N.pb / output_N.pb), and its name.
std::pair<std::string, Tensor> read_onnx_tensor(const std::string& path);

}  // namespace tpuc
