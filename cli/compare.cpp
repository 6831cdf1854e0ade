// `tpuc compare a.npz b.npz`: the tensors of two files against similarity tolerances.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

struct CompareOptions {
  std::string reference, actual;
  double min_cosine = 0.99, min_euclidean = 0.9;
  std::vector<double> tolerance;  // --tolerance COSINE,EUCLIDEAN: both minimums at once
};

}  // namespace

void add_compare(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* compare = app.add_subcommand("compare", "compare the tensors of two .npz files");
  compare->add_option("reference", options->reference)->required();
  compare->add_option("actual", options->actual)->required();
  compare->add_option("--cosine", options->min_cosine, "minimum cosine similarity (default 0.99)");
  compare->add_option("--euclidean", options->min_euclidean,
                      "minimum euclidean similarity (default 0.9)");
  compare
      ->add_option("--tolerance", options->tolerance,
                   "COSINE,EUCLIDEAN: both minimums at once (as tpu-mlir's npz_tool)")
      ->delimiter(',')
      ->expected(2)
      ->excludes("--cosine")
      ->excludes("--euclidean");
  compare->callback([options, &exit_code] {
    CompareOptions& o = *options;
    if (!o.tolerance.empty()) {
      o.min_cosine = o.tolerance[0];
      o.min_euclidean = o.tolerance[1];
    }
    exit_code = compare_command(o.reference, o.actual, o.min_cosine, o.min_euclidean);
  });
}

}  // namespace tpuc::cli
