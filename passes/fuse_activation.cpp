// fuse-activation: a Relu whose input comes from a Conv, Gemm or Add (option `ops`) with no other
// reader becomes that op's `do_relu = 1` (docs/quantization.md), and the Relu disappears. On the
// chip the relu then costs nothing: it is a flag of the producing command.
#include <algorithm>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

void fuse_activation(Graph& g, const PassOptions& options) {
  const std::vector<std::string> ops = options.strings("ops", {"Conv", "Gemm", "Add"});
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& relu = g.nodes[i];
    const Node* producer = relu.op == "Relu" ? g.producer(relu.inputs[0]) : nullptr;
    if (!producer || std::find(ops.begin(), ops.end(), producer->op) == ops.end() || producer->i("do_relu", 0) ||
        producer->outputs.size() != 1 || use_count(g, relu.inputs[0]) != 1) {
      ++i;
      continue;
    }
    const size_t p = size_t(producer - g.nodes.data());
    g.nodes[p].attrs["do_relu"] = int64_t{1};
    absorb_consumer(g, p, i);
  }
}

}  // namespace tpuc::passes
