#include "passes/passes.h"

namespace tpuc::passes {

const std::vector<PassInfo>& all_passes() {
  static const std::vector<PassInfo> passes = {
      {"shape-inference",
       "types every value from its operator's shape inference",
       infer_shapes,
       {},
       false},
      {"fold-constants",
       "evaluates nodes whose inputs are all constants (and Shape of typed values) at compile time",
       fold_constants,
       {},
       false},
      {"canonicalize",
       "removes no-ops (Identity, Dropout, identity reshapes/casts/transposes), merges reshape and "
       "transpose chains",
       canonicalize,
       {},
       false},
      {"fold-batchnorm",
       "folds BatchNormalization into the Conv or Gemm before it",
       fold_batchnorm,
       {},
       true},
      {"fuse-activation",
       "fuses Relu, Clip(0, L) and LeakyRelu into the op before it (do_relu, relu_limit, "
       "leaky_alpha)",
       fuse_activation,
       {{"ops", OptionSpec::StringList, "producers Relu may fuse into (default: Conv, Gemm, Add)"}},
       false},
      {"fold-pad",
       "folds a zero Pad of H and W into the Conv or AveragePool that reads it",
       fold_pad,
       {},
       false},
      {"fuse-preprocess",
       "moves input preprocessing (x·scale − mean per channel) into the model, folded into the "
       "first Conv when exact",
       fuse_preprocess,
       {{"input", OptionSpec::String, "the graph input (default: the first)"},
        {"scale", OptionSpec::NumberList, "one value, or one per channel"},
        {"mean", OptionSpec::NumberList, "one value, or one per channel"}},
       true},
      {"recognize-patterns",
       "replaces the op sequences PyTorch exports for LayerNorm, Gelu, SiLU and HardSwish with one "
       "op",
       recognize_patterns,
       {},
       true},
      {"matmul-to-gemm",
       "a MatMul by a constant matrix (and the bias Add after it) becomes a Gemm",
       matmul_to_gemm,
       {},
       true},
      {"sink-transposes",
       "moves Transposes below the elementwise ops that read them, so pairs meet and cancel",
       sink_transposes,
       {},
       true},
      {"cse",
       "merges identical constants, then nodes with the same op, inputs and attributes",
       eliminate_common_subexpressions,
       {},
       false},
      {"dce",
       "removes nodes and constants no graph output depends on",
       eliminate_dead_code,
       {},
       false},
  };
  return passes;
}

}  // namespace tpuc::passes
