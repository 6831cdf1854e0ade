// `tpuc compile` on the example, as `make demo` runs it but on fewer images: the report's figures
// against the float model, the simulator agreeing bit for bit with the host int8 reference, and
// byte-identical artifacts from two runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "chip/bm1684x/bmodel/bmodel.h"
#include "ir/files.h"
#include "ir/npz.h"
#include "tests/support/source_tree.h"
#include "tests/support/tpuc_process.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

// `tpuc compile` of the example into `out`, validated on `images` test images, with `extra`
// options.
TpucResult compile(const std::string& out, int images, const std::string& extra = "") {
  return run_tpuc("compile --config " + source_path("examples/fmnist/config.yaml") +
                  " --set validation.count=" + std::to_string(images) +
                  " --set quantization.calibration.count=50 --set output_dir=" + out + extra);
}

// `tpuc disasm --format json` of a compiled model: every command with its name, form, engine and
// fields, the codes that identify it, its cmd_id and cmd_id_dep, and its layer (all but the ENDs).
// The file passes the FlatBuffer verifier (read_bmodel verifies).
void expect_disasm_json_lists_every_field(const std::string& model) {
  const bm1684x::bmodel::BmodelFile file = bm1684x::bmodel::read_bmodel(model);
  const bm1684x::bmodel::CmdGroup& group =
      file.model.nets.at(0).parameters.at(0).sub_nets.at(0).cmd_groups.at(0);
  const TpucResult disasm = run_tpuc("disasm " + model + " --format json");
  ASSERT_EQ(disasm.code, 0) << disasm.output;
  const nlohmann::json listing = nlohmann::json::parse(disasm.output);
  const nlohmann::json& commands =
      listing.at("nets")[0].at("stages")[0].at("subnets")[0].at("groups")[0].at("commands");
  ASSERT_EQ(commands.size(), size_t(group.tiu_count + group.gdma_count));
  for (const nlohmann::json& c : commands) {
    for (const char* key : {"name", "form", "engine"}) ASSERT_TRUE(c.contains(key)) << c;
    const bool end =
        c.at("name") == "sys.end" || c.at("name") == "dma.sys" || c.at("name") == "END";
    EXPECT_EQ(c.contains("layer"), !end) << c;
    // Until the TIU stream takes the chip's forms, its commands are tpuc's interim records, listed
    // by name only (docs/model-format.md).
    if (c.at("form") == "tpuc interim record") continue;
    const bool tiu = c.at("engine") == "TIU";
    for (const char* field :
         {tiu ? "tsk_typ" : "cmd_type", tiu ? "tsk_eu_typ" : "cmd_short", "cmd_id", "cmd_id_dep"})
      EXPECT_TRUE(c.at("cmd").contains(field)) << field << " " << c;
  }
}

}  // namespace

TEST(Compile, FashionMnistEndToEnd) {
  const std::string a = ::testing::TempDir() + "/fmnist-a", b = ::testing::TempDir() + "/fmnist-b";
  std::filesystem::remove_all(a);  // nothing from an earlier run may satisfy a check
  std::filesystem::remove_all(b);
  const TpucResult first = compile(a, 1000);
  ASSERT_EQ(first.code, 0) << first.output;
  const nlohmann::json report = nlohmann::json::parse(read_file(a + "/report.json"));
  const auto& v = report.at("validation");
  EXPECT_EQ(v.at("count"), 1000);
  EXPECT_TRUE(v.at("bit_exact").get<bool>());
  EXPECT_EQ(v.at("bit_exact_samples"), 1000);
  EXPECT_NEAR(v.at("float_accuracy").get<double>(), 90.63,
              3.0);  // torch measured 90.63% on all 10,000
  EXPECT_LE(v.at("accuracy_drop").get<double>(), 2.0);
  EXPECT_EQ(v.at("int8_chip_accuracy"), v.at("int8_host_accuracy"));
  EXPECT_GT(report.at("chip").at("latency_us").get<double>(), 0);
  EXPECT_GT(report.at("chip").at("mac_utilization").get<double>(), 0);
  EXPECT_TRUE(report.at("chip").at("host_layers").empty());  // every layer, Quantize too, on chip
  const uint64_t peak = report.at("chip").at("activation_peak_bytes"),
                 unshared = report.at("chip").at("activation_bytes_without_reuse");
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, unshared);  // the conv outputs of the first layers are dead by the classifier
  EXPECT_TRUE(report.at("passed").get<bool>());
  const std::string listing = read_file(a + "/model.disasm.txt");
  for (const char* part : {"subnet 0 TPU group 0", "layer ", "dma.tensor DMA_tensor", "end\n"})
    EXPECT_NE(listing.find(part), std::string::npos) << part;
  expect_disasm_json_lists_every_field(a + "/model.bmodel");

  // The artifacts do not depend on how many images validate (on 20 images one miss is 5 points).
  const TpucResult second =
      compile(b, 20, " --set validation.tolerance.max_accuracy_drop=100 --dump-ir-after all");
  ASSERT_EQ(second.code, 0) << second.output;
  for (const char* artifact :
       {"/top.tpuir", "/calibration.txt", "/tpu.tpuir", "/model.bmodel", "/model.bmodel.json"})
    EXPECT_EQ(read_file(a + artifact), read_file(b + artifact))
        << artifact << " differs between two runs";
  std::string last_dump;  // dumps are numbered in pipeline order; the last pass's is the top graph
  for (const auto& e : std::filesystem::directory_iterator(b + "/dumps"))
    last_dump = std::max(last_dump, e.path().string());
  EXPECT_NE(last_dump.find("-shape-inference.after.tpuir"), std::string::npos) << last_dump;
  EXPECT_EQ(read_file(last_dump), read_file(b + "/top.tpuir"));

  // The model file on the simulator and the int8 graph on the host agree through `tpuc run` too.
  const std::string x = ::testing::TempDir() + "/x.npz";
  Tensor image(TensorType{DType::F32, {1, 1, 28, 28}, std::nullopt});
  for (int64_t i = 0; i < image.size(); ++i) image.as<float>()[i] = float(i % 29) / 29.0f;
  write_npz(x, {{"image", image}});
  const TpucResult chip =
      run_tpuc("run " + a + "/model.bmodel --input " + x + " --output " + x + ".chip.npz");
  ASSERT_EQ(chip.code, 0) << chip.output;
  const TpucResult host =
      run_tpuc("run " + a + "/tpu.tpuir --input " + x + " --output " + x + ".host.npz");
  ASSERT_EQ(host.code, 0) << host.output;
  EXPECT_EQ(read_tensors(x + ".chip.npz").at("logits"), read_tensors(x + ".host.npz").at("logits"));

  // Every layer's schedule, alone, against the host reference; one layer shown; the timeline
  // traced.
  const TpucResult check = run_tpuc("schedule check --graph " + a + "/tpu.tpuir");
  ASSERT_EQ(check.code, 0) << check.output;
  EXPECT_NE(check.output.find("layers bit-exact against the host reference on bm1684x"),
            std::string::npos);
  const TpucResult show =
      run_tpuc("schedule show --graph " + a + "/tpu.tpuir --node /features/features.0/Conv");
  ASSERT_EQ(show.code, 0) << show.output;
  for (const char* part :
       {"local memory (per lane)", "lowered loops", "CONV", "REQUANT", "simulated on bm1684x"})
    EXPECT_NE(show.output.find(part), std::string::npos) << part;
  EXPECT_NE(run_tpuc("schedule show --graph " + a + "/tpu.tpuir --node nowhere").code, 0);
  const TpucResult traced = run_tpuc("run " + a + "/model.bmodel --input " + x + " --output " + x +
                                     ".chip.npz --trace " + x + ".trace.json");
  ASSERT_EQ(traced.code, 0) << traced.output;
  EXPECT_GT(nlohmann::json::parse(read_file(x + ".trace.json")).at("traceEvents").size(), 10u);
}

// With preprocess.fuse the model takes raw pixels (the scale folds into the first Conv) and still
// classifies as the model with host-side preprocessing does.
TEST(Compile, FusedPreprocessingTakesRawPixels) {
  const std::string plain = ::testing::TempDir() + "/fmnist-plain",
                    fused = ::testing::TempDir() + "/fmnist-fused";
  const TpucResult with_host_preprocessing = compile(plain, 300);
  ASSERT_EQ(with_host_preprocessing.code, 0) << with_host_preprocessing.output;
  const TpucResult with_fused_preprocessing =
      compile(fused, 300,
              " --set 'inputs=[{name: image, shape: [1, 1, 28, 28], preprocess: {scale: "
              "0.00392156862745098, fuse: true}}]'");
  ASSERT_EQ(with_fused_preprocessing.code, 0) << with_fused_preprocessing.output;
  const auto validation = [](const std::string& dir) {
    return nlohmann::json::parse(read_file(dir + "/report.json")).at("validation");
  };
  EXPECT_EQ(validation(fused).at("float_accuracy"), validation(plain).at("float_accuracy"));
  EXPECT_TRUE(validation(fused).at("bit_exact").get<bool>());
  EXPECT_NE(read_file(fused + "/top.tpuir").find("weight_preprocessed"), std::string::npos);
}

// A chip without f16 arithmetic (the BM1684) runs an f16 model's layers on the host: the summary
// names every one with its reason, as report.json does.
TEST(Compile, TheSummaryNamesEveryHostLayerWithItsReason) {
  const std::string out = ::testing::TempDir() + "/fmnist-host-layers";
  const TpucResult r =
      compile(out, 20,
              " --set chip=" + source_path("configs/chips/bm1684.yaml") +
                  " --set quantization.policy=" + source_path("configs/quant/f16.yaml"));
  ASSERT_EQ(r.code, 0) << r.output;
  const nlohmann::json report = nlohmann::json::parse(read_file(out + "/report.json"));
  const nlohmann::json& host = report.at("chip").at("host_layers");
  ASSERT_GT(host.size(), 1u);
  for (const nlohmann::json& h : host)
    EXPECT_NE(
        r.output.find(h.at("name").get<std::string>() + ": " + h.at("reason").get<std::string>()),
        std::string::npos)
        << h << "\n"
        << r.output;
}

// The trained text examples judged by their tasks. The float figures are torch's, measured by the
// examples' train.py on the same validation images (textdet: P 0.9893, R 0.9840, F1 0.9867 on 96
// pages, 370 of 376 boxes found among 374; textrec: 243 of 256 words, character accuracy 0.9911),
// so they check the host reference and the metrics at once.
TEST(Compile, TextExamplesReportTheirTaskMetrics) {
  struct Case {
    const char* example;
    const char *first_figure, *second_figure;
    double float_first, float_second;
  };
  for (const Case& c :
       {Case{"textdet", "F1", "precision", 74000.0 / 750, 37000.0 / 374},
        Case{"textrec", "word accuracy", "character accuracy", 24300.0 / 256, 99.11}}) {
    SCOPED_TRACE(c.example);
    const std::string out = ::testing::TempDir() + "/" + c.example;
    std::filesystem::remove_all(out);
    const TpucResult r = run_tpuc(
        "compile --config " + source_path(std::string("examples/") + c.example + "/config.yaml") +
        " --set output_dir=" + out);
    ASSERT_EQ(r.code, 0) << r.output;
    const nlohmann::json v =
        nlohmann::json::parse(read_file(out + "/report.json")).at("validation");
    const nlohmann::json& m = v.at("metric");
    EXPECT_EQ(m.at("name"), c.first_figure);
    EXPECT_DOUBLE_EQ(m.at("float").at(c.first_figure).get<double>(), c.float_first);
    EXPECT_NEAR(m.at("float").at(c.second_figure).get<double>(), c.float_second, 0.006);
    EXPECT_EQ(m.at("int8_chip"), m.at("int8_host"));
    EXPECT_TRUE(v.at("bit_exact").get<bool>());
    EXPECT_NE(r.output.find(std::string(c.first_figure) + " drop"), std::string::npos) << r.output;
  }
}
