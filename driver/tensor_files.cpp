#include "driver/tensor_files.h"

#include <filesystem>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"

namespace tpuc {

namespace {

void add_pb(const std::string& path, TensorMap& into) {
  auto [name, tensor] = read_onnx_tensor(path);
  if (name.empty()) throw Error(path + ": the tensor has no name to bind it to a model's tensor");
  if (into.count(name)) throw Error(path + ": a second tensor named '" + name + "'");
  into[name] = std::move(tensor);
}

}  // namespace

TensorMap read_tensor_file(const std::string& path, const std::string& kind) {
  namespace fs = std::filesystem;
  TensorMap tensors;
  if (fs::is_directory(path)) {
    for (size_t i = 0;; ++i) {
      const fs::path file = fs::path(path) / (kind + "_" + std::to_string(i) + ".pb");
      if (!fs::exists(file)) break;
      add_pb(file.string(), tensors);
    }
    return tensors;  // a model may have no inputs
  }
  if (fs::path(path).extension() == ".pb") {
    add_pb(path, tensors);
    return tensors;
  }
  return read_tensors(path);
}

}  // namespace tpuc
