#include "ir/yaml.h"

#include <algorithm>

#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

YAML::Node load(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail_at(file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
}

}  // namespace

YamlReader::YamlReader(std::string file) : file_(std::move(file)), root_(load(read_file(file_), file_)) {}

YamlReader::YamlReader(std::string text, std::string file) : file_(std::move(file)), root_(load(text, file_)) {}

void YamlReader::check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) {
  if (!map.IsMap()) {
    error(map, "expected a mapping");
    return;
  }
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) != allowed.end())
      continue;
    std::string message = "unknown key '" + key + "'";
    const char* best = nullptr;
    size_t best_distance = 3;  // suggest only close spellings
    for (const char* a : allowed) {
      const size_t d = edit_distance(key, a);
      if (d < best_distance) {
        best_distance = d;
        best = a;
      }
    }
    if (best) message += "; did you mean '" + std::string(best) + "'?";
    error(entry.first, message);
  }
}

void YamlReader::error(const YAML::Node& at, const std::string& message) {
  const YAML::Mark mark = at.Mark();
  const bool known = mark.line >= 0;
  errors_.push_back(file_ + (known ? ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) : "") +
                    ": " + message);
}

void YamlReader::finish() const {
  if (errors_.empty()) return;
  std::string all;
  for (size_t i = 0; i < errors_.size(); ++i) all += (i ? "\n" : "") + errors_[i];
  throw Error(all);
}

}  // namespace tpuc
