// Checked YAML reading: every mistake reported at once with file:line:col.
#include <gtest/gtest.h>

#include "ir/diagnostics.h"
#include "ir/yaml.h"

using namespace tpuc;

TEST(Yaml, ReportsAllMistakesWithPlaces) {
  YamlReader r("model: m.onnx\nqantization: 3\ncount: many\n", "cfg.yaml");
  r.check_keys(r.root(), {"model", "quantization", "count"});
  EXPECT_EQ(r.get<int64_t>(r.root(), "count", 7), 7);
  EXPECT_EQ(r.get<std::string>(r.root(), "model", ""), "m.onnx");
  r.require<std::string>(r.root(), "chip");
  try {
    r.finish();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cfg.yaml:2:1: unknown key 'qantization'; did you mean 'quantization'?\n"
              "cfg.yaml:3:8: 'count' must be an integer\n"
              "cfg.yaml:1:1: missing required key 'chip'");
  }
}

TEST(Yaml, SyntaxErrorsAreLocated) {
  try {
    YamlReader r("a: [1, 2\nb: 3\n", "broken.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("broken.yaml:", 0), 0u) << e.what();
  }
}
