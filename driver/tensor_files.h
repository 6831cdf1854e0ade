// The tensors a user hands the command line: a .npz or .npy file, one ONNX TensorProto (.pb), or
// a folder of them as the ONNX test data keeps a case (test_data_set_0/input_0.pb, output_0.pb).
#pragma once
#include <string>

#include "ir/npz.h"

namespace tpuc {

// `kind` picks a folder's files: "input" reads input_0.pb, input_1.pb ... (and "output"
// output_N.pb; none is none), each named by its TensorProto's name. An Error names the file.
TensorMap read_tensor_file(const std::string& path, const std::string& kind);

}  // namespace tpuc
