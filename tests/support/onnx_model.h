// Small ONNX models built with ONNX's own protobuf classes, for the importer's tests and for models
// that tpuc must refuse.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace tpuc::testing {

// A node of `op` named `name` reading `inputs` and writing `output`, without attributes.
onnx::NodeProto onnx_node(const std::string& op, const std::string& name,
                          const std::vector<std::string>& inputs, const std::string& output);

// Writes to `path` a model (IR version 8, the given opset, its graph named after the file) of one
// f32 input `input` whose dimensions are `dims` (a dimension -1 is symbolic, named `dim_param`),
// then `nodes`, with the last node's output as the graph's output.
void write_onnx_model(const std::string& path, const std::string& input,
                      const std::vector<int64_t>& dims, const std::vector<onnx::NodeProto>& nodes,
                      int opset = 13, const std::string& dim_param = "");

}  // namespace tpuc::testing
