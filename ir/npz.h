// NumPy .npy / .npz reading and writing, so users check tpuc's inputs and outputs with NumPy.
// .npz is a zip archive (libzip) of .npy members; tpuc writes it with fixed timestamps and sorted
// member names so the same tensors always give the same bytes.
#pragma once
#include <map>
#include <string>

#include "ir/tensor.h"

namespace tpuc {

using TensorMap = std::map<std::string, Tensor>;

Tensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& t);  // atomic
// A .npy file reads as one tensor keyed by its file stem.
TensorMap read_tensors(const std::string& path);  // .npz or .npy; Error names the file and member
void write_npz(const std::string& path, const TensorMap& tensors);  // atomic

// Bytes of a .npy file, and the tensor in such bytes (`where` names the source for errors).
std::string npy_bytes(const Tensor& t);
Tensor parse_npy(const std::string& bytes, const std::string& where);

}  // namespace tpuc
