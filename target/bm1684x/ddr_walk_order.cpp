#include "target/bm1684x/ddr_walk_order.h"

#include <cstdlib>

namespace tpuc::bm1684x {

namespace {

// A single row may take any row stride: the images' own.
bool images_follow_rows(const Operand& o) { return o.h == 1 || o.ns == int64_t(o.h) * o.hs; }

// Images that lie inside each channel in DDR (nearer than the channels) as rows.
void images_as_rows(GdmaCommand& c, const Operand& ddr) {
  const uint64_t rows = uint64_t(c.dst.n) * c.dst.h;
  if (c.dst.n == 1 || rows > kMaxTensorSize || std::abs(ddr.ns) >= std::abs(ddr.cs) ||
      !images_follow_rows(c.src) || !images_follow_rows(c.dst))
    return;
  for (Operand* o : {&c.src, &c.dst}) {
    if (o->h == 1) o->hs = o->ns;
    o->h = uint32_t(rows);
    o->n = 1;
    o->ns = 0;
  }
}

// Moves dimension (extent, stride) of both operands to n, leaving one element in its place.
void rows_outside_channels(GdmaCommand& c, uint32_t Operand::*extent, int64_t Operand::*stride) {
  for (Operand* o : {&c.src, &c.dst}) {
    o->n = o->*extent;
    o->ns = o->*stride;
    o->*extent = 1;
  }
}

}  // namespace

GdmaCommand in_ddr_walk_order(GdmaCommand c) {
  if (c.op != GdmaOp::Tensor) return c;
  const Operand& ddr = c.src.space == Space::Global ? c.src : c.dst;
  const int64_t channels = std::abs(ddr.cs);
  if (c.dst.n == 1 && c.dst.w > 1 && std::abs(ddr.ws) > channels &&
      std::abs(ddr.ws) >= std::abs(ddr.hs))
    rows_outside_channels(c, &Operand::w, &Operand::ws);
  else if (c.dst.n == 1 && c.dst.h > 1 && std::abs(ddr.hs) > channels)
    rows_outside_channels(c, &Operand::h, &Operand::hs);
  images_as_rows(c, ddr);
  return c;
}

}  // namespace tpuc::bm1684x
