// Checked reading of YAML files (configs, pipelines, quantization policies, chip descriptions).
// Every mistake is recorded with file:line:column; finish() reports them all at once, so a user
// fixes a config in one round. Unknown keys get a did-you-mean suggestion.
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

  const YAML::Node& root() const { return root_; }
  const std::string& file() const { return file_; }

  // Typed reads: a missing key returns `fallback`; a wrong type records an error and returns it too.
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
  std::string file_;
  YAML::Node root_;
  std::vector<std::string> errors_;
};

}  // namespace tpuc

#include "ir/yaml_impl.h"
