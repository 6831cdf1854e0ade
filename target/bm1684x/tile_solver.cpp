#include "target/bm1684x/tile_solver.h"

#include <optional>

#include "ir/align.h"
#include "target/bm1684x/command_generator.h"

namespace tpuc::bm1684x {

ChipLayer lower_to_fit(const std::vector<const Node*>& nodes, const Graph& g, const Chip& chip,
                       LmemAllocator& lmem, int start_rows) {
  const Node& last = *nodes.back();
  const Shape& out = g.type(last.outputs.at(0)).shape;
  const int rows = int(tiled_extent(last, out));
  int64_t needed = 0;
  // The layer at `tile` rows, when its buffers fit (placeholder DDR addresses: only the local
  // memory is in question).
  auto lower = [&](int tile) -> std::optional<ChipLayer> {
    LoweredGroup l = lower_group(nodes, g, tile);
    LmemAllocator trial = lmem;
    Program scratch;
    std::vector<Issued> order;
    const auto no_address = [](const std::string&, bool) { return uint64_t(0); };
    try {
      CommandGenerator(chip, last, l, ddr_buffers(g, l, no_address), trial).emit(scratch, order);
    } catch (const LmemOverflow& o) {
      needed = o.needed;
      return std::nullopt;
    }
    lmem = trial;
    return ChipLayer{nodes, l, tile, ceil_div(rows, tile)};
  };
  const int first = start_rows > 0 ? std::min(start_rows, rows) : rows;
  if (std::optional<ChipLayer> l = lower(first)) return *l;
  int fits = 0;       // invariant: `fits` rows fit (0: none known) ...
  int fails = first;  // ... and `fails` rows overflow
  const LmemAllocator before = lmem;
  while (fails - fits > 1) {
    const int mid = fits + (fails - fits) / 2;
    if (lower(mid)) {
      fits = mid;
    } else {
      fails = mid;
    }
    lmem = before;
  }
  if (fits == 0)
    throw LocalMemoryError(describe(last) + ": needs " + std::to_string(needed) +
                           " bytes of local memory per lane even with one output row per tile; " +
                           chip.name + " has " + std::to_string(chip.lmem_bytes));
  const int tiles = ceil_div(rows, fits);
  if (std::optional<ChipLayer> l = lower(ceil_div(rows, tiles))) return *l;
  return *lower(fits);
}

}  // namespace tpuc::bm1684x
