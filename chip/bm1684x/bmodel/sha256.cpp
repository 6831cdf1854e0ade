#include "chip/bm1684x/bmodel/sha256.h"

#include <openssl/evp.h>

#include "ir/diagnostics.h"

namespace tpuc::bm1684x::bmodel {

std::array<uint8_t, 32> sha256(const uint8_t* data, size_t size) {
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  // EVP_Digest, not the SHA256() shortcut that OpenSSL 3 deprecates.
  const int ok = EVP_Digest(data, size, digest.data(), &length, EVP_sha256(), nullptr);
  TPUC_INTERNAL_ASSERT(ok == 1 && length == digest.size(), "SHA-256 failed in libcrypto");
  return digest;
}

}  // namespace tpuc::bm1684x::bmodel
