// `tpuc compare a.npz b.npz`: the tensors of two files against similarity tolerances.
#include <memory>

#include "cli/subcommands.h"

namespace tpuc::cli {

namespace {

struct CompareOptions {
  std::string reference, actual;
  CompareTolerance limits;
  std::vector<double> tolerance;  // --tolerance COSINE,EUCLIDEAN: both minimums at once
};

}  // namespace

void add_compare(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* compare = app.add_subcommand(
      "compare", "compare the tensors of two files (.npz, .npy, .pb, or a folder of output_N.pb)");
  compare->add_option("reference", options->reference)->required();
  compare->add_option("actual", options->actual)->required();
  CompareTolerance& limits = options->limits;
  compare->add_option("--cosine", limits.min_cosine, "minimum cosine similarity (default 0.99)");
  compare->add_option("--euclidean", limits.min_euclidean,
                      "minimum euclidean similarity (default 0.9)");
  auto* rtol = compare->add_option("--rtol", limits.rtol,
                                   "allclose instead: relative tolerance (default 1e-3)");
  auto* atol = compare->add_option("--atol", limits.atol,
                                   "allclose instead: absolute tolerance (default 1e-7)");
  compare
      ->add_option("--tolerance", options->tolerance,
                   "COSINE,EUCLIDEAN: both minimums at once (as tpu-mlir's npz_tool)")
      ->delimiter(',')
      ->expected(2)
      ->excludes("--cosine")
      ->excludes("--euclidean");
  rtol->excludes("--cosine")->excludes("--euclidean")->excludes("--tolerance");
  atol->excludes("--cosine")->excludes("--euclidean")->excludes("--tolerance");
  compare->callback([options, rtol, atol, &exit_code] {
    CompareOptions& o = *options;
    if (!o.tolerance.empty()) {
      o.limits.min_cosine = o.tolerance[0];
      o.limits.min_euclidean = o.tolerance[1];
    }
    o.limits.allclose = rtol->count() + atol->count() > 0;
    exit_code = compare_command(o.reference, o.actual, o.limits);
  });
}

}  // namespace tpuc::cli
