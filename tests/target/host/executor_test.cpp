// The host reference executor (target/host/executor.h): how it runs a graph's nodes, beyond what
// each op computes (tests/ops).
#include "target/host/executor.h"

#include <gtest/gtest.h>

#include "tests/support/host_ops.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

// Same-shaped layers share one compiled kernel; each must still use its own weights.
TEST(HostExecutor, SameShapedConvsShareCodeNotWeights) {
  const ConvCase k{{1, 16, 6, 6}, {32, 16, 3, 3}, 1, 1, 1, 1};
  const Tensor x = random_tensor<float>(DType::F32, k.x, -1, 1, 7);
  for (unsigned seed : {8u, 9u}) {
    const Tensor w = random_tensor<float>(DType::F32, k.w, -1, 1, seed),
                 b = random_tensor<float>(DType::F32, {k.w[0]}, -1, 1, seed);
    Shape shape;
    expect_near(run_node(conv_node(k), {x, w, b}, {false, true, true}),
                naive_conv(x, w, &b, k, shape));
  }
}
