// Window and matrix stages into CONV, DEPTHWISE, POOL and MATMUL (command_generator_impl.h).
#include <algorithm>
#include <limits>

#include "target/bm1684x/command_generator_impl.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;
using namespace loop_nest;

// `c` then, in place on its result, an ARITH of `op` with a constant: the int8 CONV's and
// MATMUL's bias (an int32 add of opd2, which the chip's int8 forms do not take), a fused
// activation's limit (a min).
void CommandGenerator::Impl::push_then_bias(TiuCommand c) {
  if (!c.has_bias || c.opd0.dtype != DType::I8 || c.op == TiuOp::Depthwise) return push_window(c);
  TiuCommand add;
  add.op = TiuOp::Arith;
  add.arith = ArithOp::Add;
  add.res = add.opd0 = c.res;
  add.opd1 = c.opd2;  // [0, c, 0, 0]: broadcast over the samples and the positions
  add.opd1.n = c.res.n;
  add.opd1.h = c.res.h;
  add.opd1.w = c.res.w;
  add.opd1.ns = add.opd1.hs = add.opd1.ws = 0;
  add.relu = c.relu;
  c.has_bias = false;
  c.relu = false;
  push_window(c);
  push(add);
}

// A window command whose stride the chip's 4-bit field cannot hold (ViT's patch embedding,
// stride 16): one command per output along that axis, where a single output makes the stride
// irrelevant. Padding along such an axis has no form.
void CommandGenerator::Impl::push_window(const TiuCommand& c) {
  const bool rows = c.stride_h > kMaxStride, cols = c.stride_w > kMaxStride;
  if (!rows && !cols) return push(c);
  if ((rows && (c.pad_top || c.pad_bottom)) || (cols && (c.pad_left || c.pad_right)))
    fail("a padded window with a stride above " + std::to_string(kMaxStride) +
         " has no command form");
  const int64_t out = bytes(c.res.dtype), in = bytes(c.opd0.dtype);
  for (uint32_t y = 0; y < (rows ? c.res.h : 1u); ++y)
    for (uint32_t x = 0; x < (cols ? c.res.w : 1u); ++x) {
      TiuCommand one = c;
      if (rows) {
        one.res.h = 1;
        one.res.addr += uint64_t(y * c.res.hs * out);
        one.opd0.h = uint32_t((c.kh - 1) * c.dilation_h + 1);
        one.opd0.addr += uint64_t(int64_t(y) * c.stride_h * c.opd0.hs * in);
        one.stride_h = 1;
      }
      if (cols) {
        one.res.w = 1;
        one.res.addr += uint64_t(x * c.res.ws * out);
        one.opd0.w = uint32_t((c.kw - 1) * c.dilation_w + 1);
        one.opd0.addr += uint64_t(int64_t(x) * c.stride_w * c.opd0.ws * in);
        one.stride_w = 1;
      }
      push(one);
    }
}

// The bias of an accumulation: its initialization loads it, or is zero.
bool CommandGenerator::Impl::bias(const Nest* init, const std::string& stage, TiuCommand& c) const {
  if (!init) return false;
  const auto loads = operand_loads(*init, stage);
  if (loads.empty()) {
    const int64_t* k = as_const_int(init->value);
    const double* f = as_const_float(init->value);
    if ((k && *k == 0) || (f && *f == 0)) return false;
    fail("stage '" + stage + "' starts from a value that is neither zero nor a bias load");
  }
  const Roles r = roles(*init);
  Slots s;
  s[1] = result_slot(r, buffer_of(stage).lane_dim);
  c.opd2 = operand(loads[0].buffer, loads[0].index, s, origin(*init));
  return true;
}

// CONV, DEPTHWISE and POOL: a window over the (padded) input, read off the reduction's index
// expressions in the input's slots: the result loop and the reduction loop walking each input
// dimension give the output extent and stride, the kernel extent and dilation. POOL also
// reduces a whole row (softmax's max and sum: a window as long as the row).
void CommandGenerator::Impl::window_command(const std::string& stage, const StageRole& role,
                                            TiuOp op) {
  const auto [init, update] = init_and_update(stage);
  const Roles r = roles(*update);
  const LmemBuffer& res = buffer_of(stage);
  const auto at = origin(*update);
  const auto loads = operand_loads(*update, stage);
  const Slot oc = result_slot(r, res.lane_dim);
  // The input does not move with the output channel; the weights do.
  const Access* in = nullptr;
  const Access* w = nullptr;
  const bool weighted = op == TiuOp::Conv || op == TiuOp::Depthwise;
  const std::vector<std::string>& named = role.operands;  // CONV, DEPTHWISE: {input, weights}
  for (const Access& a : loads) {
    const bool moves_with_channel =
        op == TiuOp::Conv && !oc.var.empty() && step(*update, a.index, oc.var, at) != 0;
    const bool is_weight = (weighted && named.size() == 2 && a.buffer == named[1]) ||
                           (op == TiuOp::Conv && moves_with_channel);
    if (is_weight) {
      w = &a;
    } else {
      in = &a;
    }
  }
  if (!in || (weighted && !w))
    fail("stage '" + stage + "': cannot tell the input from the weights");
  const LmemBuffer& pad = buffer_of(in->buffer);
  const std::array<int, 4> in_dims = slot_dims(pad);
  // The loops walking each input dimension: results (with their stride) and reductions.
  std::map<int, Loop> out, reduce;
  for (const auto& [dim, loop] : r.result) {
    const int walked = direction(pad, in->index, loop.var, at).first;
    if (walked >= 0 && walked != pad.lane_dim) out[walked] = loop;
  }
  for (const Loop& l : r.reduction) reduce[direction(pad, in->index, l.var, at).first] = l;
  TiuCommand c;
  c.op = op;
  c.pool_sum = role.pool_sum;
  auto slot_of = [](const std::map<int, Loop>& loops, int dim) {
    auto it = loops.find(dim);
    return it == loops.end() ? Slot{} : Slot{it->second.var, -1, it->second.extent};
  };
  auto window = [&](int dim, uint16_t& k, uint8_t& stride, uint8_t& dilation) {
    const Slot o = slot_of(out, dim);
    const int64_t kernel = reduce.count(dim) ? reduce[dim].extent : 1;
    if (kernel > kMaxKernel)
      fail("stage '" + stage + "': a window of " + std::to_string(kernel) + " has no command form");
    k = uint16_t(kernel);
    const int64_t step = o.var.empty() ? 1 : direction(pad, in->index, o.var, at).second;
    const int64_t spread =
        reduce.count(dim) ? direction(pad, in->index, reduce[dim].var, at).second : 1;
    if (step > std::numeric_limits<uint8_t>::max() || spread > kMaxDilation)
      fail("stage '" + stage + "': a stride above 255 or a dilation above " +
           std::to_string(kMaxDilation) + " has no command form");
    stride = uint8_t(step);
    dilation = uint8_t(spread);
    return (o.extent - 1) * stride + (kernel - 1) * dilation + 1;  // input extent the window covers
  };
  const int64_t in_w = window(in_dims[3], c.kw, c.stride_w, c.dilation_w);
  const int64_t in_h = window(in_dims[2], c.kh, c.stride_h, c.dilation_h);
  if (reduce.count(in_dims[0]) && in_dims[0] >= 0)
    fail("stage '" + stage + "': a window over the outermost dimension has no command form");
  const Slot n = slot_of(out, in_dims[0]);
  c.res = operand(stage, update->index, {n, oc, slot_of(out, in_dims[2]), slot_of(out, in_dims[3])},
                  at);
  const int64_t channels = op == TiuOp::Conv
                               ? (reduce.count(pad.lane_dim) ? reduce[pad.lane_dim].extent : 1)
                               : oc.extent;
  const Slot in_channels = op == TiuOp::Depthwise
                               ? oc
                               : Slot{"", pad.lane_dim, channels};  // depthwise: follows the output
  auto spatial = [](int dim, int64_t extent) { return dim < 0 ? Slot{} : Slot{"", dim, extent}; };
  c.opd0 = operand(in->buffer, in->index,
                   {n, in_channels, spatial(in_dims[2], in_h), spatial(in_dims[3], in_w)}, at);
  if (memory.view(in->buffer)) read_through_padding(c, *in, in_dims, at);
  if (weighted) {
    // Weights [oc, ic, ky·kw + kx]: ky must step kw times as far as kx. A kernel one column wide
    // (7×1) has no kx loop: its positions run along ky.
    const Loop kx = reduce.count(in_dims[3])   ? reduce[in_dims[3]]
                    : reduce.count(in_dims[2]) ? reduce[in_dims[2]]
                                               : Loop{"", 1};
    Slots ws{Slot{}, oc,
             reduce.count(pad.lane_dim) ? Slot{reduce[pad.lane_dim].var, -1, channels} : Slot{},
             Slot{kx.var, -1, int64_t(c.kh) * c.kw}};
    c.opd1 = operand(w->buffer, w->index, ws, at);
    if (c.kh > 1 && step(*update, w->index, reduce[in_dims[2]].var, at) !=
                        c.kw * step(*update, w->index, kx.var, at))
      fail("stage '" + stage + "': weights are not laid out [oc, ic, ky, kx]");
    c.has_bias = bias(init, stage, c);
    g.macs_ +=
        uint64_t(c.res.elements()) * uint64_t(op == TiuOp::Depthwise ? 1 : channels) * c.kh * c.kw;
  }
  push_then_bias(c);
}

// A window over a padded view (opd0 as computed, in the view's coordinates) becomes a window
// over the view's source: the box of it under the window, with the padding the window overhangs.
void CommandGenerator::Impl::read_through_padding(TiuCommand& c, const Access& in,
                                                  const std::array<int, 4>& dims,
                                                  const std::map<std::string, int64_t>& at) const {
  const PaddedView& v = *memory.view(in.buffer);
  const std::vector<int64_t> start = coords(buffer_of(in.buffer), eval(in.index, at));
  std::vector<int64_t> from(start.size());
  for (size_t d = 0; d < start.size(); ++d) from[d] = start[d] - v.offset[d];
  auto axis = [&](int d, uint32_t extent, uint8_t& before, uint8_t& after) -> int64_t {
    const int64_t first = std::max(start[size_t(d)], v.begin[size_t(d)]),
                  last = std::min(start[size_t(d)] + extent, v.end[size_t(d)]);
    if (last <= first || first - start[size_t(d)] > kMaxPad ||
        start[size_t(d)] + extent - last > kMaxPad)
      fail("a window over '" + in.buffer + "' overhangs its input by more than the " +
           std::to_string(kMaxPad) + " the padding fields hold");
    before = uint8_t(first - start[size_t(d)]);
    after = uint8_t(start[size_t(d)] + extent - last);
    from[size_t(d)] = first - v.offset[size_t(d)];
    return last - first;
  };
  const int64_t h = axis(dims[2], c.opd0.h, c.pad_top, c.pad_bottom),
                w = axis(dims[3], c.opd0.w, c.pad_left, c.pad_right);
  const LmemBuffer& source = buffer_of(v.source);
  int64_t flat = 0, stride = 1;
  for (size_t d = 0; d < from.size(); ++d) {
    flat += from[d] * stride;
    stride *= source.extents[d];
  }
  auto whole = [](int dim, int64_t extent) { return dim < 0 ? Slot{} : Slot{"", dim, extent}; };
  c.opd0 = operand(
      v.source, make_const(Int(32), int(flat)),
      {whole(dims[0], c.opd0.n), whole(dims[1], c.opd0.c), whole(dims[2], h), whole(dims[3], w)},
      at);
  c.pad_value = float(v.value);
}

// MATMUL: result [m, n] with n on the lanes; the left operand has k on the lanes.
void CommandGenerator::Impl::matmul(const std::string& stage) {
  const auto [init, update] = init_and_update(stage);
  const Roles r = roles(*update);
  if (r.reduction.size() != 1)
    fail("stage '" + stage + "': a matrix product reduces over one loop");
  const LmemBuffer& res = buffer_of(stage);
  const auto at = origin(*update);
  const Slot col = result_slot(r, res.lane_dim), row = result_slot(r, res.lane_dim == 0 ? 1 : 0);
  const Loop k = r.reduction[0];
  const auto loads = operand_loads(*update, stage);
  const Access* left = nullptr;
  const Access* right = nullptr;
  for (const Access& a : loads) {
    const bool moves_with_column = !col.var.empty() && step(*update, a.index, col.var, at) != 0;
    if (moves_with_column) {
      right = &a;
    } else {
      left = &a;
    }
  }
  if (!left || !right) fail("stage '" + stage + "': cannot tell the two matrices apart");
  TiuCommand c;
  c.op = TiuOp::MatMul;
  c.res = operand(stage, update->index, {row, col, Slot{}, Slot{}}, at);
  c.opd0 = operand(left->buffer, left->index, {row, Slot{k.var, -1, k.extent}, Slot{}, Slot{}}, at);
  c.opd1 =
      operand(right->buffer, right->index, {Slot{}, col, Slot{k.var, -1, k.extent}, Slot{}}, at);
  c.has_bias = bias(init, stage, c);
  g.macs_ += uint64_t(c.res.elements()) * uint64_t(k.extent);
  push_then_bias(c);
}

}  // namespace tpuc::bm1684x
