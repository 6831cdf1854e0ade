// `tpuc zoo` on a small manifest: a model that converts, and models made to fail — a corrupt file,
// an operator tpuc does not support, a timeout — each reported with its reason while the others
// convert; every model's folder appears whole; the HTML summary renders in headless Chromium; a
// second run with --resume skips everything, and a changed input converts that model again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ir/files.h"
#include "tests/support/onnx_model.h"
#include "tests/support/source_tree.h"
#include "tests/support/tpuc_process.h"

using namespace tpuc;
using namespace tpuc::testing;
namespace fs = std::filesystem;

namespace {

// The Fashion-MNIST model's input, then one node tpuc has no algorithm for.
void write_unsupported_model(const std::string& path) {
  write_onnx_model(path, "image", {1, 1, 28, 28}, {onnx_node("Unique", "dedupe", {"image"}, "y")});
}

}  // namespace

TEST(Zoo, ConvertsWhatItCanAndReportsEachFailure) {
  const std::string dir = ::testing::TempDir() + "/zoo";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomic(dir + "/corrupt.onnx", "this is not a protobuf");
  write_unsupported_model(dir + "/unsupported.onnx");
  for (const char* name : {"corrupt", "unsupported"})
    write_file_atomic(
        dir + "/" + name + ".yaml",
        "include: " + source_path("examples/fmnist/config.yaml") + "\nmodel: " + name + ".onnx\n");
  const std::string small =
      "[validation.count=20, quantization.calibration.count=20, "
      "validation.tolerance.max_accuracy_drop=100]";
  write_file_atomic(dir + "/zoo.yaml",
                    "output_dir: out\ntimeout_s: 300\nmodels:\n"
                    "  - {name: fmnist, config: " +
                        source_path("examples/fmnist/config.yaml") + ", set: " + small +
                        "}\n"
                        "  - {name: corrupt, config: corrupt.yaml}\n"
                        "  - {name: unsupported, config: unsupported.yaml}\n"
                        "  - {name: slow, config: " +
                        source_path("examples/fmnist/config.yaml") + ", timeout_s: 0.5}\n");
  const TpucResult first_run = run_tpuc("zoo --manifest " + dir + "/zoo.yaml -j 2");
  ASSERT_EQ(first_run.code, 1) << first_run.output;
  const nlohmann::json first = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  EXPECT_EQ(first.at("fmnist").at("status"), "PASS") << first.dump(2);
  EXPECT_GT(first.at("fmnist").at("report").at("chip").at("latency_us").get<double>(), 0);
  EXPECT_EQ(first.at("corrupt").at("status"), "ERROR");
  EXPECT_NE(first.at("corrupt").at("reason").get<std::string>().find("not a valid ONNX model"),
            std::string::npos)
      << first.dump(2);
  EXPECT_EQ(first.at("unsupported").at("status"), "ERROR");
  EXPECT_NE(first.at("unsupported").at("reason").get<std::string>().find("Unique"),
            std::string::npos)
      << first.dump(2);
  EXPECT_EQ(first.at("slow").at("status"), "TIMEOUT");
  for (const char* name : {"fmnist", "corrupt", "unsupported", "slow"}) {
    EXPECT_TRUE(fs::exists(dir + "/out/" + name + "/zoo.json")) << name;
    EXPECT_TRUE(fs::exists(dir + "/out/" + name + "/compile.log")) << name;
    EXPECT_FALSE(fs::exists(dir + "/out/" + name + ".partial")) << name;
  }
  EXPECT_NE(first_run.output.find("4 models, 3 not passing"), std::string::npos)
      << first_run.output;

  // The HTML summary, rendered by a real browser (its script builds the table from the embedded
  // report.json): a row per model with its status, and the counts.
  const std::string dom = dir + "/zoo.dom.html";
  ASSERT_EQ(std::system(("chromium --headless --no-sandbox --disable-gpu --dump-dom file://" + dir +
                         "/out/zoo.html > " + dom + " 2> /dev/null")
                            .c_str()),
            0);
  const std::string page = read_file(dom);
  for (const auto& [name, status] : {std::pair{"fmnist", "PASS"},
                                     {"corrupt", "ERROR"},
                                     {"unsupported", "ERROR"},
                                     {"slow", "TIMEOUT"}})
    EXPECT_NE(page.find("<tr class=\"" + std::string(status) + "\" data-model=\"" + name + "\">"),
              std::string::npos)
        << name << "\n"
        << page;
  EXPECT_NE(page.find("4 models, 1 passed, 3 not passing"), std::string::npos) << page;
  EXPECT_NE(page.find("corrupt.onnx: not a valid ONNX model"), std::string::npos) << page;

  // Nothing changed: every model is skipped, with its earlier outcome.
  const TpucResult second_run = run_tpuc("zoo --manifest " + dir + "/zoo.yaml -j 2 --resume");
  ASSERT_EQ(second_run.code, 1) << second_run.output;
  const nlohmann::json second = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  for (const auto& [name, r] : second.items()) {
    EXPECT_TRUE(r.at("skipped").get<bool>()) << name;
    EXPECT_EQ(r.at("status"), first.at(name).at("status")) << name;
  }
  // A changed model file converts that model again, and only it.
  write_file_atomic(dir + "/corrupt.onnx", "still not a protobuf");
  ASSERT_EQ(run_tpuc("zoo --manifest " + dir + "/zoo.yaml --resume").code, 1);
  const nlohmann::json third = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  EXPECT_FALSE(third.at("corrupt").at("skipped").get<bool>());
  EXPECT_TRUE(third.at("fmnist").at("skipped").get<bool>());
}

TEST(Zoo, ManifestMistakesAreReportedWithTheirPlace) {
  const std::string dir = ::testing::TempDir() + "/zoo-bad";
  fs::create_directories(dir);
  write_file_atomic(dir + "/zoo.yaml",
                    "output_dir: out\nmodels:\n  - {name: a, config: a.yaml}\n  - {name: a, "
                    "config: b.yaml, speed: 3}\n");
  const TpucResult r = run_tpuc("zoo --manifest " + dir + "/zoo.yaml");
  EXPECT_EQ(r.code, 2);
  const std::string& log = r.output;
  EXPECT_NE(log.find("zoo.yaml:4"), std::string::npos) << log;
  EXPECT_NE(log.find("'a' is listed twice"), std::string::npos) << log;
  EXPECT_NE(log.find("speed"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

// `--emit-ninja`: ninja converts every model, then has no work; a touched input reconverts that
// model alone, then the summary.
TEST(Zoo, EmittedNinjaFileReconvertsOnlyWhatChanged) {
  const std::string dir = ::testing::TempDir() + "/zoo-ninja";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_unsupported_model(dir + "/a.onnx");
  write_file_atomic(dir + "/b.onnx", "not a protobuf");
  for (const char* name : {"a", "b"})
    write_file_atomic(
        dir + "/" + name + ".yaml",
        "include: " + source_path("examples/fmnist/config.yaml") + "\nmodel: " + name + ".onnx\n");
  write_file_atomic(
      dir + "/zoo.yaml",
      "output_dir: out\nmodels:\n  - {name: a, config: a.yaml}\n  - {name: b, config: b.yaml}\n");
  const TpucResult emit = run_tpuc("zoo --manifest " + dir + "/zoo.yaml --emit-ninja");
  ASSERT_EQ(emit.code, 0) << emit.output;
  auto ninja = [&](const std::string& log) {
    EXPECT_EQ(std::system(("ninja -C " + dir + "/out > " + dir + "/" + log + " 2>&1").c_str()), 0)
        << read_file(dir + "/" + log);
    return read_file(dir + "/" + log);
  };
  const std::string first = ninja("first.log");
  EXPECT_NE(first.find("convert a"), std::string::npos) << first;
  EXPECT_NE(first.find("convert b"), std::string::npos) << first;
  EXPECT_EQ(nlohmann::json::parse(read_file(dir + "/out/report.json")).at("b").at("status"),
            "ERROR");
  EXPECT_NE(ninja("second.log").find("no work to do"), std::string::npos);
  fs::last_write_time(dir + "/b.onnx", fs::file_time_type::clock::now() + std::chrono::seconds(5));
  const std::string third = ninja("third.log");
  EXPECT_NE(third.find("convert b"), std::string::npos) << third;
  EXPECT_EQ(third.find("convert a"), std::string::npos) << third;
  EXPECT_NE(third.find("summarize the zoo"), std::string::npos) << third;
}
