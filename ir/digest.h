// SHA-256 (OpenSSL's libcrypto) of a sequence of byte strings, as hex: what a cache keys on
// (`tpuc zoo`'s resume hashes, the host kernel cache).
#pragma once
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace tpuc {

class Digest {
 public:
  Digest();
  ~Digest();
  // Each piece is framed by its length, so two pieces never run together.
  void add(const std::string& bytes);
  // A file's name and bytes (its name only when it cannot be read).
  void add_path(const std::string& path);
  std::string hex();

 private:
  std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> ctx_;
};

}  // namespace tpuc
