// Checked reading of YAML files (configs, pipelines, quantization policies, chip descriptions).
// Every mistake is recorded with file:line:column; finish() reports them all at once, so a user
// fixes a config in one round. Unknown keys get a did-you-mean suggestion. A composed reader
// (compose) also follows `extends:` and `include:` and remembers which file every value came from.
#pragma once
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace tpuc {

class YamlReader {
 public:
  explicit YamlReader(std::string file);  // parses; a syntax error throws Error with line:col
  YamlReader(std::string text, std::string file);  // from a string, `file` names it in errors

  // Reads `file` composed with the files it names: `extends: base.yaml` (read first), then
  // `include: [fragment.yaml, ...]` in order, then the file's own keys; paths are relative to the
  // naming file. Merge rule: mappings merge key by key, recursively; any other value (a scalar or a
  // list) replaces the earlier one. A cycle or a missing file is an error at the naming key.
  static YamlReader compose(const std::string& file);
  // `a.b.c=value` (value read as YAML) replaces or adds that key; its origin is "--set ...".
  void set(const std::string& assignment);
  // The file a node was read from (the top file when unknown), and "file:line" or "--set ...".
  const std::string& file_of(const YAML::Node& node) const;
  std::string origin(const YAML::Node& node) const;

  const YAML::Node& root() const { return root_; }
  const std::string& file() const { return file_; }

  // Typed reads: a missing key returns `fallback`; a wrong type records an error and returns it
  // too.
  template <class T>
  T get(const YAML::Node& map, const std::string& key, T fallback);
  // Like get, but a missing key is an error.
  template <class T>
  T require(const YAML::Node& map, const std::string& key);

  void check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed);
  void error(const YAML::Node& at, const std::string& message);  // records "file:line:col: message"
  bool ok() const { return errors_.empty(); }
  void finish() const;  // throws Error listing every recorded message, one per line

 private:
  YamlReader() = default;
  void record(const YAML::Node& node, const std::string& origin);  // node and everything under it
  struct Origin {
    YAML::Node node;
    std::string file;
    YAML::Node
        place;  // whose Mark locates it: itself, or for a merged mapping the mapping it merged in
  };
  const Origin* find_origin(const YAML::Node& node) const;
  YAML::Node compose_file(const std::string& file, std::vector<std::string>& stack);
  YAML::Node merge(const YAML::Node& base, const YAML::Node& over);

  std::string file_;
  YAML::Node root_;
  std::vector<std::string> errors_;
  std::vector<Origin> origins_;  // few nodes: a linear scan is enough
};

}  // namespace tpuc

#include "ir/yaml_impl.h"
