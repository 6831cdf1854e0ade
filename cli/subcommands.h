// The tpuc subcommands, one file each (cli/<name>.cpp): each adds its subcommand to the app with
// its options, help texts and a callback that runs it and sets `exit_code` (driver/commands.h).
// main.cpp adds them in the order `tpuc --help` lists them. CLI11 writes parsed values into
// variables bound when the options are added: each subcommand keeps them in a shared_ptr its
// callbacks hold, so they live as long as the app.
#pragma once
#include <CLI/CLI.hpp>

#include "driver/commands.h"

namespace tpuc::cli {

void add_compile(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_disasm(CLI::App& app, int& exit_code);
void add_zoo(CLI::App& app, int& exit_code);
void add_schedule(CLI::App& app, int& exit_code);  // schedule show, schedule check
void add_import(CLI::App& app, int& exit_code);
void add_calibrate(CLI::App& app, int& exit_code);
void add_compare_layers(CLI::App& app, int& exit_code);
void add_config(CLI::App& app, int& exit_code);  // config show
void add_compare(CLI::App& app, int& exit_code);

// Options several subcommands share (cli/shared_options.cpp).
// --config and --set: the compile configuration and overrides of its keys.
void add_config_options(CLI::App& subcommand, CompileOptions& options);
// --input-shape: sizes for an ONNX model's symbolic input dimensions.
void add_input_shape_option(CLI::App& subcommand, std::vector<std::string>& input_shapes);

}  // namespace tpuc::cli
