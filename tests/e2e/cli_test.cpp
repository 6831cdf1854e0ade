// The tpuc executable as a user runs it: exit codes and the one-line errors for bad input.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "ir/files.h"
#include "ir/npz.h"
#include "tests/support/fmnist.h"
#include "tests/support/onnx_model.h"
#include "tests/support/source_tree.h"
#include "tests/support/tpuc_process.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

// A path in the test's temporary folder.
std::string temp(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).lexically_normal().string();
}

}  // namespace

TEST(Cli, TruncatedModel) {
  const std::string bytes = read_file(source_path("examples/fmnist/model.onnx"));
  write_file_atomic(temp("cut.onnx"), bytes.substr(0, bytes.size() / 2));
  const TpucResult r = run_tpuc("import " + temp("cut.onnx"));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output,
            "tpuc: error: " + temp("cut.onnx") +
                ": not a valid ONNX model (the protobuf does not parse; truncated or not ONNX?)\n");
}

// One config with a mistake of every kind: all are reported at once, each at its file:line:column,
// and the compile never starts.
TEST(Cli, ConfigMistakesAreAllReportedWithTheirLines) {
  const std::string cfg =
      "include: " + source_path("configs/targets/bm1684x-int8.yaml") +
      "\n"                           // 1
      "model: missing-model.onnx\n"  // 2: missing file
      "quantization:\n"              // 3
      "  calibraton: {count: 1}\n"   // 4: unknown key
      "validation:\n"                // 5
      "  dataset: {images: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}\n"
      "  count: many\n"                                  // 7: wrong type
      "  tolerance: {min_cosine: 2}\n"                   // 8: out of range
      "codegen: {layer_groups: sometimes, groups: 3}\n"  // 9: wrong type, unknown key
      "output_dir: broken\n";
  // In a folder of its own, not the source tree: relative paths resolve from the config's folder.
  const std::string path = temp("broken-config-test.yaml");
  write_file_atomic(path, cfg);
  const TpucResult r = run_tpuc("compile --config " + path);
  std::remove(path.c_str());
  EXPECT_EQ(r.code, 2);
  for (const std::string& expected : {
           path + ":2:8: file not found: " + temp("missing-model.onnx"),
           path + ":4:3: unknown key 'calibraton'; did you mean 'calibration'?",
           path + ":4:3: missing required key 'calibration'",  // quantization, merged with the
                                                               // fragment's
           path + ":7:10: 'count' must be an integer",
           path + ":8:27: 'min_cosine' must be in [-1, 1]",
           path + ":9:25: 'layer_groups' must be a boolean",
           path + ":9:36: unknown key 'groups'",
       })
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n--- in ---\n"
                                                          << r.output;
  EXPECT_FALSE(std::filesystem::exists(source_path("out/broken"))) << "the compile must not start";
}

TEST(Cli, InputSettingsAndOutputsAreChecked) {
  const std::string cfg = source_path("examples/fmnist/config.yaml");
  TpucResult r = run_tpuc(
      "compile --config " + cfg +
      " --set 'inputs=[{name: image, layout: nhwc, preprocess: {channel_order: grb, scale: 0}}]'");
  EXPECT_EQ(r.code, 2);
  const std::string set =
      "--set inputs=[{name: image, layout: nhwc, preprocess: {channel_order: grb, scale: 0}}]: ";
  for (const std::string& expected :
       {set + "'layout' must be one of: nchw", set + "'channel_order' must be one of: rgb, bgr",
        set + "'scale' must not be 0"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n--- in ---\n"
                                                          << r.output;
  r = run_tpuc("compile --config " + cfg +
               " --set 'outputs=[logits, nowhere]' --set output_dir=" + temp("outputs"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find(
                "--set outputs=[logits, nowhere]: outputs: 'nowhere' is not a value of the model"),
            std::string::npos)
      << r.output;
}

// A task metric's settings are checked with the config, each mistake at its place.
TEST(Cli, MetricSettingsAreChecked) {
  const std::string cfg = source_path("examples/textrec/config.yaml");
  const std::string metric = "validation.metric={kind: ctc, alphabet: '', blank: 2, iou: 1}";
  const TpucResult r = run_tpuc("compile --config " + cfg + " --set \"" + metric +
                                "\" --set 'validation.metric.kind=mAP'");
  EXPECT_EQ(r.code, 2);
  for (const std::string& expected :
       {"--set validation.metric.kind=mAP: 'kind' must be one of: top1, text_detection, ctc"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n--- in ---\n"
                                                          << r.output;
  const TpucResult ctc = run_tpuc("compile --config " + cfg + " --set \"" + metric + "\"");
  EXPECT_EQ(ctc.code, 2);
  for (const std::string& expected : {"unknown key 'iou'", "a ctc metric needs its 'alphabet'",
                                      "'blank' must be a class: 0 to the alphabet's length"})
    EXPECT_NE(ctc.output.find(expected), std::string::npos) << expected << "\n--- in ---\n"
                                                            << ctc.output;
}

// A calibration table is reused while the graph, data and method stay the same.
TEST(Cli, CalibrateReusesItsTable) {
  const std::string out = temp("calibrate"),
                    base = "calibrate --config " + source_path("examples/fmnist/config.yaml") +
                           " --set output_dir=" + out + " --set quantization.calibration.count=20";
  std::filesystem::remove_all(out);
  TpucResult r = run_tpuc(base);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("reusing"), std::string::npos) << r.output;
  const std::string first = read_file(out + "/calibration.txt");
  r = run_tpuc(base);
  EXPECT_NE(r.output.find("reusing"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(out + "/calibration.txt"), first);
  r = run_tpuc(base +
               " --set quantization.calibration.method=percentile --set "
               "quantization.calibration.percentile=99");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("reusing"), std::string::npos) << r.output;
  EXPECT_NE(read_file(out + "/calibration.txt"), first);
}

// compare-layers lists the quantized graph's values in order and marks the first below tolerance.
TEST(Cli, CompareLayersMarksTheFirstValueBelowTolerance) {
  Tensor image(TensorType{DType::F32, {1, 1, 28, 28}, std::nullopt});
  for (int64_t i = 0; i < image.size(); ++i) image.as<float>()[i] = float(i % 17) / 17.0f;
  write_npz(temp("layers-in.npz"), {{"image", image}});
  const std::string out = temp("layers"),
                    base = "compare-layers --config " + source_path("examples/fmnist/config.yaml") +
                           " --set output_dir=" + out +
                           " --set quantization.calibration.count=20 --input " +
                           temp("layers-in.npz");
  TpucResult r = run_tpuc(base + " --cosine 0");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("every value is within cosine 0.0000"), std::string::npos) << r.output;
  r = run_tpuc(base + " --cosine 1.5");  // nothing can reach it: the first value is the first below
  EXPECT_EQ(r.code, 1) << r.output;
  const size_t first_row =
      r.output.find('\n', r.output.find("value ")) + 1;  // after the table's header
  EXPECT_NE(r.output.substr(first_row, r.output.find('\n', first_row) - first_row)
                .find("<- first below tolerance"),
            std::string::npos)
      << r.output;
  const nlohmann::json layers = nlohmann::json::parse(read_file(out + "/report.json")).at("layers");
  // The input's rows stacked (stack-kernel-rows), conv, pool, conv, pool, flatten, gemm, logits.
  EXPECT_EQ(layers.at("values").size(), 8u);
  EXPECT_EQ(layers.at("first_below"), layers.at("values")[0].at("value"));
  // A lone .npy array, whatever its name, is the one input (as `tpuc run` takes it).
  write_npy(temp("layers-picture.npy"), image);
  r = run_tpuc("compare-layers --config " + source_path("examples/fmnist/config.yaml") +
               " --set output_dir=" + out + " --set quantization.calibration.count=20 --input " +
               temp("layers-picture.npy") + " --cosine 0");
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST(Cli, ConfigShowNamesTheOriginOfEveryValue) {
  const TpucResult r =
      run_tpuc("config show --config " + source_path("examples/fmnist/config.yaml") +
               " --set validation.count=7");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("count: 7"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("# --set validation.count=7"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("# " + source_path("configs/targets/bm1684x-int8.yaml") + ":4"),
            std::string::npos)
      << r.output;
}

TEST(Cli, MissingConfig) {
  const TpucResult r = run_tpuc("compile --config /nonexistent.yaml");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output, "tpuc: error: /nonexistent.yaml: cannot open file\n");
}

TEST(Cli, InputOfTheWrongShape) {
  std::filesystem::remove(temp("y.npz"));  // no earlier run's file may pass the last check
  write_npz(temp("wrong.npz"),
            {{"image", Tensor(TensorType{DType::F32, {1, 1, 28, 27}, std::nullopt})}});
  const TpucResult r = run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " +
                                temp("wrong.npz") + " --output " + temp("y.npz"));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output, "tpuc: error: " + temp("wrong.npz") +
                          "[image]: is f32[1x1x28x27], the model expects f32[1,1,28,28]\n");
  std::ifstream out(temp("y.npz"));
  EXPECT_FALSE(out.good());  // nothing half-written
}

// A .npy holds one array: for a model of one input it is that input, whatever the file's name.
TEST(Cli, RunTakesALoneArrayAsTheOneInput) {
  const TensorType image{DType::F32, {1, 1, 28, 28}, std::nullopt};
  write_npy(temp("picture.npy"), fmnist_test_images(image, 1).images.at(0));
  const TpucResult r = run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " +
                                temp("picture.npy") + " --output " + temp("lone.npz"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(read_tensors(temp("lone.npz")).at("logits").type.shape, (Shape{1, 10}));
}

TEST(Cli, CompareExitCodes) {
  Tensor a = make_tensor<float>(DType::F32, {4}, {1, 2, 3, 4});
  Tensor b = make_tensor<float>(DType::F32, {4}, {-1, 2, -3, 4});
  write_npz(temp("a.npz"), {{"t", a}});
  write_npz(temp("b.npz"), {{"t", b}});
  EXPECT_EQ(run_tpuc("compare " + temp("a.npz") + " " + temp("a.npz")).code, 0);
  const TpucResult r = run_tpuc("compare " + temp("a.npz") + " " + temp("b.npz"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("0.333333"), std::string::npos) << r.output;  // cosine = (−1+4−9+16)/30
  // --tolerance COSINE,EUCLIDEAN: cosine 1/3 passes 0.3; euclidean 1 - |a-b| / |(a+b)/2| = 1 -
  // sqrt(40/20) fails 0
  EXPECT_EQ(run_tpuc("compare " + temp("a.npz") + " " + temp("b.npz") + " --tolerance 0.3,-1").code,
            0);
  EXPECT_EQ(run_tpuc("compare " + temp("a.npz") + " " + temp("b.npz") + " --tolerance 0.3,0").code,
            1);
  EXPECT_EQ(run_tpuc("compare " + temp("a.npz") + " " + temp("b.npz") + " --tolerance 0.3").code,
            114);  // CLI11: too few values
}

// allclose: |a − r| ≤ atol + rtol·|r| elementwise, as ONNX's backend tests compare.
TEST(Cli, CompareAllClose) {
  write_npz(temp("r.npz"), {{"t", make_tensor<float>(DType::F32, {2}, {100, 1})}});
  write_npz(temp("near.npz"), {{"t", make_tensor<float>(DType::F32, {2}, {100.05f, 1})}});
  const std::string files = temp("r.npz") + " " + temp("near.npz");
  EXPECT_EQ(run_tpuc("compare " + files + " --rtol 1e-3 --atol 0").code, 0);  // 0.05 ≤ 0.1
  EXPECT_EQ(run_tpuc("compare " + files + " --rtol 1e-4 --atol 0").code, 1);  // 0.05 > 0.01
  EXPECT_EQ(run_tpuc("compare " + files + " --rtol 0 --atol 0.06").code, 0);
}

// An ONNX test case as a user runs it: the model, its test_data_set_0 folder of input_N.pb as
// the input (its `shape` input fixes the Reshape's result: bound, and said), then compared with
// the folder's output_N.pb.
TEST(Cli, RunsAnOnnxTestCaseWhoseInputFixesAShape) {
  const std::string dir = "/usr/share/libonnx-testdata/data/node/test_reshape_extended_dims/";
  TpucResult r = run_tpuc("run " + dir + "model.onnx --input " + dir + "test_data_set_0 --output " +
                          temp("reshaped.npz"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("input 'shape' fixes a shape: bound to its value"), std::string::npos)
      << r.output;
  r = run_tpuc("compare " + dir + "test_data_set_0 " + temp("reshaped.npz") +
               " --rtol 1e-3 --atol 1e-7");
  EXPECT_EQ(r.code, 0) << r.output;
}

// A node the importer takes but no op form fits is refused in one line naming the model, its
// opset, the node and the op.
TEST(Cli, ARefusedNodeNamesTheModelOpsetNodeAndOp) {
  onnx::NodeProto pool = onnx_node("MaxPool", "pool4d", {"x"}, "y");
  onnx::AttributeProto* kernel = pool.add_attribute();
  kernel->set_name("kernel_shape");
  kernel->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) kernel->add_ints(2);
  write_onnx_model(temp("pool4d.onnx"), "x", {1, 1, 2, 2, 2, 2}, {pool}, 11);
  write_npz(
      temp("pool4d_in.npz"),
      {{"x", make_tensor<float>(DType::F32, {1, 1, 2, 2, 2, 2}, std::vector<float>(16, 1.0f))}});
  const TpucResult r = run_tpuc("run " + temp("pool4d.onnx") + " --input " + temp("pool4d_in.npz") +
                                " --output " + temp("pool4d_out.npz"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("pool4d.onnx (opset 11): node 'pool4d' (MaxPool): only 2-D and 3-D "
                          "pooling"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(temp("pool4d_out.npz")));
}

// NumPy's default float64 for a float32 model: computed as float32, and said.
TEST(Cli, AFloat64InputOfAFloat32ModelIsNarrowed) {
  write_onnx_model(temp("relu.onnx"), "x", {1, 4}, {onnx_node("Relu", "relu", {"x"}, "y")});
  write_npz(temp("doubles.npz"),
            {{"x", make_tensor<double>(DType::F64, {1, 4}, {1.5, -1, 2.25, -2})}});
  const TpucResult r = run_tpuc("run " + temp("relu.onnx") + " --input " + temp("doubles.npz") +
                                " --output " + temp("relu_out.npz"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("input 'x' is f64"), std::string::npos) << r.output;
  const Tensor y = read_tensors(temp("relu_out.npz")).at("y");
  EXPECT_EQ(y.type.dtype, DType::F32);
  EXPECT_EQ(y.at(2), 2.25);
}

// A symbolic batch takes the given array's shape when no --input-shape says otherwise.
TEST(Cli, ASymbolicDimensionTakesTheGivenShape) {
  write_onnx_model(temp("batch.onnx"), "x", {-1, 4}, {onnx_node("Relu", "relu", {"x"}, "y")}, 13,
                   "batch");
  write_npz(temp("batch_in.npz"),
            {{"x", make_tensor<float>(DType::F32, {2, 4}, {1, -1, 2, -2, 3, -3, 4, -4})}});
  const TpucResult r = run_tpuc("run " + temp("batch.onnx") + " --input " + temp("batch_in.npz") +
                                " --output " + temp("batch_out.npz"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("input 'x' has a symbolic dimension: shape 2x4"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_tensors(temp("batch_out.npz")).at("y").at(6), 4);
}

// The first Fashion-MNIST test image, prepared as the example's config prepares it, is classified
// as its label in the data set (class 9, ankle boot), not only given logits of the right shape.
TEST(Cli, RunMatchesTheTrainedModelOnOneImage) {
  const TensorType image{DType::F32, {1, 1, 28, 28}, std::nullopt};
  const Dataset first = fmnist_test_images(image, 1);
  ASSERT_EQ(first.labels.size(), 1u);
  write_npz(temp("first-test-image.npz"), {{"image", first.images[0]}});
  const TpucResult r = run_tpuc("run " + source_path("examples/fmnist/model.onnx") + " --input " +
                                temp("first-test-image.npz") + " --output " + temp("logits.npz"));
  ASSERT_EQ(r.code, 0) << r.output;
  const Tensor logits = read_tensors(temp("logits.npz")).at("logits");
  ASSERT_EQ(logits.type.shape, (Shape{1, 10}));
  int64_t best = 0;
  for (int64_t k = 1; k < logits.size(); ++k) {
    if (logits.at(k) > logits.at(best)) best = k;
  }
  EXPECT_EQ(best, first.labels[0].cls);
}

namespace {

// The N of "N of N cases bit-exact ... on bm1684x (...); 0 host layers": every case of a
// `schedule check --op` on the chip and bit-exact; -1 when the summary says otherwise.
int all_cases_bit_exact(const std::string& output) {
  std::smatch m;
  const std::regex summary(R"((\d+) of \1 cases bit-exact against the host reference on bm1684x )"
                           R"(\(\d+ random samples each\); 0 host layers\n)");
  return std::regex_search(output, m, summary) ? std::stoi(m[1]) : -1;
}

}  // namespace

// Without --shape, `schedule check --op` sweeps the op's table of edge-case shapes, each compiled
// alone and compared with the host int8 reference.
TEST(Cli, ScheduleCheckSweepsConv) {
  const TpucResult r = run_tpuc("schedule check --op conv2d");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_GT(all_cases_bit_exact(r.output), 3) << r.output;
  EXPECT_NE(r.output.find("group=96"), std::string::npos) << "depthwise is a case\n" << r.output;
}

TEST(Cli, ScheduleCheckSweepsMaxPool) {
  const TpucResult r = run_tpuc("schedule check --op maxpool --samples 2");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_GT(all_cases_bit_exact(r.output), 3) << r.output;
}

TEST(Cli, ScheduleCheckSweepsGemm) {
  const TpucResult r = run_tpuc("schedule check --op gemm");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_GT(all_cases_bit_exact(r.output), 2) << r.output;
}

// One shape of one op: a layer the chip runs on the host is reported as such, not as a failure.
TEST(Cli, ScheduleCheckOneShape) {
  TpucResult r = run_tpuc("schedule check --op Gemm --shape 2x48 --attr out_features=80");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(all_cases_bit_exact(r.output), 1) << r.output;
  r = run_tpuc("schedule check --op conv2d --dtype f16 --shape 1x8x9x9");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("1x8x9x9                "), std::string::npos) << r.output;
  EXPECT_EQ(all_cases_bit_exact(r.output), 1) << r.output;
  r = run_tpuc("schedule check --op Cos --dtype f32 --shape 2x70");  // no chip form: a host layer,
                                                                     // not a failure
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("host layer: no bm1684x schedule for Cos"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("0 of 0 cases bit-exact against the host reference on bm1684x (3 random "
                          "samples each); 1 host layers\n"),
            std::string::npos)
      << r.output;
}

// The commands are listed as the generator made them (isa.h command_text), one line each.
TEST(Cli, ScheduleShowOfASyntheticLayer) {
  const TpucResult r = run_tpuc(
      "schedule show --op conv2d --shape 1x16x9x9 --attr out_channels=32 --attr strides=2,2 "
      "pads=1,1,1,1");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* part :
       {"node Conv (Conv), 5 output rows per tile",
        "local memory (per lane):", " B  L_Conv_in0_lmem", " B  acc", "(view)  pad",
        "lowered loops:", "CONV", "pad 1,1,1,1", "REQUANT", "simulated on bm1684x"})
    EXPECT_NE(r.output.find(part), std::string::npos) << part << "\n--- in ---\n" << r.output;
}

// Bad input names the option in one line, exit code 2, and nothing runs.
TEST(Cli, ScheduleOptionsAreChecked) {
  const std::pair<const char*, const char*> cases[] = {
      {"check --op conv3x",
       "--op 'conv3x': not an ONNX operator tpuc imports (e.g. Conv, MaxPool, Gemm, Add, MatMul, "
       "Softmax; aliases conv2d, maxpool2d, linear, gap)"},
      {"check --op conv2d --shape 1x8xx8", "--shape '1x8xx8': '' is not a dimension"},
      {"show --op conv2d --shape 1x8x8x8 --attr pads",
       "--attr 'pads': expected key=value, e.g. pads=1,1,1,1"},
      {"show --op conv2d --shape 1x8x8x8 --attr strides=2,two",
       "--attr 'strides=2,two': 'two' is not a number"},
      {"check --op conv2d --shape 1x8x8x8 --dtype f64",
       "--dtype 'f64': expected int8, f16, bf16 or f32"},
      {"check --op conv2d --shape 1x8x8x8 --attr kernel_shape=9,9",
       "--op Conv --shape 1x8x8x8 --dtype int8 --attr kernel_shape=9,9: node 'Conv' (Conv): the "
       "window is larger than the padded input"},
      {"check --op maxpool --shape 1x8x8x8 --attr out_channels=4",
       "--op MaxPool --shape 1x8x8x8 --dtype int8 --attr out_channels=4: out_channels sizes the "
       "weights of Conv (out_channels), Gemm and MatMul (out_features); MaxPool has none"},
      {"check --op cos",
       "--op Cos: no built-in shapes to sweep (there are for Abs, Add, Conv, DepthToSpace, Equal, "
       "Erf, Exp, Expand, Floor, Gemm, GlobalAveragePool, Greater, GreaterOrEqual, HardSigmoid, "
       "HardSwish, LeakyRelu, Less, LessOrEqual, Log, MatMul, MaxPool, Neg, Reciprocal, Relu, "
       "Sigmoid, Softmax, Softplus, "
       "Sqrt, Tanh, Tile, Transpose, Where); give --shape"},
      {"show --op conv2d",
       "--shape: show compiles one shape of --op conv2d, e.g. --shape 1x64x56x56"},
      {"check",
       "--graph or --op: give a quantized graph (--graph tpu.tpuir --node NAME) or an operator "
       "(--op conv2d ...)"},
      {"show --graph tpu.tpuir --op conv2d",
       "--graph and --op exclude each other: a layer of a quantized graph, or a synthetic layer"},
      {"check --graph tpu.tpuir --shape 1x8",
       "--shape, --dtype and --attr describe a synthetic layer: they go with --op, not --graph"},
  };
  for (const auto& [args, error] : cases) {
    const TpucResult r = run_tpuc(std::string("schedule ") + args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_EQ(r.output, std::string("tpuc: error: ") + error + "\n") << args;
  }
}
