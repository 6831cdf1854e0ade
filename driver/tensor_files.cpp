#include "driver/tensor_files.h"

#include <cstdio>
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

void name_lone_array(const std::string& file, const std::map<std::string, TensorType>& expected,
                     TensorMap& inputs) {
  if (std::filesystem::path(file).extension() != ".npy" || expected.size() != 1 ||
      inputs.size() != 1 || inputs.count(expected.begin()->first))
    return;
  Tensor t = std::move(inputs.begin()->second);
  inputs.clear();
  inputs.emplace(expected.begin()->first, std::move(t));
}

void adapt_inputs(const std::string& file, const std::map<std::string, TensorType>& expected,
                  TensorMap& inputs) {
  for (auto& [name, t] : inputs) {
    auto want = expected.find(name);
    if (want == expected.end()) continue;
    const DType given = t.type.dtype, model = want->second.dtype;
    if (given == DType::F64 && model == DType::F32) {
      std::fprintf(stderr, "[run] input '%s' is f64 in %s: computed as the model's f32\n",
                   name.c_str(), file.c_str());
      t = convert_float(t, DType::F32);
    } else if (given == DType::U16 && model == DType::BF16) {
      std::fprintf(stderr, "[run] input '%s' is u16 in %s: taken as the bits of the model's bf16\n",
                   name.c_str(), file.c_str());
      t.type.dtype = DType::BF16;
    }
  }
}

TensorMap as_numpy(TensorMap outputs) {
  for (auto& [name, t] : outputs)
    if (t.type.dtype == DType::BF16) {
      std::fprintf(stderr, "[run] output '%s' is bf16: written as its bits, u16\n", name.c_str());
      t.type.dtype = DType::U16;
    }
  return outputs;
}

void check_inputs(const std::string& file, const TensorMap& inputs,
                  const std::map<std::string, TensorType>& expected) {
  for (const auto& [name, want] : expected) {
    auto it = inputs.find(name);
    if (it == inputs.end())
      throw Error(file + ": has no tensor named '" + name + "' (a model input)");
    if (it->second.type.dtype != want.dtype || it->second.type.shape != want.shape)
      throw Error(file + "[" + name + "]: is " + std::string(tpuc::name(it->second.type.dtype)) +
                  "[" + to_string(it->second.type.shape) + "], the model expects " +
                  to_string(want));
  }
}

TensorMap read_model_inputs(const std::string& file,
                            const std::map<std::string, TensorType>& expected) {
  TensorMap inputs = read_tensor_file(file, "input");
  name_lone_array(file, expected, inputs);
  adapt_inputs(file, expected, inputs);
  check_inputs(file, inputs, expected);
  return inputs;
}

}  // namespace tpuc
