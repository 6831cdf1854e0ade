// File helpers shared by every stage: whole-file reads with clear errors, and atomic writes
// (temp name in the same folder, then rename) so no stage ever leaves a half-written output.
#pragma once
#include <functional>
#include <ostream>
#include <string>

namespace tpuc {

std::string read_file(const std::string& path);  // Error "path: cannot open ..." when missing
void write_file_atomic(const std::string& path, const std::string& bytes);
// The same for a file written piece by piece (hundreds of megabytes of weights as text need no
// copy in memory).
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace tpuc
