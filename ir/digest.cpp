#include "ir/digest.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "ir/files.h"

namespace tpuc {

Digest::Digest() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
}

Digest::~Digest() = default;

void Digest::add(const std::string& bytes) {
  const uint64_t size = bytes.size();
  EVP_DigestUpdate(ctx_.get(), &size, sizeof size);
  EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

void Digest::add_path(const std::string& path) {
  add(path);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) add(read_file(path));
}

std::string Digest::hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_.get(), out, &n);
  std::string s;
  char byte[3];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", out[i]);
    s += byte;
  }
  return s;
}

}  // namespace tpuc
