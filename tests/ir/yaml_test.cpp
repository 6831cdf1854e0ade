// Checked YAML reading: every mistake reported at once with file:line:col.
#include "ir/yaml.h"

#include <gtest/gtest.h>

#include "ir/files.h"
#include "tests/support/errors.h"

using namespace tpuc;
using tpuc::testing::error_of;

TEST(Yaml, ReportsAllMistakesWithPlaces) {
  YamlReader r("model: m.onnx\nqantization: 3\ncount: many\n", "cfg.yaml");
  r.check_keys(r.root(), {"model", "quantization", "count"});
  EXPECT_EQ(r.get<int64_t>(r.root(), "count", 7), 7);
  EXPECT_EQ(r.get<std::string>(r.root(), "model", ""), "m.onnx");
  r.require<std::string>(r.root(), "chip");
  EXPECT_EQ(error_of([&] { r.finish(); }),
            "cfg.yaml:2:1: unknown key 'qantization'; did you mean 'quantization'?\n"
            "cfg.yaml:3:8: 'count' must be an integer\n"
            "cfg.yaml:1:1: missing required key 'chip'");
}

TEST(Yaml, SyntaxErrorsAreLocated) {
  const std::string error = error_of([] { YamlReader("a: [1, 2\nb: 3\n", "broken.yaml"); });
  EXPECT_EQ(error.rfind("broken.yaml:", 0), 0u) << error;
}

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  tpuc::write_file_atomic(path, text);
  return path;
}

}  // namespace

// extends, then include in order, then the file's own keys; maps merge, scalars and lists replace.
TEST(Yaml, ComposeMergesBaseFragmentsAndOwnKeys) {
  write("base.yaml", "a: 1\nlist: [1, 2]\nsection: {x: 1, y: 2}\n");
  write("fragment.yaml", "section: {y: 20, z: 30}\nfrom_fragment: true\n");
  const std::string top = write(
      "top.yaml", "extends: base.yaml\ninclude: [fragment.yaml]\nlist: [9]\nsection: {x: 10}\n");
  YamlReader r = YamlReader::compose(top);
  r.set("section.w=5");
  const YAML::Node root = r.root();
  EXPECT_EQ(root["a"].as<int>(), 1);
  EXPECT_EQ(root["list"].as<std::vector<int>>(), std::vector<int>{9});
  EXPECT_EQ(root["section"]["x"].as<int>(), 10);
  EXPECT_EQ(root["section"]["y"].as<int>(), 20);
  EXPECT_EQ(root["section"]["z"].as<int>(), 30);
  EXPECT_FALSE(root["extends"]);
  EXPECT_EQ(r.origin(root["a"]), ::testing::TempDir() + "base.yaml:1");
  EXPECT_EQ(r.origin(root["section"]["y"]), ::testing::TempDir() + "fragment.yaml:1");
  EXPECT_EQ(r.origin(root["list"]), top + ":3");
  EXPECT_EQ(r.origin(root["section"]["w"]), "--set section.w=5");
  r.check_keys(root["section"], {"x", "y", "z"});
  EXPECT_EQ(error_of([&] { r.finish(); }), "--set section.w=5: unknown key 'w'; did you mean 'x'?");
  r.set("a=2");
  EXPECT_EQ(r.origin(r.root()["a"]), "--set a=2");
}

TEST(Yaml, ComposeReportsCyclesAndMissingFilesWhereTheyAreNamed) {
  const std::string a = write("cycle-a.yaml", "x: 1\ninclude: cycle-b.yaml\n");
  write("cycle-b.yaml", "extends: cycle-a.yaml\n");
  const std::string cycle = error_of([&] { YamlReader::compose(a); });
  EXPECT_NE(cycle.find("cycle-b.yaml:1:10: 'extends' makes a cycle"), std::string::npos) << cycle;
  const std::string m = write("missing.yaml", "include:\n  - nowhere.yaml\n");
  EXPECT_EQ(error_of([&] { YamlReader::compose(m); }),
            m + ":2:5: file not found: " + ::testing::TempDir() + "nowhere.yaml");
}

// A mistake inside an included fragment names the fragment, not the including file.
TEST(Yaml, MistakesInFragmentsNameTheFragment) {
  const std::string fragment = write("bad-fragment.yaml", "count: many\n");
  YamlReader r = YamlReader::compose(write("uses-fragment.yaml", "include: bad-fragment.yaml\n"));
  r.get<int64_t>(r.root(), "count", 0);
  EXPECT_EQ(error_of([&] { r.finish(); }), fragment + ":1:8: 'count' must be an integer");
}
