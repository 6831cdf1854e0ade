#include "chip/bm1684x/footprint.h"

namespace tpuc::bm1684x {

std::vector<ByteRange> operand_ranges(const Chip& chip, const Operand& o) {
  if (o.elements() == 0) return {};
  const uint64_t b = uint64_t(bytes(o.dtype));
  const uint64_t span =
      (uint64_t(o.n - 1) * o.ns + uint64_t(o.h - 1) * o.hs + uint64_t(o.w - 1) * o.ws + 1) * b;
  if (o.space == Space::Global) return {{o.addr, o.addr + span + uint64_t(o.c - 1) * o.cs * b}};
  const uint64_t slots = o.cs == 0 ? 1 : (o.lane + o.c - 1) / uint64_t(chip.lanes) + 1;
  std::vector<ByteRange> ranges;
  for (uint64_t s = 0; s < slots; ++s) {
    const uint64_t at = o.addr + s * uint64_t(o.cs) * b;
    ranges.push_back({at, at + span});
  }
  return ranges;
}

std::vector<const Operand*> tiu_reads(const TiuCommand& c) {
  std::vector<const Operand*> reads = {&c.opd0};
  if (!c.opd1_const) reads.push_back(&c.opd1);
  if (!c.opd2_const) reads.push_back(&c.opd2);
  if (!c.opd3_const) reads.push_back(&c.opd3);
  return reads;
}

}  // namespace tpuc::bm1684x
