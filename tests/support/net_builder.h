// Float test networks built node by node (convolutions with He-scaled seeded weights), typed as
// the importer types them, for tests that calibrate and quantize them like any model.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::testing {

class NetBuilder {
 public:
  // A graph "resnet" of one f32 input x of `input` shape.
  explicit NetBuilder(Shape input);
  // Conv with He-scaled random weights and a small bias, optionally followed by Relu; returns the
  // value it computes.
  std::string conv(const std::string& x, int64_t oc, int64_t k, int64_t stride, int64_t pad,
                   bool relu);
  // A node of `op` without attributes on `inputs`, named after its op and a counter.
  std::string node(const std::string& op, std::vector<std::string> inputs, bool relu = false);
  // Appends n, typing its outputs as import does, and a Relu after it when asked.
  std::string add_node(Node n, bool relu);

  Graph g;

 private:
  int count_ = 0;
};

}  // namespace tpuc::testing
