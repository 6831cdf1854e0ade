// Where a model's tensors live in DDR. The weight blob comes first, from the chip's DDR base: the
// graph constants the layers read and each layer's tables (requantization), in the order the
// layers use them, each aligned. Activations follow, placed first-fit over their live ranges: a
// value is placed when the layer (or host layer) producing it runs and freed after its last
// reader, so later values reuse the space; a DDR view shares its source's bytes. Values a layer
// group keeps in local memory get no DDR at all.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "chip/bm1684x/model_file.h"
#include "target/bm1684x/partition.h"

namespace tpuc::bm1684x {

struct WeightLayout {
  uint64_t base = 0;  // DDR address of the blob
  std::vector<uint8_t> blob;
  std::map<std::string, uint64_t> constants;            // graph constant → address
  std::vector<std::map<std::string, uint64_t>> tables;  // per layer: table name → address
};

WeightLayout lay_out_weights(const Graph& g, const Partition& p, const Chip& chip);

struct DdrPlan {
  std::map<std::string, uint64_t> addr;     // value owning its bytes → address
  std::map<std::string, std::string> root;  // a view's value → the value owning its bytes
  uint64_t end = 0;                         // the highest address used, plus one

  uint64_t of(const std::string& value) const;  // a value's address, through views
};

// `weights_end`: where the blob ends.
DdrPlan plan_ddr(const Graph& g, const Partition& p, const Chip& chip, uint64_t weights_end);

}  // namespace tpuc::bm1684x
