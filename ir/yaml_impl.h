// Template bodies of YamlReader (included from ir/yaml.h).
#pragma once

namespace tpuc {

namespace yaml_detail {
template <class T>
const char* type_name();
template <>
inline const char* type_name<bool>() {
  return "a boolean";
}
template <>
inline const char* type_name<int>() {
  return "an integer";
}
template <>
inline const char* type_name<int64_t>() {
  return "an integer";
}
template <>
inline const char* type_name<double>() {
  return "a number";
}
template <>
inline const char* type_name<std::string>() {
  return "a string";
}
template <>
inline const char* type_name<std::vector<int64_t>>() {
  return "a list of integers";
}
template <>
inline const char* type_name<std::vector<double>>() {
  return "a list of numbers";
}
template <>
inline const char* type_name<std::vector<std::string>>() {
  return "a list of strings";
}
}  // namespace yaml_detail

template <class T>
T YamlReader::get(const YAML::Node& map, const std::string& key, T fallback) {
  const YAML::Node value = map[key];
  if (!value) return fallback;
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    error(value, "'" + key + "' must be " + yaml_detail::type_name<T>());
    return fallback;
  }
}

template <class T>
T YamlReader::require(const YAML::Node& map, const std::string& key) {
  if (!map[key]) {
    error(map, "missing required key '" + key + "'");
    return T{};
  }
  return get<T>(map, key, T{});
}

}  // namespace tpuc
