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
  // The layer in tiles of `tile`, when its buffers fit (placeholder DDR addresses: only the local
  // memory is in question).
  auto lower = [&](TileShape tile) -> std::optional<ChipLayer> {
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
    const int channel_tiles = tile.channels ? ceil_div(int(out[1]), tile.channels) : 1;
    return ChipLayer{nodes, l, tile.rows, ceil_div(rows, tile.rows) * channel_tiles};
  };
  // The most rows per tile that fit beside `channels` output channels a tile (0: all), evened out.
  auto solve = [&](int channels) -> std::optional<ChipLayer> {
    const int first = start_rows > 0 ? std::min(start_rows, rows) : rows;
    if (std::optional<ChipLayer> l = lower({first, channels})) return l;
    int fits = 0;       // invariant: `fits` rows fit (0: none known) ...
    int fails = first;  // ... and `fails` rows overflow
    const LmemAllocator before = lmem;
    while (fails - fits > 1) {
      const int mid = fits + (fails - fits) / 2;
      if (lower({mid, channels})) {
        fits = mid;
      } else {
        fails = mid;
      }
      lmem = before;
    }
    if (fits == 0) return std::nullopt;
    const int tiles = ceil_div(rows, fits);
    if (std::optional<ChipLayer> l = lower({ceil_div(rows, tiles), channels})) return l;
    return lower({fits, channels});
  };
  if (std::optional<ChipLayer> l = solve(0)) return *l;
  // A Conv whose weights do not fit even one row at a time: tiles of output channels too, as
  // many lanes' worth as fit (halving from the most below all of them).
  if (nodes.size() == 1 && last.op == "Conv" && out.size() == 4) {
    int channels = chip.lanes;
    while (2 * channels < out[1]) channels *= 2;
    for (; channels >= chip.lanes; channels /= 2)
      if (std::optional<ChipLayer> l = solve(channels)) return *l;
  }
  throw LocalMemoryError(describe(last) + ": needs " + std::to_string(needed) +
                         " bytes of local memory per lane even with one output row per tile; " +
                         chip.name + " has " + std::to_string(chip.lmem_bytes));
}

}  // namespace tpuc::bm1684x
