// `tpuc zoo --executor slurm` through a real slurmctld and slurmd (tests/slurm/run-test.sh starts
// a one-node cluster and sets SLURM_CONF): two small models PASS, a corrupt one is an ERROR with
// the compiler's reason, and a model whose compile outlasts its one-minute Slurm time limit is
// killed by Slurm and reported TIMEOUT; a second submission converts nothing; after a change, a
// --no-wait submission converts the changed model alone and --collect gathers it. A path the
// tasks could not read is refused before submitting.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "ir/files.h"
#include "tests/support/source_tree.h"
#include "tests/support/tpuc_process.h"

using namespace tpuc;
using namespace tpuc::testing;
namespace fs = std::filesystem;

class ZooOnSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("SLURM_CONF"))
      GTEST_SKIP() << "no Slurm cluster: run through tests/slurm/run-test.sh (ctest ZooOnSlurm)";
  }

  // An empty folder of that name in the test's temp folder, as an absolute path: the Slurm tasks
  // run elsewhere.
  static std::string fresh_folder(const std::string& name) {
    const std::string dir = fs::absolute(::testing::TempDir() + "/" + name).lexically_normal();
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
  }
};

TEST_F(ZooOnSlurm, ConvertsReportsKilledTasksAndSkipsWhatIsDone) {
  const std::string dir = fresh_folder("zoo-slurm");
  const std::string fmnist = source_path("examples/fmnist/config.yaml");
  write_file_atomic(dir + "/corrupt.onnx", "this is not a protobuf");
  write_file_atomic(dir + "/corrupt.yaml", "include: " + fmnist + "\nmodel: corrupt.onnx\n");
  const std::string small =
      "[validation.count=20, quantization.calibration.count=20, "
      "validation.tolerance.max_accuracy_drop=100]";
  // `slow` is first, so that it starts at once: the Fashion-MNIST model validated on the 60000
  // images of its training set compiles for over three minutes here, well over the one-minute
  // limit `--time 1` gives every task. Slurm kills it at its next time-limit check (every 30 s)
  // and KillWait (2 s) later: 60 to 95 s in.
  const std::string train = "/usr/share/datasets/fashion-mnist/train-";
  const std::string whole_train_set =
      "[validation.count=60000, validation.dataset.images=" + train +
      "images-idx3-ubyte.gz, validation.dataset.labels=" + train + "labels-idx1-ubyte.gz]";
  std::string manifest = "output_dir: out\ntimeout_s: 300\nmodels:\n";
  manifest += "  - {name: slow, config: " + fmnist + ", set: " + whole_train_set + "}\n";
  manifest += "  - {name: fmnist, config: " + fmnist + ", set: " + small + "}\n";
  manifest += "  - {name: fmnist_b, config: " + fmnist + ", min_cosine: 0.9, set: " + small + "}\n";
  manifest += "  - {name: corrupt, config: corrupt.yaml}\n";
  write_file_atomic(dir + "/zoo.yaml", manifest);
  const std::string submit = "zoo --manifest " + dir + "/zoo.yaml --executor slurm --time 1";
  const TpucResult first_run = run_tpuc(submit);
  ASSERT_EQ(first_run.code, 1) << first_run.output;
  EXPECT_NE(first_run.output.find("submitted Slurm job"), std::string::npos) << first_run.output;
  const nlohmann::json first = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  for (const char* name : {"fmnist", "fmnist_b"}) {
    EXPECT_EQ(first.at(name).at("status"), "PASS") << first.dump(2);
    EXPECT_GT(first.at(name).at("report").at("chip").at("latency_us").get<double>(), 0);
  }
  EXPECT_EQ(first.at("corrupt").at("status"), "ERROR");
  EXPECT_NE(first.at("corrupt").at("reason").get<std::string>().find("not a valid ONNX model"),
            std::string::npos)
      << first.dump(2);
  EXPECT_EQ(first.at("slow").at("status"), "TIMEOUT") << first.dump(2);
  EXPECT_NE(first.at("slow").at("reason").get<std::string>().find("Slurm at its time limit"),
            std::string::npos)
      << first.dump(2);
  EXPECT_NE(read_file(dir + "/out/slow/slurm.log").find("DUE TO TIME LIMIT"), std::string::npos);
  for (const char* name : {"slow", "fmnist", "fmnist_b", "corrupt"}) {
    EXPECT_TRUE(fs::exists(dir + "/out/" + name + "/zoo.json")) << name;
    EXPECT_FALSE(fs::exists(dir + "/out/" + name + ".partial")) << name;
  }
  EXPECT_TRUE(fs::exists(dir + "/out/zoo.html"));
  EXPECT_NE(first_run.output.find("4 models, 2 not passing"), std::string::npos)
      << first_run.output;

  // Nothing changed: nothing is submitted, every model keeps its outcome.
  const TpucResult second_run = run_tpuc(submit);
  ASSERT_EQ(second_run.code, 1) << second_run.output;
  EXPECT_EQ(second_run.output.find("submitted Slurm job"), std::string::npos) << second_run.output;
  const nlohmann::json second = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  for (const auto& [name, r] : second.items()) {
    EXPECT_TRUE(r.at("skipped").get<bool>()) << name;
    EXPECT_EQ(r.at("status"), first.at(name).at("status")) << name;
  }

  // A changed model: --no-wait submits it alone and prints the job id; --collect gathers it.
  write_file_atomic(dir + "/corrupt.onnx", "still not a protobuf");
  const TpucResult no_wait = run_tpuc(submit + " --no-wait");
  ASSERT_EQ(no_wait.code, 0) << no_wait.output;
  EXPECT_TRUE(std::regex_search(no_wait.output, std::regex("(^|\n)[0-9]+\n"))) << no_wait.output;
  const TpucResult collect = run_tpuc("zoo --manifest " + dir + "/zoo.yaml --collect");
  ASSERT_EQ(collect.code, 1) << collect.output;
  const nlohmann::json third = nlohmann::json::parse(read_file(dir + "/out/report.json"));
  EXPECT_FALSE(third.at("corrupt").at("skipped").get<bool>()) << third.dump(2);
  EXPECT_EQ(third.at("corrupt").at("status"), "ERROR");
  for (const char* name : {"slow", "fmnist", "fmnist_b"})
    EXPECT_TRUE(third.at(name).at("skipped").get<bool>()) << name;
}

TEST_F(ZooOnSlurm, PathsTheComputeNodesCannotReadAreRefusedBeforeSubmitting) {
  const std::string dir = fresh_folder("zoo-slurm-paths");
  write_file_atomic(dir + "/zoo.yaml", "output_dir: out\nmodels:\n  - {name: a, config: a.yaml}\n");
  const TpucResult r = run_tpuc("zoo --manifest " + dir + "/zoo.yaml --executor slurm");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("model 'a': " + dir + "/a.yaml: No such file or directory"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir + "/out/slurm/job.json"));
}
