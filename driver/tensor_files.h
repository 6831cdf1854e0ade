// The tensors a user hands the command line: a .npz or .npy file, one ONNX TensorProto (.pb), or
// a folder of them as the ONNX test data keeps a case (test_data_set_0/input_0.pb, output_0.pb).
#pragma once
#include <map>
#include <string>

#include "ir/npz.h"

namespace tpuc {

// `kind` picks a folder's files: "input" reads input_0.pb, input_1.pb ... (and "output"
// output_N.pb; none is none), each named by its TensorProto's name. An Error names the file.
TensorMap read_tensor_file(const std::string& path, const std::string& kind);

// A .npy file holds one array, named only by the file's stem: for a model of one input it is that
// input, whatever the file is called (`inputs` renamed to it).
void name_lone_array(const std::string& file, const std::map<std::string, TensorType>& expected,
                     TensorMap& inputs);
// What a given array becomes for the model's input type (`expected`, by name): a float64 array for
// a float32 input is computed as float32 (NumPy's default float is float64; the model's is not);
// a uint16 array for a bfloat16 input holds its bits (NumPy has no bfloat16: ONNX's test data
// store it so). Each is said on stderr, naming `file`.
void adapt_inputs(const std::string& file, const std::map<std::string, TensorType>& expected,
                  TensorMap& inputs);
// Every input of `expected` is in `inputs` with its type; an Error naming `file` otherwise.
void check_inputs(const std::string& file, const TensorMap& inputs,
                  const std::map<std::string, TensorType>& expected);
// The inputs `file` gives a model whose inputs are `expected`: read as read_tensor_file does, a
// lone array named, arrays adapted (adapt_inputs) and checked (check_inputs).
TensorMap read_model_inputs(const std::string& file,
                            const std::map<std::string, TensorType>& expected);
// Outputs as a .npz holds them: a bfloat16 one as its bits, uint16 (NumPy has no bfloat16).
TensorMap as_numpy(TensorMap outputs);

}  // namespace tpuc
