// The tpuc command line: each subcommand declares its options in its own file (cli/subcommands.h)
// and calls the driver (driver/commands.h). The exit code: the subcommand's (0 success, 1 outside
// tolerance); 2 for a user error, printed as one line; 3 for an internal error, a bug in tpuc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/subcommands.h"
#include "ir/diagnostics.h"

int main(int argc, char** argv) {
  CLI::App app{"tpuc: an ONNX compiler for the SOPHGO BM1684X"};
  app.require_subcommand(1);
  int exit_code = 0;
  tpuc::cli::add_compile(app, exit_code);
  tpuc::cli::add_run(app, exit_code);
  tpuc::cli::add_disasm(app, exit_code);
  tpuc::cli::add_zoo(app, exit_code);
  tpuc::cli::add_schedule(app, exit_code);
  tpuc::cli::add_import(app, exit_code);
  tpuc::cli::add_calibrate(app, exit_code);
  tpuc::cli::add_compare_layers(app, exit_code);
  tpuc::cli::add_config(app, exit_code);
  tpuc::cli::add_compare(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tpuc::Error& e) {
    std::fprintf(stderr, "tpuc: error: %s\n", e.what());
    return 2;
  } catch (const tpuc::InternalError& e) {
    std::fprintf(stderr,
                 "tpuc: %s (a bug in tpuc: please report it with the command line, config and "
                 "model)\n",
                 e.what());
    return 3;
  } catch (const std::exception& e) {
    // A library's error (the file system, an allocation) that reached the top.
    std::fprintf(stderr, "tpuc: error: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
