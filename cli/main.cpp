// The tpuc command line: parses arguments with CLI11 and calls the subcommand functions in
// cli/commands.h. Every user error is one line on stderr and exit code 2.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>

#include "driver/commands.h"
#include "driver/config.h"
#include "ir/diagnostics.h"

int main(int argc, char** argv) {
  CLI::App app{"tpuc: an ONNX compiler for the SOPHGO BM1684X"};
  app.require_subcommand(1);
  int code = 0;

  tpuc::CompileOptions compile;
  CLI::App* c =
      app.add_subcommand("compile", "import, optimize, calibrate, quantize and validate a model");
  c->add_option("--config", compile.config, "the compile configuration (YAML)")->required();
  c->add_option("--set", compile.overrides, "override a config key: key.path=value");
  c->add_option("--dump-ir-after", compile.dump_after,
                "write the graph after these passes (or 'all')");
  c->add_option("--dump-ir-before", compile.dump_before,
                "write the graph before these passes (or 'all')");
  c->add_flag("--time-passes", compile.time_passes, "print the time of every pass");
  c->callback([&] { code = tpuc::compile_command(compile); });

  std::string model, input, output, reference, actual, chip = TPUC_DEFAULT_CHIP;
  std::vector<std::string> shapes;
  CLI::App* r = app.add_subcommand(
      "run", "run a model: .onnx/.tpuir on the host reference, .tpumodel on the simulator");
  r->add_option("model", model, ".onnx, .tpuir or .tpumodel")->required();
  r->add_option("--chip", chip, "chip description for .tpumodel (default: " TPUC_DEFAULT_CHIP ")");
  r->add_option("--input", input, "inputs (.npz or .npy)")->required();
  r->add_option("--output", output, "outputs (.npz)")->required();
  r->add_option("--input-shape", shapes, "name:1x3x224x224 for symbolic input dimensions");
  std::string trace;
  r->add_option("--trace", trace,
                ".tpumodel: write the simulated timeline as a Chrome trace (opens in Perfetto)");
  r->callback([&] { code = tpuc::run_command(model, input, output, chip, shapes, trace); });

  CLI::App* d = app.add_subcommand("disasm", "print the command streams of a .tpumodel");
  d->add_option("model", model, ".tpumodel")->required();
  d->callback([&] { code = tpuc::disasm_command(model); });

  tpuc::ZooOptions zoo;
  CLI::App* z = app.add_subcommand(
      "zoo",
      "convert every model of a manifest, each in its own process; a summary table and zoo.json");
  z->add_option("--manifest", zoo.manifest, "the zoo manifest (YAML, docs/zoo.md)")->required();
  z->add_option("-j,--jobs", zoo.jobs, "models converted at once (default 1)");
  z->add_option("--only", zoo.only, "convert only the model of this name");
  z->add_flag(
      "--resume", zoo.resume,
      "skip models whose compiler, config, model and data are unchanged since their last run");
  z->add_flag("--emit-ninja", zoo.emit_ninja,
              "write <output_dir>/build.ninja: `ninja -C <output_dir>` reconverts what changed");
  z->callback([&] { code = tpuc::zoo_command(zoo); });

  CLI::App* sched = app.add_subcommand(
      "schedule", "a layer's BM1684X schedule: show it, or check it against the host reference");
  sched->require_subcommand(1);
  tpuc::ScheduleOptions layer;
  layer.chip = TPUC_DEFAULT_CHIP;
  layer.configs = TPUC_CONFIG_DIR;
  // The layer: one of a quantized graph, or a synthetic one of a single operator.
  auto add_layer_options = [&](CLI::App* sub, const char* node_help) {
    sub->add_option("--graph", layer.graph,
                    "a quantized graph (.tpuir, e.g. a compile's tpu.tpuir)");
    sub->add_option("--node", layer.node, node_help);
    sub->add_option("--op", layer.op,
                    "instead of --graph: a layer of this ONNX operator (Conv, MaxPool, Gemm, Add, "
                    "...; conv2d, linear)");
    sub->add_option("--shape", layer.shape, "with --op: the input's shape, e.g. 1x64x56x56");
    sub->add_option("--dtype", layer.dtype, "with --op: int8 (default), f16, bf16 or f32");
    sub->add_option("--attr", layer.attrs,
                    "with --op: an attribute key=value (kernel_shape=3,3 pads=1,1,1,1 strides=2,2 "
                    "group=N; out_channels=N for Conv, out_features=N for Gemm and MatMul)");
    sub->add_option("--chip", layer.chip, "chip description (default: " TPUC_DEFAULT_CHIP ")");
  };
  CLI::App* sched_show = sched->add_subcommand(
      "show", "one layer compiled alone: tile, LMEM map, loops, commands, cycles");
  add_layer_options(sched_show, "the layer's node name");
  sched_show->callback([&] { code = tpuc::schedule_show_command(layer); });
  CLI::App* check = sched->add_subcommand(
      "check",
      "layers compiled alone, simulator against host reference on random inputs: every layer of "
      "--graph (or --node), or --op at --shape (without it: a sweep of edge-case shapes)");
  add_layer_options(check, "only this layer");
  check->add_option("--samples", layer.samples, "random inputs per layer (default 3)")
      ->check(CLI::Range(1, 1000));
  check->callback([&] { code = tpuc::schedule_check_command(layer); });

  CLI::App* i =
      app.add_subcommand("import", "import an ONNX model and print (or write) its .tpuir");
  i->add_option("model", model, ".onnx")->required();
  i->add_option("-o,--output", output, "the .tpuir to write (default: stdout)");
  i->add_option("--input-shape", shapes, "name:1x3x224x224 for symbolic input dimensions");
  i->callback([&] { code = tpuc::import_command(model, output, shapes); });

  CLI::App* cal = app.add_subcommand(
      "calibrate", "import, optimize and calibrate: write calibration.txt to the output folder");
  cal->add_option("--config", compile.config, "the compile configuration (YAML)")->required();
  cal->add_option("--set", compile.overrides, "override a config key: key.path=value");
  cal->callback([&] { code = tpuc::calibrate_command(compile); });

  std::string layers_input;
  double layers_cosine = std::nan("");
  CLI::App* layers = app.add_subcommand(
      "compare-layers",
      "float vs quantized graph value by value on one input; marks the first below tolerance");
  layers->add_option("--config", compile.config, "the compile configuration (YAML)")->required();
  layers->add_option("--set", compile.overrides, "override a config key: key.path=value");
  layers->add_option("--input", layers_input, "the input (.npz or .npy)")->required();
  layers->add_option("--cosine", layers_cosine,
                     "minimum cosine (default: the config's validation tolerance)");
  layers->callback(
      [&] { code = tpuc::compare_layers_command(compile, layers_input, layers_cosine); });

  CLI::App* cfg = app.add_subcommand("config", "inspect compile configurations");
  cfg->require_subcommand(1);
  CLI::App* show = cfg->add_subcommand(
      "show", "print the resolved config, each value with the file and line it came from");
  show->add_option("--config", compile.config, "the compile configuration (YAML)")->required();
  show->add_option("--set", compile.overrides, "override a config key: key.path=value");
  show->callback([&] {
    std::fputs(tpuc::show_config(compile.config, compile.overrides).c_str(), stdout);
    code = 0;
  });

  double min_cos = 0.99, min_euclid = 0.9;
  CLI::App* cmp = app.add_subcommand("compare", "compare the tensors of two .npz files");
  cmp->add_option("reference", reference)->required();
  cmp->add_option("actual", actual)->required();
  cmp->add_option("--cosine", min_cos, "minimum cosine similarity (default 0.99)");
  cmp->add_option("--euclidean", min_euclid, "minimum euclidean similarity (default 0.9)");
  std::vector<double> tolerance;
  cmp->add_option("--tolerance", tolerance,
                  "COSINE,EUCLIDEAN: both minimums at once (as tpu-mlir's npz_tool)")
      ->delimiter(',')
      ->expected(2)
      ->excludes("--cosine")
      ->excludes("--euclidean");
  cmp->callback([&] {
    if (!tolerance.empty()) std::tie(min_cos, min_euclid) = std::pair{tolerance[0], tolerance[1]};
    code = tpuc::compare_command(reference, actual, min_cos, min_euclid);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tpuc::Error& e) {
    std::fprintf(stderr, "tpuc: error: %s\n", e.what());
    return 2;
  } catch (const tpuc::InternalError& e) {
    std::fprintf(stderr,
                 "tpuc: %s (a bug in tpuc: please report it with the command line, config "
                 "and model)\n",
                 e.what());
    return 3;
  } catch (
      const std::exception& e) {  // a library's error (file system, allocation) reached the top
    std::fprintf(stderr, "tpuc: error: %s\n", e.what());
    return 2;
  }
  return code;
}
