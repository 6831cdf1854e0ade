#include "ir/yaml.h"

#include <algorithm>
#include <filesystem>
#include <optional>

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

YamlReader::YamlReader(std::string file)
    : file_(std::move(file)), root_(load(read_file(file_), file_)) {
  record(root_, file_);
}

YamlReader::YamlReader(std::string text, std::string file)
    : file_(std::move(file)), root_(load(text, file_)) {
  record(root_, file_);
}

void YamlReader::record(const YAML::Node& node, const std::string& origin) {
  origins_.push_back({node, origin, node});
  if (node.IsMap()) {
    for (const auto& entry : node) {
      record(entry.first, origin);
      record(entry.second, origin);
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) record(item, origin);
  }
}

const YamlReader::Origin* YamlReader::find_origin(const YAML::Node& node) const {
  // Newest first: a value replaced by --set shares its identity with the value it replaced.
  for (auto it = origins_.rbegin(); it != origins_.rend(); ++it)
    if (it->node.is(node)) return &*it;
  return nullptr;
}

const std::string& YamlReader::file_of(const YAML::Node& node) const {
  const Origin* o = find_origin(node);
  return o ? o->file : file_;
}

std::string YamlReader::origin(const YAML::Node& node) const {
  const Origin* o = find_origin(node);
  const std::string& file = o ? o->file : file_;
  const YAML::Mark mark = o ? o->place.Mark() : node.Mark();
  if (file.rfind("--set ", 0) == 0 || mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

YamlReader YamlReader::compose(const std::string& file) {
  YamlReader r;
  r.file_ = file;
  std::vector<std::string> stack;
  r.root_ = r.compose_file(file, stack);
  return r;
}

YAML::Node YamlReader::compose_file(const std::string& file, std::vector<std::string>& stack) {
  const std::string canonical = std::filesystem::weakly_canonical(file).string();
  stack.push_back(canonical);
  YAML::Node own = load(read_file(file), file);
  record(own, file);
  if (!own.IsMap()) return own;  // the reader's checks report it
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  // The files a key names, checked before they are read.
  auto named = [&](const char* key) {
    std::vector<std::string> files;
    const YAML::Node value = own[key];
    if (!value) return files;
    const auto at = [&](const YAML::Node& n, const std::string& message) {
      fail_at(file, n.Mark().line + 1, n.Mark().column + 1, message);
    };
    if (!value.IsScalar() && !(value.IsSequence() && std::string(key) == "include"))
      at(value, std::string("'") + key + "' must be a file" +
                    (std::string(key) == "include" ? " or a list of files" : ""));
    std::vector<YAML::Node> items;
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) items.push_back(item);
    } else {
      items.push_back(value);
    }
    for (const YAML::Node& item : items) {
      if (!item.IsScalar()) at(item, std::string("'") + key + "' must name files");
      std::filesystem::path p = item.as<std::string>();
      if (p.is_relative()) p = dir / p;
      if (!std::filesystem::exists(p)) at(item, "file not found: " + p.lexically_normal().string());
      const std::string c = std::filesystem::weakly_canonical(p).string();
      if (std::find(stack.begin(), stack.end(), c) != stack.end())
        at(item, "'" + std::string(key) + "' makes a cycle: " + c + " is already being read");
      files.push_back(p.lexically_normal().string());
    }
    return files;
  };
  // reset() rebinds a handle; assignment would overwrite the node it held.
  YAML::Node result(YAML::NodeType::Map);
  for (const std::string& base : named("extends")) result.reset(compose_file(base, stack));
  for (const std::string& fragment : named("include"))
    result.reset(merge(result, compose_file(fragment, stack)));
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& entry : own)
    if (entry.first.as<std::string>() != "extends" && entry.first.as<std::string>() != "include")
      rest.force_insert(entry.first, entry.second);
  record(rest, file);
  stack.pop_back();
  return merge(result, rest);
}

YAML::Node YamlReader::merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base.IsMap() || !over.IsMap()) return over;
  YAML::Node merged(YAML::NodeType::Map);
  auto find = [](const YAML::Node& map,
                 const std::string& key) -> std::optional<std::pair<YAML::Node, YAML::Node>> {
    for (const auto& entry : map)
      if (entry.first.as<std::string>() == key) return std::make_pair(entry.first, entry.second);
    return std::nullopt;
  };
  for (const auto& entry : base) {
    const auto replaced = find(over, entry.first.as<std::string>());
    if (replaced) {
      merged.force_insert(replaced->first, merge(entry.second, replaced->second));
    } else {
      merged.force_insert(entry.first, entry.second);
    }
  }
  for (const auto& entry : over)
    if (!find(base, entry.first.as<std::string>())) merged.force_insert(entry.first, entry.second);
  const Origin* from = find_origin(over);
  origins_.push_back({merged, from ? from->file : file_, from ? from->place : over});
  return merged;
}

void YamlReader::set(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--set '" + assignment + "': expected key.path=value");
  const std::string path = assignment.substr(0, eq), origin = "--set " + assignment;
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw Error("--set '" + assignment + "': " + e.msg);
  }
  record(value, origin);
  std::vector<std::string> keys;
  for (size_t start = 0, dot; start <= path.size(); start = dot + 1) {
    dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    keys.push_back(path.substr(start, dot - start));
  }
  std::vector<YAML::Node> chain{root_};
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node next = chain.back()[keys[i]];
    if (!next.IsDefined() || next.IsNull() || !next.IsMap()) {
      chain.back()[keys[i]] = YAML::Node(YAML::NodeType::Map);
      record(chain.back()[keys[i]], origin);
    }
    chain.push_back(chain.back()[keys[i]]);
  }
  chain.back()[keys.back()] = value;
}

void YamlReader::check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed) {
  if (!map.IsMap()) {
    error(map, "expected a mapping");
    return;
  }
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) !=
        allowed.end())
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
    // A key --set created has no place of its own; its value does.
    error(find_origin(entry.first) ? entry.first : entry.second, message);
  }
}

void YamlReader::error(const YAML::Node& at, const std::string& message) {
  const Origin* o = find_origin(at);
  const YAML::Mark mark = o ? o->place.Mark() : at.Mark();
  const std::string& file = o ? o->file : file_;
  const bool known = mark.line >= 0 && file.rfind("--set ", 0) != 0;
  errors_.push_back(
      file +
      (known ? ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) : "") +
      ": " + message);
}

void YamlReader::finish() const {
  if (errors_.empty()) return;
  std::string all;
  for (size_t i = 0; i < errors_.size(); ++i) all += (i ? "\n" : "") + errors_[i];
  throw Error(all);
}

}  // namespace tpuc
