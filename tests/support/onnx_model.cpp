#include "tests/support/onnx_model.h"

#include <filesystem>
#include <fstream>

namespace tpuc::testing {

onnx::NodeProto onnx_node(const std::string& op, const std::string& name,
                          const std::vector<std::string>& inputs, const std::string& output) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (const std::string& input : inputs) n.add_input(input);
  n.add_output(output);
  return n;
}

void write_onnx_model(const std::string& path, const std::string& input,
                      const std::vector<int64_t>& dims, const std::vector<onnx::NodeProto>& nodes,
                      int opset, const std::string& dim_param) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name(std::filesystem::path(path).stem().string());
  onnx::ValueInfoProto* in = g->add_input();
  in->set_name(input);
  auto* tensor_type = in->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) {
    if (d < 0) {
      tensor_type->mutable_shape()->add_dim()->set_dim_param(dim_param);
    } else {
      tensor_type->mutable_shape()->add_dim()->set_dim_value(d);
    }
  }
  for (const onnx::NodeProto& n : nodes) *g->add_node() = n;
  g->add_output()->set_name(nodes.back().output(0));
  std::ofstream(path, std::ios::binary) << m.SerializeAsString();
}

}  // namespace tpuc::testing
