#include "schedules/bm1684x/chip_schedule.h"

#include <algorithm>

#include "ir/diagnostics.h"
#include "ops/attrs.h"
#include "ops/conv_geometry.h"

namespace tpuc::bm1684x {

using namespace Halide;

namespace {

constexpr MemoryType kLmem = MemoryType::VTCM;

// The most GDMA copies one Tile may take (one per repeat): beyond, it is a host layer.
constexpr int64_t kMaxTileCopies = 64;

// The command of a LeakyRelu of slope α given x and α·x (ops::leaky_relu): their max, or min.
ArithOp leaky_pick(double alpha) { return alpha <= 1 ? ArithOp::Max : ArithOp::Min; }

// The float types the chip computes in.
bool is_chip_float(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

struct Context {
  const Node& node;
  ops::Algorithm& a;
  const std::vector<ops::OpInput>& inputs;
  const TensorType& output;
  TileShape tile_shape;
  GroupPlacement& group;
  ChipSchedule s;
  LoopLevel channel_tile = LoopLevel::root();  // where a tile of output channels starts
  float scale = 1;                             // stamped on every role placed after it is set

  // The store stage: the op's result copied to DDR, tiled by rows when it has rows. A node inside
  // a layer group has none: its result stays in local memory.
  void make_store() {
    if (!group.last) return;
    Func out = a.outputs[0];
    s.store = Func(out.name() + "_store");
    s.store(out.args()) = out(out.args());
  }
  // Places `f` in LMEM at the tile loop (or once, at the root) with the given role, unless another
  // node of the group computes it.
  void place(Func f, StageRole role, bool at_tile, const LoopLevel& tile) {
    if ((group.produced.count(f.name()) && f.name() != a.outputs[0].name()) ||
        group.placed.count(f.name()))
      return;
    if (at_tile) {
      f.compute_at(tile);
    } else {
      f.compute_root();
    }
    f.store_in(kLmem);
    role.node = &node;
    role.scale = scale;
    s.stages[f.name()] = role;
    if (f.name() != a.outputs[0].name()) placed_here.insert(f.name());
  }
  std::set<std::string>
      placed_here;  // the node's reads of inputs it placed (joining `group.placed` when done)
  // A window op's input (Conv, MaxPool) and its `pad` stage: the input in local memory, read by
  // the window command through its padding fields (an unpadded op's pad stage is the input itself,
  // inlined); padding wider than the commands take is materialized, the borders filled.
  void place_window_input(const Func& pad, const Func& input, const std::vector<int64_t>& kernel,
                          const LoopLevel& tile) {
    const std::vector<int64_t> pads =
        ops::conv_geometry(node, inputs[0].type->shape, kernel, node.i("ceil_mode", 0) != 0).pads;
    if (*std::max_element(pads.begin(), pads.end()) > kMaxPad)
      return place(pad, copy(4), true, tile);
    place(input, copy(4), true, tile);
    if (pad.value().as<Internal::Select>())
      place(pad, {StageRole::Padding, TiuOp::End, ArithOp::Copy, lane_dim_of_rank(4)}, true, tile);
  }
  // The op's result from its accumulator: int8 requantized with the per-channel tables (loaded
  // once, at the root); a float one converted (rounded to f16/bf16, or an f32 copy) with the
  // fused activation.
  // The tables load at `tables`: once, at the root, unless the tiles split the channels (each
  // tile's part then starts at lane 0, as the result's does). A float result with a fused
  // LeakyRelu (a Conv's: ops::staged_activation) is an ARITH mul by α and the max (min) of the
  // sum and that.
  void place_result(size_t rank, bool at_tile, const LoopLevel& level,
                    const LoopLevel& tables = LoopLevel::root()) {
    const std::optional<double> leaky = ops::FusedActivation::of(node).leaky_alpha;
    if (output.dtype != DType::I8 && leaky) {
      StageRole scaled = compute(TiuOp::Arith, rank, ArithOp::Mul),
                pick = compute(TiuOp::Arith, rank, leaky_pick(*leaky));
      scaled.operands = {a.stages.acc.name()};
      pick.operands = {a.stages.acc.name(), a.stages.scaled.name()};
      place(a.stages.scaled, scaled, at_tile, level);
      return place(a.outputs[0], pick, at_tile, level);
    }
    if (output.dtype != DType::I8)
      return place(a.outputs[0], compute(TiuOp::Arith, rank, ArithOp::Convert), at_tile, level);
    StageRole requant = compute(TiuOp::Requant, rank);
    requant.requant = a.stages.requant.name();
    place(a.outputs[0], requant, at_tile, level);
    // requant(k, channel): the channels on the lanes, each lane's block [multiplier, shift, zero
    // point] contiguous, as the RQ command reads it.
    place(a.stages.requant, {StageRole::Copy, TiuOp::End, ArithOp::Copy, 1}, true, tables);
  }
  StageRole copy(size_t rank) const {
    return {StageRole::Copy, TiuOp::End, ArithOp::Copy, lane_dim_of_rank(rank)};
  }
  StageRole compute(TiuOp op, size_t rank, ArithOp arith = ArithOp::Copy) const {
    StageRole role{StageRole::Compute, op, arith, lane_dim_of_rank(rank)};
    role.result_zero_point = zero_point(output);
    return role;
  }
  // Elementwise stages (any dimension may go to the lanes): NCHW tensors tiled by rows with the
  // channel on the lanes; other ranks at once, spread along their longest dimension. Returns where
  // to place the stages and sets the lane dimension of `roles`.
  LoopLevel elementwise_placement(std::vector<StageRole*> roles) {
    const Shape& shape = output.shape;
    if (shape.size() == 4) return tile_by_rows();
    if (!shape.empty())
      for (StageRole* r : roles)
        r->lane_dim = int(shape.size() - 1 -
                          lane_tensor_dim());  // Func argument 0 is the innermost dimension
    return LoopLevel::root();
  }
  // The tensor dimension elementwise_placement spreads over the lanes.
  size_t lane_tensor_dim() const { return elementwise_lane_dim(output.shape); }
  // Output rows (the second-innermost dimension) per tile: the request, at most all rows. The
  // tile loop runs inside the outermost dimension (a batch) and outside the others (NCHW: the
  // channels, or, split into tiles of channels, inside their loop: `channel_tile`). Inside a layer
  // group: the group's tile loop.
  LoopLevel tile_by_rows() {
    if (!group.last) return group.tile;
    std::vector<Var> v = s.store.args();
    const size_t rank = v.size();
    const int rows = int(output.shape[rank - 2]);
    const bool channels =
        rank == 4 && tile_shape.channels > 0 && tile_shape.channels < output.shape[1];
    if (tile_shape.rows >= rows && !channels) return s.tile = LoopLevel::root();  // one tile
    Var yo("yo"), yi("yi"), co("co"), ci("ci");
    s.store.split(v[1], yo, yi, std::min(tile_shape.rows, rows), TailStrategy::ShiftInwards);
    if (channels) s.store.split(v[2], co, ci, tile_shape.channels, TailStrategy::ShiftInwards);
    std::vector<VarOrRVar> order{v[0], yi};
    for (size_t d = 2; d + 1 < rank; ++d) order.push_back(channels ? VarOrRVar(ci) : v[d]);
    order.push_back(yo);
    if (channels) order.push_back(co);
    if (rank > 2) order.push_back(v[rank - 1]);
    s.store.reorder(order);
    if (channels) channel_tile = LoopLevel(s.store, co);
    return s.tile = LoopLevel(s.store, yo);
  }
  // A matrix product's output columns (the innermost dimension, on the lanes) per tile: the
  // request, at most all columns; the tile loop runs outside the rows.
  LoopLevel tile_by_columns() {
    const std::vector<Var> v = s.store.args();
    const int columns = int(output.shape.back());
    if (tile_shape.rows >= columns) return s.tile = LoopLevel::root();
    Var xo("xo"), xi("xi");
    s.store.split(v[0], xo, xi, tile_shape.rows, TailStrategy::ShiftInwards).reorder(xi, v[1], xo);
    return s.tile = LoopLevel(s.store, xo);
  }
};

// Conv: per tile of output rows, GDMA the padded input rows, CONV into the int32 (f32) accumulator,
// REQUANT into int8 (ARITH convert into the float type), GDMA the result out. Weights, bias and
// requant tables load once.
// A depthwise convolution (group = input channels = output channels) is one DEPTHWISE command
// per tile instead of CONV. The generator tells the input from the weights by the Funcs named in
// `operands`: a depthwise input moves with the channel as its weights do, and a Conv of one output
// channel has no channel loop to tell them by.
void conv(Context& cx) {
  const int64_t group = cx.node.i("group", 1), channels = cx.inputs[0].type->shape[1];
  const bool depthwise = group > 1 && group == channels && cx.output.shape[1] == channels;
  if (group != 1 && !depthwise)
    unsupported(cx.node, "grouped convolution other than depthwise has no BM1684X schedule yet");
  cx.make_store();
  const LoopLevel tile = cx.tile_by_rows();
  // Weights, bias and tables once (channel_tile is the root), or per tile of output channels.
  cx.place_result(4, true, tile, cx.channel_tile);
  const Func pad = cx.a.stages.pad;
  const Shape& w = cx.inputs[1].type->shape;
  cx.place_window_input(pad, cx.inputs[0].func, {w[2], w[3]}, tile);
  StageRole acc = cx.compute(depthwise ? TiuOp::Depthwise : TiuOp::Conv, 4);
  acc.operands = {cx.s.stages.count(pad.name()) ? pad.name() : cx.inputs[0].func.name(),
                  cx.inputs[1].func.name()};
  cx.place(cx.a.stages.acc, acc, true, tile);
  cx.place(cx.inputs[1].func, {StageRole::Copy, TiuOp::End, ArithOp::Copy, 3}, true,
           cx.channel_tile);  // weight (kx, ky, ic, oc): oc on lanes
  if (cx.inputs.size() > 2 && cx.inputs[2].func.defined())
    cx.place(cx.inputs[2].func, cx.copy(1), true, cx.channel_tile);
}

void maxpool(Context& cx) {
  if (cx.a.outputs.size() > 1) unsupported(cx.node, "the Indices output has no BM1684X schedule");
  cx.make_store();
  const LoopLevel tile = cx.tile_by_rows();
  cx.place(cx.a.outputs[0], cx.compute(TiuOp::Pool, 4), true, tile);
  cx.place_window_input(cx.a.stages.pad, cx.inputs[0].func, cx.node.ints("kernel_shape"), tile);
}

// GlobalAveragePool: the whole input into LMEM, POOL summing each channel's H×W window into int32
// (f32), then REQUANT with the per-channel tables whose multipliers hold 1/(H·W) (a float result:
// ARITH convert scaled by 1/(H·W)), the result out.
void global_average_pool(Context& cx) {
  if (zero_point(*cx.inputs[0].type) != 0)  // Σ (x − zx): POOL sums x alone
    unsupported(cx.node, "an asymmetric int8 GlobalAveragePool has no BM1684X form yet");
  if (cx.output.shape.size() != 4)
    unsupported(cx.node, "the BM1684X schedule takes 4-D (NCHW) operands");
  if (cx.inputs[0].type->shape[2] > kMaxSumWindowSide ||
      cx.inputs[0].type->shape[3] > kMaxSumWindowSide)
    unsupported(cx.node, "a window over " + std::to_string(kMaxSumWindowSide) +
                             " rows or columns has no POOL form");
  cx.make_store();
  const LoopLevel root = LoopLevel::root();
  if (cx.output.dtype != DType::I8) cx.scale = ops::global_average_factor(cx.inputs[0].type->shape);
  cx.place_result(4, false, root);
  StageRole sum = cx.compute(TiuOp::Pool, 4);
  sum.pool_sum = true;
  cx.place(cx.a.stages.acc, sum, false, root);
  cx.place(cx.inputs[0].func, cx.copy(4), false, root);
}

// Gemm: the [M, N] result in tiles of columns (all at once when it fits): A, with K on the lanes,
// once; per tile, B's columns and the result with N on the lanes, so MATMUL reduces over K across
// lanes; the bias C (one per column) starts the sum. A classifier's B (VGG's 25088 × 4096) is far
// larger than local memory; a tile of its columns is not.
void gemm(Context& cx) {
  const std::string refusal = ops::plain_gemm_refusal(
      cx.node, cx.inputs.size() > 2 ? cx.inputs[2].type : nullptr, cx.output);
  if (!refusal.empty()) unsupported(cx.node, refusal);
  cx.make_store();
  const LoopLevel tile = cx.tile_by_columns();  // the root when one tile takes every column
  cx.place_result(2, true, tile, tile);
  cx.place(cx.a.stages.acc, cx.compute(TiuOp::MatMul, 2), true, tile);
  cx.place(cx.inputs[0].func, {StageRole::Copy, TiuOp::End, ArithOp::Copy, 0}, false,
           tile);  // A (k, m): k on lanes
  const int n_arg =
      ops::GemmAttrs::of(cx.node).trans_b ? 1 : 0;  // B is Func (k, n) when transposed, else (n, k)
  cx.place(cx.inputs[1].func, {StageRole::Copy, TiuOp::End, ArithOp::Copy, n_arg}, true,
           tile);  // B: n on lanes
  if (cx.inputs.size() > 2 && cx.inputs[2].func.defined())
    cx.place(cx.inputs[2].func, cx.copy(1), true, tile);
}

// MatMul of two activations (float), batched: one MATMUL per batch (the store's batch loops are the
// tile loops), A with K on the lanes, B and the result with N on the lanes, then the result
// converted (rounded to f16/bf16).
void matmul(Context& cx) {
  if (cx.inputs[0].type->dtype == DType::I8)
    unsupported(cx.node, "an int8 MatMul has no BM1684X schedule yet");
  if (cx.inputs[0].type->shape.size() != cx.output.shape.size() ||
      cx.inputs[1].type->shape.size() != cx.output.shape.size())
    unsupported(cx.node, "operands of different ranks have no BM1684X schedule yet");
  const size_t rank = cx.output.shape.size();
  cx.make_store();
  const LoopLevel at = rank > 2 ? LoopLevel(cx.s.store, cx.s.store.args()[2])
                                : LoopLevel::root();  // the innermost batch loop
  const StageRole arg0_on_lanes{StageRole::Copy, TiuOp::End, ArithOp::Copy, 0};  // k of A, n of B
  cx.place(cx.a.outputs[0], {StageRole::Compute, TiuOp::Arith, ArithOp::Convert, 0}, rank > 2, at);
  cx.place(cx.a.stages.acc, {StageRole::Compute, TiuOp::MatMul, ArithOp::Copy, 0}, rank > 2, at);
  cx.place(cx.inputs[0].func, arg0_on_lanes, rank > 2, at);
  cx.place(cx.inputs[1].func, arg0_on_lanes, rank > 2, at);
}

// Elementwise conversions: the input into LMEM, one ARITH, the result out (placed as
// elementwise_placement says: an f32 activation rarely fits local memory whole).
void convert(Context& cx, ArithOp op) {
  const size_t rank = cx.output.shape.size();
  cx.make_store();
  StageRole result = cx.compute(TiuOp::Arith, rank, op), input = cx.copy(rank);
  const LoopLevel at = cx.elementwise_placement({&result, &input});
  cx.place(cx.a.outputs[0], result, rank == 4, at);
  cx.place(cx.inputs[0].func, input, rank == 4, at);
}

// Elementwise binary ops (int8: Add; floats: Add, Sub, Mul, Div): the operands of the output's
// rank, each dimension the output's or 1 (broadcast by a zero stride, as a squeeze-and-excitation
// scale [N, C, 1, 1] is; along the lanes' dimension, by a copy into every lane); or the second a
// scalar constant (the algorithm holds it as an immediate). The operands into LMEM (per tile of
// rows when NCHW) and one ARITH with the fused relu (int8 Add: the generator's MUL and MAC into an
// int32 scratch tile and a constant REQUANT, with the node's multipliers, shift and the zero points
// here), the result out.
// The copy of input `i` of an elementwise op into local memory, broadcast along the dimensions
// where it has one element (zero strides; along the lanes' dimension, into every lane).
StageRole broadcast_operand(Context& cx, size_t i) {
  const Shape& out = cx.output.shape;
  const Shape& in = cx.inputs[i].type->shape;
  const size_t rank = out.size();
  bool broadcasts = in.size() == rank && rank > 0;
  for (size_t d = 0; broadcasts && d < rank; ++d) broadcasts = in[d] == out[d] || in[d] == 1;
  if (!broadcasts)
    unsupported(cx.node, "operands of shape " + to_string(in) + " and " + to_string(out) +
                             " have no BM1684X schedule yet");
  StageRole r = cx.copy(rank);
  r.every_lane = broadcast_across_lanes(in, out);
  return r;
}

void binary(Context& cx, ArithOp op) {
  if (cx.output.dtype == DType::I8 && op != ArithOp::Add)
    unsupported(cx.node, "only Add runs on the BM1684X in int8");
  const bool immediate = ops::is_immediate(cx.inputs[1]);
  const size_t rank = cx.output.shape.size();
  std::vector<StageRole> inputs;
  for (size_t i = 0; i < (immediate ? 1u : 2u); ++i) inputs.push_back(broadcast_operand(cx, i));
  cx.make_store();
  StageRole result = cx.compute(TiuOp::Arith, rank, op);
  std::vector<StageRole*> roles{&result};
  for (StageRole& r : inputs) roles.push_back(&r);
  const LoopLevel at = cx.elementwise_placement(roles);
  // An int8 Add whose multiplier for one operand rounded to 0 (a branch far smaller than the sum,
  // as ConvNeXt's layer scale makes it) does not read that operand.
  const std::vector<int64_t> m = ops::Requantization::of(cx.node).multiplier;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (cx.output.dtype == DType::I8 && m.size() == 2 && m[i] == 0) continue;
    cx.place(cx.inputs[i].func, inputs[i], rank == 4, at);
    result.operands.push_back(cx.inputs[i].func.name());
  }
  if (result.operands.empty()) unsupported(cx.node, "an int8 Add of two zero multipliers");
  if (cx.output.dtype == DType::I8)
    result.zero_points = {zero_point(*cx.inputs[0].type), zero_point(*cx.inputs[1].type),
                          zero_point(cx.output)};
  cx.place(cx.a.outputs[0], result, rank == 4, at);
}

// Greater, Less and Equal of floats (a bool: 1 or 0) and Where (x or y of a float type by a
// bool): one CMP each, the operands broadcast as a binary ARITH's. GreaterOrEqual and LessOrEqual:
// a CMP for `equal`, one for `ordered`, and one that picks between them.
void compare_select(Context& cx) {
  const bool where = cx.node.op == "Where";
  if (!is_chip_float(cx.inputs[where ? 1 : 0].type->dtype))
    unsupported(cx.node, "runs on the BM1684X with f32, f16 or bf16 operands only");
  const size_t rank = cx.output.shape.size();
  std::vector<size_t> read;  // the inputs that are operands, not immediates
  std::vector<StageRole> inputs;
  for (size_t i = 0; i < cx.inputs.size(); ++i)
    if (!ops::is_immediate(cx.inputs[i])) {
      read.push_back(i);
      inputs.push_back(broadcast_operand(cx, i));
    }
  cx.make_store();
  std::vector<Func> stages{cx.a.outputs[0]};
  if (cx.a.stages.equal.defined())
    stages = {cx.a.outputs[0], cx.a.stages.equal, cx.a.stages.ordered};
  std::vector<StageRole> results(stages.size(), cx.compute(TiuOp::Cmp, rank, ArithOp::Copy));
  std::vector<StageRole*> roles;
  for (StageRole& r : results) roles.push_back(&r);
  for (StageRole& r : inputs) roles.push_back(&r);
  const LoopLevel at = cx.elementwise_placement(roles);
  for (size_t k = 0; k < read.size(); ++k)
    cx.place(cx.inputs[read[k]].func, inputs[k], rank == 4, at);
  for (size_t k = 0; k < stages.size(); ++k) cx.place(stages[k], results[k], rank == 4, at);
}

// Softmax over the last axis, rows on the lanes (tiled by rows): POOL max of each row, ARITH sub
// (the max broadcast along the row), SFU exp, POOL sum, ARITH div (the sum broadcast).
void softmax(Context& cx) {
  const size_t rank = cx.output.shape.size();
  const int64_t axis = cx.node.i("axis", -1);
  if (rank < 2 || (axis != -1 && axis != int64_t(rank) - 1))
    unsupported(
        cx.node,
        "only a softmax over the last axis of a tensor of rank 2 or more runs on the BM1684X");
  if (cx.output.shape.back() > kMaxKernel)
    unsupported(cx.node,
                "a row of over " + std::to_string(kMaxKernel) + " elements has no POOL form");
  cx.make_store();
  const LoopLevel tile = cx.tile_by_rows();
  auto rows = [](StageRole r) {  // Func argument 1 on the lanes: the rows
    r.lane_dim = 1;
    return r;
  };
  auto reduced = [](StageRole r, bool sum) {  // the rows, once reduced, on the lanes
    r.lane_dim = 0;
    r.pool_sum = sum;
    return r;
  };
  StageRole sub = rows(cx.compute(TiuOp::Arith, rank, ArithOp::Sub)),
            div = rows(cx.compute(TiuOp::Arith, rank, ArithOp::Div));
  const ops::Stages& st = cx.a.stages;
  sub.operands = {cx.inputs[0].func.name(), st.max.name()};
  div.operands = {st.exp.name(), st.sum.name()};
  cx.place(cx.a.outputs[0], div, true, tile);
  cx.place(st.sum, reduced(cx.compute(TiuOp::Pool, rank), true), true, tile);
  cx.place(st.exp, rows(cx.compute(TiuOp::Sfu, rank)), true, tile);
  cx.place(st.shifted, sub, true, tile);
  cx.place(st.max, reduced(cx.compute(TiuOp::Pool, rank), false), true, tile);
  cx.place(cx.inputs[0].func, rows(cx.copy(rank)), true, tile);
}

// LayerNormalization over the last axis, rows on the lanes (tiled by rows), one command per stage:
// POOL sum, ARITH div (the mean), sub (centered), mul (square), POOL sum, div (var), add epsilon,
// SFU sqrt, div (norm), mul by the scale and add the bias, both copied once into every lane.
void layer_norm(Context& cx) {
  const size_t rank = cx.output.shape.size();
  const int64_t axis = cx.node.i("axis", -1);
  if (rank < 2 || (axis != -1 && axis != int64_t(rank) - 1))
    unsupported(cx.node, "only a normalization over the last axis runs on the BM1684X");
  if (cx.node.outputs.size() > 1)
    unsupported(cx.node, "the Mean and InvStdDev outputs have no BM1684X schedule");
  if (cx.inputs.size() < 3 || !cx.inputs[1].func.defined() || !cx.inputs[2].func.defined())
    unsupported(cx.node, "needs both scale and bias");
  if (cx.output.shape.back() > kMaxKernel)
    unsupported(cx.node,
                "a row of over " + std::to_string(kMaxKernel) + " elements has no POOL form");
  cx.make_store();
  const LoopLevel tile = cx.tile_by_rows();
  const ops::Stages& st = cx.a.stages;
  // Full rows have the rows (Func argument 1) on the lanes; reduced ones (one value per row)
  // argument 0.
  auto op = [&](TiuOp o, ArithOp arith, std::vector<Func> operands, bool reduced) {
    StageRole r = cx.compute(o, rank, arith);
    r.lane_dim = reduced ? 0 : 1;
    for (const Func& f : operands) r.operands.push_back(f.name());
    return r;
  };
  const Func x = cx.inputs[0].func, scale = cx.inputs[1].func, bias = cx.inputs[2].func;
  StageRole sum = op(TiuOp::Pool, ArithOp::Copy, {}, true),
            sqrt = op(TiuOp::Sfu, ArithOp::Copy, {}, true), input = cx.copy(rank);
  sum.pool_sum = true;
  sqrt.function = SpecialFunction::Sqrt;
  input.lane_dim = 1;
  cx.place(cx.a.outputs[0], op(TiuOp::Arith, ArithOp::Add, {st.scaled, bias}, false), true, tile);
  cx.place(st.scaled, op(TiuOp::Arith, ArithOp::Mul, {st.norm, scale}, false), true, tile);
  cx.place(st.norm, op(TiuOp::Arith, ArithOp::Div, {st.centered, st.std}, false), true, tile);
  cx.place(st.std, sqrt, true, tile);
  cx.place(st.var_eps, op(TiuOp::Arith, ArithOp::Add, {st.var}, true), true, tile);
  cx.place(st.var, op(TiuOp::Arith, ArithOp::Div, {st.square_sum}, true), true, tile);
  cx.place(st.square_sum, sum, true, tile);
  cx.place(st.square, op(TiuOp::Arith, ArithOp::Mul, {st.centered, st.centered}, false), true,
           tile);
  cx.place(st.centered, op(TiuOp::Arith, ArithOp::Sub, {x, st.mean}, false), true, tile);
  cx.place(st.mean, op(TiuOp::Arith, ArithOp::Div, {st.sum}, true), true, tile);
  cx.place(st.sum, sum, true, tile);
  cx.place(x, input, true, tile);
  StageRole everywhere = cx.copy(1);
  everywhere.every_lane = true;
  cx.place(scale, everywhere, false, tile);
  cx.place(bias, everywhere, false, tile);
}

// Lut (int8 elementwise functions): the 256-entry table once into every lane, the input into LMEM
// (placed as the conversions are), one LUT gather, the result out.
void lut(Context& cx) {
  const size_t rank = cx.output.shape.size();
  cx.make_store();
  StageRole result = cx.compute(TiuOp::Lut, rank), input = cx.copy(rank), table = cx.copy(1);
  table.every_lane = true;
  result.operands = {cx.inputs[0].func.name(), cx.inputs[1].func.name()};
  const LoopLevel at = cx.elementwise_placement({&result, &input});
  cx.place(cx.a.outputs[0], result, rank == 4, at);
  cx.place(cx.inputs[0].func, input, rank == 4, at);
  cx.place(cx.inputs[1].func, table, false, at);
}

// An elementwise float op written one operation per Func (GELU, Sigmoid, SiLU): each stage one
// ARITH (reading the Funcs `reads` names, in order) or SFU command, placed as the conversions are,
// the input copied in once.
using StageField = Func ops::Stages::*;  // nullptr: the op's result; for `reads`, also the input
struct ElementwiseStage {
  StageField stage;
  TiuOp op;
  ArithOp arith;
  std::vector<StageField> reads;
  SpecialFunction function = SpecialFunction::Exp;
};
void staged_elementwise(Context& cx, const std::vector<ElementwiseStage>& stages,
                        bool int8 = false) {
  if (cx.output.dtype == DType::I8 && !int8)
    unsupported(cx.node, "has no int8 BM1684X form (an int8 model makes it a lookup table)");
  if (!int8 && !is_chip_float(cx.output.dtype))
    unsupported(cx.node, "runs on the BM1684X in f32, f16 and bf16 only");
  const size_t rank = cx.output.shape.size();
  const Func x = cx.inputs[0].func;
  auto result = [&](StageField f) { return f ? cx.a.stages.*f : cx.a.outputs[0]; };
  auto read = [&](StageField f) { return f ? cx.a.stages.*f : x; };
  std::vector<StageRole> roles;
  for (const ElementwiseStage& e : stages) {
    StageRole r = cx.compute(e.op, rank, e.arith);
    r.function = e.function;
    for (StageField f : e.reads) r.operands.push_back(read(f).name());
    roles.push_back(r);
  }
  StageRole input = cx.copy(rank);
  std::vector<StageRole*> placed{&input};
  for (StageRole& r : roles) placed.push_back(&r);
  cx.make_store();
  const LoopLevel at = cx.elementwise_placement(placed);
  for (size_t k = 0; k < stages.size(); ++k)
    cx.place(result(stages[k].stage), roles[k], rank == 4, at);
  cx.place(x, input, rank == 4, at);
}

// GELU: ARITH mul by 1/√2, SFU erf, ARITH add 1, mul by 0.5, mul.
void gelu(Context& cx) {
  using S = ops::Stages;
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, ArithOp::Mul, {&S::half, &S::erf_plus_one}},
                          {&S::half, TiuOp::Arith, ArithOp::Mul, {nullptr}},
                          {&S::erf_plus_one, TiuOp::Arith, ArithOp::Add, {&S::erf}},
                          {&S::erf, TiuOp::Sfu, ArithOp::Copy, {}, SpecialFunction::Erf},
                          {&S::scaled, TiuOp::Arith, ArithOp::Mul, {nullptr}}});
}

// Sigmoid and SiLU: ARITH mul by −1, SFU exp, ARITH add 1, then ARITH div: 1 / · (the constant
// first) or x / ·. Tanh: mul by −2, exp, add 1, div 2 / ·, sub 1.
void sigmoid(Context& cx) {
  using S = ops::Stages;
  std::vector<ElementwiseStage> stages = {{&S::exp_plus_one, TiuOp::Arith, ArithOp::Add, {&S::exp}},
                                          {&S::exp, TiuOp::Sfu, ArithOp::Copy, {}},
                                          {&S::negated, TiuOp::Arith, ArithOp::Mul, {nullptr}}};
  if (cx.node.op == "Tanh") {
    stages.insert(stages.begin(), {{nullptr, TiuOp::Arith, ArithOp::Sub, {&S::quotient}},
                                   {&S::quotient, TiuOp::Arith, ArithOp::Div, {&S::exp_plus_one}}});
  } else {
    std::vector<StageField> quotient{&S::exp_plus_one};
    if (cx.node.op == "Silu") quotient.insert(quotient.begin(), nullptr);
    stages.insert(stages.begin(), {nullptr, TiuOp::Arith, ArithOp::Div, quotient});
  }
  staged_elementwise(cx, stages);
}

// HardSigmoid: ARITH mul by α, add β, max 0, min 1; HardSwish then multiplies by x.
void hard_sigmoid(Context& cx) {
  using S = ops::Stages;
  std::vector<ElementwiseStage> stages = {
      {&S::rectified, TiuOp::Arith, ArithOp::Max, {&S::shifted}},
      {&S::shifted, TiuOp::Arith, ArithOp::Add, {&S::scaled}},
      {&S::scaled, TiuOp::Arith, ArithOp::Mul, {nullptr}}};
  if (cx.node.op == "HardSigmoid") {
    stages.insert(stages.begin(), {nullptr, TiuOp::Arith, ArithOp::Min, {&S::rectified}});
  } else {
    stages.insert(stages.begin(), {{nullptr, TiuOp::Arith, ArithOp::Mul, {nullptr, &S::gate}},
                                   {&S::gate, TiuOp::Arith, ArithOp::Min, {&S::rectified}}});
  }
  staged_elementwise(cx, stages);
}

// LeakyRelu: ARITH mul by α, then max (min when α > 1) of x and α·x.
void leaky_relu(Context& cx) {
  using S = ops::Stages;
  staged_elementwise(
      cx, {{nullptr, TiuOp::Arith, leaky_pick(cx.node.f("alpha", 0.01)), {nullptr, &S::scaled}},
           {&S::scaled, TiuOp::Arith, ArithOp::Mul, {nullptr}}});
}

// Exp, Erf, Sqrt and Log: ARITH convert to f32, the function's SFU sequence, ARITH convert to the
// result.
void special_function(Context& cx) {
  using S = ops::Stages;
  const SpecialFunction f = ops::special_function_ops().at(cx.node.op);
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, ArithOp::Convert, {}},
                          {&S::special, TiuOp::Sfu, ArithOp::Copy, {}, f},
                          {&S::widened, TiuOp::Arith, ArithOp::Convert, {}}});
}

// Softplus: ARITH abs, mul −1, the exp sequence, add 1, the log sequence; max(x, 0), add.
void softplus(Context& cx) {
  using S = ops::Stages;
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, ArithOp::Add, {&S::rectified, &S::special}},
                          {&S::rectified, TiuOp::Arith, ArithOp::Max, {nullptr}},
                          {&S::special, TiuOp::Sfu, ArithOp::Copy, {}, SpecialFunction::Log},
                          {&S::exp_plus_one, TiuOp::Arith, ArithOp::Add, {&S::exp}},
                          {&S::exp, TiuOp::Sfu, ArithOp::Copy, {}},
                          {&S::negated, TiuOp::Arith, ArithOp::Mul, {&S::magnitude}},
                          {&S::magnitude, TiuOp::Arith, ArithOp::Abs, {}}});
}

// Abs and Floor of a float: one ARITH of one operand.
void one_operand(Context& cx) {
  const ArithOp op = cx.node.op == "Abs" ? ArithOp::Abs : ArithOp::Floor;
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, op, {}}});
}

// Neg and Reciprocal of a float: one ARITH with a constant, x · −1 and 1 / x.
void constant_operation(Context& cx) {
  const ArithOp op = cx.node.op == "Neg" ? ArithOp::Mul : ArithOp::Div;
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, op, {nullptr}}});
}

// Relu (int8 too: max with the zero point) and Clip: ARITH max by the lower bound, min by the
// upper, each bound an immediate.
void relu(Context& cx) {
  staged_elementwise(cx, {{nullptr, TiuOp::Arith, ArithOp::Max, {nullptr}}}, true);
}
void clip(Context& cx) {
  using S = ops::Stages;
  auto bound = [&](size_t i) { return cx.inputs.size() > i && cx.inputs[i].func.defined(); };
  for (size_t i = 1; i < 3; ++i)
    if (bound(i) && !ops::is_immediate(cx.inputs[i]))
      unsupported(cx.node, "runs on the BM1684X with constant float bounds only");
  if (bound(1) && bound(2))
    return staged_elementwise(cx, {{nullptr, TiuOp::Arith, ArithOp::Min, {&S::rectified}},
                                   {&S::rectified, TiuOp::Arith, ArithOp::Max, {nullptr}}});
  if (!bound(1) && !bound(2)) return convert(cx, ArithOp::Convert);
  staged_elementwise(cx,
                     {{nullptr, TiuOp::Arith, bound(1) ? ArithOp::Max : ArithOp::Min, {nullptr}}});
}

// Transpose, Slice and a Gather of one constant index: no local stage at all — the store reads the
// input in permuted order or from an offset with steps, which the generator turns into one GDMA
// copy DDR to DDR (up to 4-D, once the dimensions that stay together in both tensors are merged).
void ddr_copy(Context& cx) { cx.make_store(); }

// The store split by `fy` along the rows and `fx` along the columns, the phases unrolled
// outermost: each phase is one GDMA copy DDR to DDR into every fy-th row and fx-th column.
void copy_by_phases(Context& cx, int fy, int fx) {
  std::vector<Var> v = cx.s.store.args();
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi");
  cx.s.store.split(v[0], xo, xi, fx)
      .split(v[1], yo, yi, fy)
      .reorder(xo, yo, v[2], v[3], xi, yi)
      .unroll(xi)
      .unroll(yi);
}

// A nearest Resize by whole factors (an upsampling): no local stage; copy_by_phases by the factors
// spreads the input over every factor-th row and column of the output by strides.
void resize(Context& cx) {
  const Shape &in = cx.inputs[0].type->shape, &out = cx.output.shape;
  if (cx.node.s("mode", "nearest") != "nearest")
    unsupported(cx.node, "only a nearest resize runs on the BM1684X");
  if (cx.node.s("coordinate_transformation_mode", "") == "tf_crop_and_resize")
    unsupported(cx.node, "a crop-and-resize has no BM1684X schedule");
  if (out.size() != 4 || out[0] != in[0] || out[1] != in[1] || out[2] % in[2] || out[3] % in[3])
    unsupported(cx.node,
                "only an NCHW resize by whole factors of the rows and columns runs on the BM1684X");
  cx.make_store();
  copy_by_phases(cx, int(out[2] / in[2]), int(out[3] / in[3]));
}

// Slice: a DDR copy from an offset with steps, which GDMA strides (unsigned) cannot walk
// backwards.
void slice(Context& cx) {
  if (cx.inputs.size() > 4 && cx.inputs[4].constant)
    for (int64_t i = 0; i < cx.inputs[4].constant->size(); ++i)
      if (cx.inputs[4].constant->at(i) < 0)
        unsupported(cx.node,
                    "a Slice with a negative step has no GDMA form (strides are unsigned)");
  ddr_copy(cx);
}

// Tile: no local stage; along each repeated dimension the store is split by the input's extent,
// the repeats unrolled: one GDMA copy DDR to DDR of the whole input per repeat.
void tile(Context& cx) {
  const Shape &in = cx.inputs[0].type->shape, &out = cx.output.shape;
  if (out.size() > 4) unsupported(cx.node, "more than 4 dimensions have no GDMA form");
  int64_t copies = 1;
  for (size_t d = 0; d < out.size(); ++d) copies *= out[d] / in[d];
  if (copies > kMaxTileCopies)
    unsupported(cx.node, std::to_string(copies) +
                             " repeats would be as many GDMA copies (at most " +
                             std::to_string(kMaxTileCopies) + ")");
  cx.make_store();
  const std::vector<Var> v = cx.s.store.args();
  std::vector<VarOrRVar> inner, repeats;
  for (size_t a = 0; a < v.size(); ++a) {
    const size_t d = v.size() - 1 - a;  // the tensor dimension of Func argument a
    if (out[d] == in[d]) {
      inner.push_back(v[a]);
      continue;
    }
    Var o(v[a].name() + "_repeat"), i(v[a].name() + "_in");
    cx.s.store.split(v[a], o, i, int(in[d]), TailStrategy::RoundUp).unroll(o);
    inner.push_back(i);
    repeats.push_back(o);
  }
  inner.insert(inner.end(), repeats.begin(), repeats.end());
  cx.s.store.reorder(inner);
}

// A constant Pad: no local stage; the store is one GDMA copy of the input into the middle of the
// output, DDR to DDR, and FILLs of the border around it. The value must be a constant.
void pad(Context& cx) {
  if (cx.node.s("mode", "constant") != "constant")
    unsupported(cx.node, "reflect and edge padding have no BM1684X schedule yet");
  if (cx.inputs.size() > 2 && cx.inputs[2].func.defined() && !ops::is_immediate(cx.inputs[2]))
    unsupported(cx.node, "a padding value that is not a float constant has no BM1684X schedule");
  if (cx.output.shape.size() > 4) unsupported(cx.node, "more than 4 dimensions have no GDMA form");
  cx.make_store();
}

// DepthToSpace (both modes): the same copies, one per position inside a block, each from the
// channels that position reads (a channel stride of blocksize² in CRD mode).
void depth_to_space(Context& cx) {
  if (cx.output.shape.size() != 4) unsupported(cx.node, "the BM1684X schedule takes NCHW");
  cx.make_store();
  const int b = int(cx.node.i("blocksize", 1));
  copy_by_phases(cx, b, b);
}

// Concat: each input's copy into its slice (an update of the algorithm) is one GDMA copy (up to
// 4-D). Alone, the output is the pipeline's result itself (copies DDR to DDR, or from local
// memory inside a layer group); inside a group it stays in local memory for the nodes after it.
void concat(Context& cx) {
  if (cx.output.shape.size() > 4) unsupported(cx.node, "more than 4 dimensions have no GDMA form");
  if (cx.group.last) {
    cx.s.store = cx.a.outputs[0];
  } else {
    cx.place(cx.a.outputs[0], cx.copy(cx.output.shape.size()), true, cx.tile_by_rows());
  }
}

// StackRows: one copy per kernel row (the channels split by the input's, the kernel rows
// unrolled), with FILLs of the rows its padding adds. Alone, DDR to DDR; inside a group it stays in
// local memory for the Conv after it, copied from the input there.
void stack_rows(Context& cx) {
  Func copies = cx.a.outputs[0];
  if (cx.group.last) {
    cx.make_store();
    cx.tile_by_rows();
    copies = cx.s.store;
  } else {
    cx.place(copies, cx.copy(4), true, cx.tile_by_rows());
  }
  Var kernel_row("kernel_row"), channel("channel");
  copies.split(copies.args()[2], kernel_row, channel, int(cx.inputs[0].type->shape[1]))
      .unroll(kernel_row);
}

// Quantize and Dequantize scale by the int8 side's scale (ARITH quantize multiplies by its
// inverse). Their commands (quant.rq0, quant.dq0) run with zero point 0 only: how the chip rounds
// and saturates around a zero point is not in the public sources tpuc follows.
double int8_scale(const Context& cx, const TensorType& t) {
  if (!t.quant || t.quant->scale.size() != 1)
    unsupported(cx.node, "needs one scale on its int8 side");
  if (t.quant->zero_point != 0)
    unsupported(cx.node, "an asymmetric int8 " + cx.node.op + " has no BM1684X form yet");
  return t.quant->scale[0];
}
void quantize(Context& cx) {
  cx.scale = float(1.0 / int8_scale(cx, cx.output));
  convert(cx, ArithOp::Quantize);
}
void dequantize(Context& cx) {
  cx.scale = float(int8_scale(cx, *cx.inputs[0].type));
  convert(cx, ArithOp::Dequantize);
}
// Cast between the float types (f32, f16, bf16): one ARITH convert.
void cast(Context& cx) {
  if (!is_chip_float(cx.inputs[0].type->dtype) || !is_chip_float(cx.output.dtype))
    unsupported(cx.node, "only casts between f32, f16 and bf16 have a BM1684X form");
  convert(cx, ArithOp::Convert);
}

// How the chip runs each op it can: the schedule, and how the op sits in a layer group.
struct ChipOp {
  void (*schedule)(Context&);
  Grouping grouping;
};
constexpr Grouping kAlone = Grouping::Alone, kRows = Grouping::Rows;
constexpr Grouping kWholeInput = Grouping::WholeInput;
const std::map<std::string, ChipOp> kChipOps = {
    {"Abs", {one_operand, kRows}},
    {"Add", {[](Context& cx) { binary(cx, ArithOp::Add); }, kRows}},
    {"Cast", {cast, kRows}},
    {"Clip", {clip, kRows}},
    {"Concat", {concat, kRows}},
    {"Conv", {conv, kRows}},
    {"DepthToSpace", {depth_to_space, kAlone}},
    {"Dequantize", {dequantize, kRows}},
    {"Div", {[](Context& cx) { binary(cx, ArithOp::Div); }, kRows}},
    {"Equal", {compare_select, kRows}},
    {"Erf", {special_function, kRows}},
    {"Exp", {special_function, kRows}},
    {"Expand", {ddr_copy, kAlone}},
    {"Floor", {one_operand, kRows}},
    {"Gather", {ddr_copy, kAlone}},
    {"Gelu", {gelu, kRows}},
    {"Gemm", {gemm, kAlone}},
    {"Greater", {compare_select, kRows}},
    {"GreaterOrEqual", {compare_select, kRows}},
    {"GlobalAveragePool", {global_average_pool, kWholeInput}},
    {"HardSigmoid", {hard_sigmoid, kRows}},
    {"HardSwish", {hard_sigmoid, kRows}},
    {"LayerNormalization", {layer_norm, kAlone}},
    {"LeakyRelu", {leaky_relu, kRows}},
    {"Less", {compare_select, kRows}},
    {"LessOrEqual", {compare_select, kRows}},
    {"Log", {special_function, kRows}},
    {"Lut", {lut, kRows}},
    {"MatMul", {matmul, kAlone}},
    {"MaxPool", {maxpool, kRows}},
    {"Mul", {[](Context& cx) { binary(cx, ArithOp::Mul); }, kRows}},
    {"Neg", {constant_operation, kRows}},
    {"Pad", {pad, kAlone}},
    {"Quantize", {quantize, kRows}},
    {"Reciprocal", {constant_operation, kRows}},
    {"Relu", {relu, kRows}},
    {"Resize", {resize, kAlone}},
    {"Sigmoid", {sigmoid, kRows}},
    {"Silu", {sigmoid, kRows}},
    {"Slice", {slice, kAlone}},
    {"Softmax", {softmax, kAlone}},
    {"Softplus", {softplus, kRows}},
    {"Sqrt", {special_function, kRows}},
    {"StackRows", {stack_rows, kRows}},
    {"Sub", {[](Context& cx) { binary(cx, ArithOp::Sub); }, kRows}},
    {"Tanh", {sigmoid, kRows}},
    {"Tile", {tile, kAlone}},
    {"Transpose", {ddr_copy, kAlone}},
    {"Upsample", {resize, kAlone}},
    {"Where", {compare_select, kRows}},
};

}  // namespace

int lane_dim_of_rank(size_t rank) { return rank >= 3 ? int(rank) - 2 : 0; }

size_t elementwise_lane_dim(const Shape& out) {
  return out.size() == 4 ? 1 : size_t(std::max_element(out.begin(), out.end()) - out.begin());
}

bool broadcast_across_lanes(const Shape& in, const Shape& out) {
  if (in.size() != out.size() || out.empty()) return false;
  const size_t lane = elementwise_lane_dim(out);
  return in[lane] == 1 && out[lane] > 1;
}

int64_t tiled_extent(const Node& node, const Shape& out) {
  if (node.op == "Gemm") return out.back();
  return out.size() >= 2 ? out[out.size() - 2] : 1;
}

bool is_ddr_view(const std::string& op) {
  const ops::OpDef* def = ops::find_op(op);
  return def && def->reshape;
}

bool has_chip_schedule(const std::string& op) { return kChipOps.count(op) || is_ddr_view(op); }

Grouping chip_grouping(const std::string& op) {
  auto it = kChipOps.find(op);
  return it == kChipOps.end() ? Grouping::Alone : it->second.grouping;
}

ChipSchedule schedule_bm1684x(const Node& node, ops::Algorithm& algorithm,
                              const std::vector<ops::OpInput>& inputs, const TensorType& output,
                              TileShape tile, GroupPlacement& group) {
  auto it = kChipOps.find(node.op);
  if (it == kChipOps.end()) unsupported(node, "no BM1684X schedule for this operator");
  if (ops::FusedActivation::of(node).leaky_alpha && node.op != "Conv")
    unsupported(node, "a fused LeakyRelu has no BM1684X form yet (but in a Conv)");
  Context cx{node, algorithm, inputs, output, tile, group, {}};
  it->second.schedule(cx);
  group.placed.insert(cx.placed_here.begin(), cx.placed_here.end());
  return cx.s;
}

}  // namespace tpuc::bm1684x
