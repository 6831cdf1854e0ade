#include "tests/support/host_ops.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/op.h"
#include "target/host/executor.h"

namespace tpuc::testing {

Tensor run_node(Node n, std::vector<Tensor> inputs, std::vector<bool> constant,
                std::optional<QuantParams> out_quant) {
  Graph g;
  g.name = "test";
  TensorMap feed;
  std::vector<ops::InferInput> infer;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name(1, char('a' + i));
    n.inputs.push_back(name);
    if (i < constant.size() && constant[i]) {
      g.constants[name] = inputs[i];
    } else {
      g.inputs.push_back(name);
      g.types[name] = inputs[i].type;
      feed[name] = inputs[i];
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor* value = g.is_constant(n.inputs[i]) ? &g.constants[n.inputs[i]] : nullptr;
    infer.push_back({&inputs[i].type, value});
  }
  TensorType out = ops::find_op(n.op)->infer(n, infer).at(0);
  if (out_quant) out.quant = out_quant;
  n.outputs = {"y"};
  n.name = n.op;
  g.types["y"] = out;
  g.outputs = {"y"};
  g.nodes.push_back(n);
  return host::Executor(g).run(feed).at("y");
}

void expect_near(const Tensor& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.at(int64_t(i)), want[i], tol * (1 + std::fabs(want[i]))) << "element " << i;
}

Node conv_node(const ConvCase& k) {
  Node n{"Conv", "", {}, {}, {}};
  n.attrs["strides"] = std::vector<int64_t>{k.stride, k.stride};
  n.attrs["pads"] = std::vector<int64_t>{k.pad, k.pad, k.pad, k.pad};
  n.attrs["dilations"] = std::vector<int64_t>{k.dilation, k.dilation};
  n.attrs["group"] = int64_t{k.group};
  return n;
}

std::vector<double> naive_conv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvCase& k,
                               Shape& out) {
  const int64_t N = k.x[0];
  const int64_t C = k.x[1];
  const int64_t H = k.x[2];
  const int64_t W = k.x[3];
  const int64_t OC = k.w[0];
  const int64_t ICg = k.w[1];
  const int64_t KH = k.w[2];
  const int64_t KW = k.w[3];
  const int64_t OH = (H + 2 * k.pad - k.dilation * (KH - 1) - 1) / k.stride + 1;
  const int64_t OW = (W + 2 * k.pad - k.dilation * (KW - 1) - 1) / k.stride + 1;
  out = {N, OC, OH, OW};
  std::vector<double> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = b ? b->at(oc) : 0;
          const int64_t g = oc / (OC / k.group);
          for (int64_t ic = 0; ic < ICg; ++ic)
            for (int64_t ky = 0; ky < KH; ++ky)
              for (int64_t kx = 0; kx < KW; ++kx) {
                const int64_t iy = oy * k.stride + ky * k.dilation - k.pad;
                const int64_t ix = ox * k.stride + kx * k.dilation - k.pad;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += x.at(((n * C + g * ICg + ic) * H + iy) * W + ix) *
                       w.at(((oc * ICg + ic) * KH + ky) * KW + kx);
              }
          y.push_back(acc);
        }
  return y;
}

}  // namespace tpuc::testing
