// Models the .bmodel tests write: the smallest complete network, and one with a TPU and a CPU
// subnet and every field the in-memory form has set to a value other than its default; and the
// helpers the tests use to look inside the bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chip/bm1684x/bmodel/bmodel.h"

namespace tpuc::bm1684x::bmodel::testing {

// The TIU and GDMA END commands, 16 bytes each, as the END of a real tpu-mlir BM1684X file (field
// ranges from tpu-mlir's python/debugger/target_1684x/regdef.py): a stream of one command.
std::vector<uint8_t> tiu_end(uint32_t cmd_id);
std::vector<uint8_t> gdma_end(uint32_t cmd_id);

// One TPU subnet with one group (a TIU END and a GDMA END), coefficients "abc", an uint8 input
// and an int8 output. Its blob is 3 + 128 + 128 bytes.
Model tiny_model();

// Subnet 0 on the TPU (two command groups, the second without GDMA commands), subnet 1 on the
// CPU; coefficients, ctx_sizes, scales, zero points, hidden/index, cpu_addr: all set.
Model two_subnet_model();

// The little-endian number of `count` bytes at `at` of a file's bytes.
uint64_t read_le(const std::string& bytes, size_t at, int count);

// The FlatBuffer of a .bmodel's bytes (its size from the header), copied to 8-byte-aligned
// storage for the generated accessors.
std::vector<uint64_t> flatbuffer_of(const std::string& file);

// `count` bytes 0, 1, 2, ... (mod 251) plus `seed`, so that different arrays differ.
std::vector<uint8_t> pattern(size_t count, uint8_t seed);

}  // namespace tpuc::bm1684x::bmodel::testing
