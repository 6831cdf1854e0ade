#include "target/bm1684x/images_as_rows.h"

namespace tpuc::bm1684x {

namespace {

// A single row may take any row stride: the images' own.
bool images_follow_rows(const Operand& o) { return o.h == 1 || o.ns == int64_t(o.h) * o.hs; }

}  // namespace

GdmaCommand with_images_as_rows(GdmaCommand c) {
  const uint64_t rows = uint64_t(c.dst.n) * c.dst.h;
  if (c.op != GdmaOp::Tensor || c.dst.n == 1 || rows > kMaxTensorSize ||
      !images_follow_rows(c.src) || !images_follow_rows(c.dst))
    return c;
  for (Operand* o : {&c.src, &c.dst}) {
    if (o->h == 1) o->hs = o->ns;
    o->h = uint32_t(rows);
    o->n = 1;
    o->ns = 0;
  }
  return c;
}

}  // namespace tpuc::bm1684x
