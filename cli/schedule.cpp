// `tpuc schedule show|check`: one layer's BM1684X schedule, of a quantized graph or a synthetic
// layer of one operator (driver/schedule.cpp).
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

// The layer: one of a quantized graph, or a synthetic one of a single operator.
void add_layer_options(CLI::App& sub, ScheduleOptions& layer, const char* node_help) {
  sub.add_option("--graph", layer.graph, "a quantized graph (.tpuir, e.g. a compile's tpu.tpuir)");
  sub.add_option("--node", layer.node, node_help);
  sub.add_option("--op", layer.op,
                 "instead of --graph: a layer of this ONNX operator (Conv, MaxPool, Gemm, Add, "
                 "...; conv2d, linear)");
  sub.add_option("--shape", layer.shape, "with --op: the input's shape, e.g. 1x64x56x56");
  sub.add_option("--dtype", layer.dtype, "with --op: int8 (default), f16, bf16 or f32");
  sub.add_option("--attr", layer.attrs,
                 "with --op: an attribute key=value (kernel_shape=3,3 pads=1,1,1,1 strides=2,2 "
                 "group=N; out_channels=N for Conv, out_features=N for Gemm and MatMul)");
  sub.add_option("--chip", layer.chip, "chip description (default: " TPUC_DEFAULT_CHIP ")");
}

}  // namespace

void add_schedule(CLI::App& app, int& exit_code) {
  auto layer = std::make_shared<ScheduleOptions>();
  layer->chip = TPUC_DEFAULT_CHIP;
  layer->configs = TPUC_CONFIG_DIR;
  CLI::App* schedule = app.add_subcommand(
      "schedule", "a layer's BM1684X schedule: show it, or check it against the host reference");
  schedule->require_subcommand(1);

  CLI::App* show = schedule->add_subcommand(
      "show", "one layer compiled alone: tile, LMEM map, loops, commands, cycles");
  add_layer_options(*show, *layer, "the layer's node name");
  show->callback([layer, &exit_code] { exit_code = schedule_show_command(*layer); });

  CLI::App* check = schedule->add_subcommand(
      "check",
      "layers compiled alone, simulator against host reference on random inputs: every layer of "
      "--graph (or --node), or --op at --shape (without it: a sweep of edge-case shapes)");
  add_layer_options(*check, *layer, "only this layer");
  check->add_option("--samples", layer->samples, "random inputs per layer (default 3)")
      ->check(CLI::Range(1, 1000));
  check->callback([layer, &exit_code] { exit_code = schedule_check_command(*layer); });
}

}  // namespace tpuc::cli
