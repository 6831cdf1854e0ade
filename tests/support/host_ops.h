// One operator run alone on the host reference executor, and the naive loops (written here, not
// taken from ops/) it is checked against.
#pragma once
#include <optional>
#include <vector>

#include "ir/graph.h"

namespace tpuc::testing {

// Runs node n on `inputs`, named a, b, c, ... (constants where `constant` says so), its output y
// typed by the op's shape inference and quantized by `out_quant` when given.
Tensor run_node(Node n, std::vector<Tensor> inputs, std::vector<bool> constant = {},
                std::optional<QuantParams> out_quant = {});

// Every element of `got` within tol · (1 + |want|) of `want`.
void expect_near(const Tensor& got, const std::vector<double>& want, double tol = 1e-4);

// A convolution's shapes (x NCHW, w OIHW) and square stride, padding, dilation and groups.
struct ConvCase {
  Shape x, w;
  int stride, pad, dilation, group;
};

// A Conv node with k's attributes (no inputs or outputs yet).
Node conv_node(const ConvCase& k);

// The convolution of x by w (plus b when given) as nested loops; `out` receives its shape.
std::vector<double> naive_conv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvCase& k,
                               Shape& out);

}  // namespace tpuc::testing
