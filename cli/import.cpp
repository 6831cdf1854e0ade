// `tpuc import model.onnx [-o top.tpuir]`: the imported graph as .tpuir text.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

struct ImportOptions {
  std::string model, output;
  std::vector<std::string> input_shapes;
};

}  // namespace

void add_import(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* import =
      app.add_subcommand("import", "import an ONNX model and print (or write) its .tpuir");
  import->add_option("model", options->model, ".onnx")->required();
  import->add_option("-o,--output", options->output, "the .tpuir to write (default: stdout)");
  add_input_shape_option(*import, options->input_shapes);
  import->callback([options, &exit_code] {
    exit_code = import_command(options->model, options->output, options->input_shapes);
});
}  // namespace tpuc::cli

}  // namespace tpuc::cli
