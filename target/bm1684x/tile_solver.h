// The tile-size solver: lowers a layer group with the most output rows per tile whose local
// buffers fit beside what is live (bisection, all rows first: most layers fit whole), then evens
// the tiles out — as many tiles as that needs, each no larger than it must be — so the last tile
// does not recompute most of the one before it (tiles shift inwards). "Fits" is decided by running
// the command generator on the model's allocator as it stands, so the buffers fit in the places
// they will really get.
#pragma once
#include <vector>

#include "ir/diagnostics.h"
#include "target/bm1684x/lmem_allocator.h"
#include "target/bm1684x/lower_group.h"

namespace tpuc::bm1684x {

// A layer of the model on the chip: one node, or a layer group, lowered at its tile size.
struct ChipLayer {
  std::vector<const Node*> nodes;  // in graph order; the last one's result leaves the layer
  LoweredGroup lowered;
  int tile_rows = 0, tiles = 1;
};

// A layer too large for local memory even one output row at a time: the user's model cannot be
// compiled for this chip (an Error, not a host layer).
class LocalMemoryError : public Error {
 public:
  using Error::Error;
};

// Lowers `nodes` to fit; `lmem` is advanced past the layer's buffers. The search starts at
// `start_rows` when the group search estimated them (0: all rows). Throws LocalMemoryError, or
// Unsupported when the chip has no form for a node.
ChipLayer lower_to_fit(const std::vector<const Node*>& nodes, const Graph& g, const Chip& chip,
                       LmemAllocator& lmem, int start_rows);

}  // namespace tpuc::bm1684x
