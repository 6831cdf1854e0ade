// SHA-256, the check code of a .bmodel's coefficients (CoeffMem.check_code), through OpenSSL's
// libcrypto. Shared by the writer, which computes it, and the reader, which checks it.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace tpuc::bm1684x::bmodel {

std::array<uint8_t, 32> sha256(const uint8_t* data, size_t size);

}  // namespace tpuc::bm1684x::bmodel
