#include "ir/files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/diagnostics.h"

namespace tpuc {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(
      path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temp = path + ".tmp";
  try {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write file");
    write(out);
    if (!out.flush()) throw Error(path + ": write failed");
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::remove(temp.c_str());
    throw Error(path + ": cannot rename temporary file: " + ec.message());
  }
}

}  // namespace tpuc
