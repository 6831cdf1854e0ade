#include "schedules/host/host_schedule.h"

#include <algorithm>

#include "ops/attrs.h"
#include "ops/conv_geometry.h"

namespace tpuc {

using namespace Halide;

namespace {

// Floats per vector register of the host (16 with AVX-512, 8 with AVX2): register tiles hold 16
// such vectors, so a narrower machine keeps them in its registers too.
const int kVector = host_jit_target().natural_vector_size(Float(32));

// The results a parallel task computes at least, where a schedule can choose (starting a task
// costs about as much as computing a few thousand results of a light layer).
constexpr int64_t kTaskOutputs = 4096;

// The indices of a parallel loop one task takes, when each index computes `results` results.
int indices_per_task(int64_t results) {
  return int(std::max<int64_t>(1, kTaskOutputs / std::max<int64_t>(results, 1)));
}

// Vectorizes a Func's innermost pure dimension when it is wide enough, and runs the outermost one
// with more than one element in parallel (a batch of one is not), in tasks of kTaskOutputs results
// or more; reductions stay serial over their domain. An update that writes positions it computes
// (a scatter) keeps no pure dimension to vectorize.
void vectorize_and_parallelize(Func f, const Shape& shape) {
  const std::vector<Var> args = f.args();
  if (args.empty()) return;
  const bool wide = !shape.empty() && shape.back() >= kVector;
  if (wide) f.vectorize(args[0], kVector, TailStrategy::GuardWithIf);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    const Internal::Variable* x = f.update_args(u)[0].as<Internal::Variable>();
    if (wide && x && x->name == args[0].name()) {
      f.update(u).vectorize(args[0], kVector, TailStrategy::GuardWithIf);
    } else {
      f.update(u).unscheduled();
    }
  }
  if (shape.size() != args.size()) return;
  size_t outer = args.size() - 1;  // args[d] runs along shape[rank - 1 - d]
  while (outer > 0 && shape[shape.size() - 1 - outer] == 1) --outer;
  if (outer == 0) return;
  int64_t inner = 1;  // the results of one index of the parallel dimension
  for (size_t d = 0; d < outer; ++d) inner *= shape[shape.size() - 1 - d];
  f.parallel(args[outer], indices_per_task(inner), TailStrategy::GuardWithIf);
}

// Every named stage is computed once for the whole tensor; the output, and every stage of its
// shape (an elementwise step: GELU's erf, Softmax's exponentials), is vectorized and parallel.
void schedule_stages_at_root(const Node&, ops::Algorithm& a, const Shape& out_shape) {
  for (Func stage : a.stages.defined()) {
    if (stage.name() == a.outputs[0].name()) continue;
    stage.compute_root();
    if (stage.dimensions() == int(out_shape.size())) vectorize_and_parallelize(stage, out_shape);
  }
  for (Func& out : a.outputs) vectorize_and_parallelize(out, out_shape);
}

// Conv, Gemm and MatMul: each task accumulates a tile of `lanes` outputs along the innermost
// dimension × `rows` outputs along `row_dim` (output channels, or rows of the product) over the
// whole reduction. The tile is 16 vector accumulators of fixed size, so LLVM keeps it in registers;
// every input vector loaded is reused across the rows and every weight across the lanes.
void schedule_register_blocked(ops::Algorithm& a, const Shape& out_shape, int row_dim) {
  Func out = a.outputs[0], acc = a.stages.acc;
  if (a.stages.requant.defined()) a.stages.requant.compute_root();
  // A padded input is copied once; an unpadded one (a plain call of the input) is read in place.
  Func pad = a.stages.pad;
  if (pad.defined() && pad.value().as<Internal::Select>())
    vectorize_and_parallelize(pad.compute_root(), out_shape);
  const int64_t width = out_shape.back(), rows = out_shape[out_shape.size() - 1 - size_t(row_dim)];
  const int lanes = int(std::min<int64_t>(width >= 2 * kVector ? 2 * kVector : kVector, width));
  int block = 16 * kVector / std::max(lanes, kVector);
  while (block > rows)
    block /= 2;  // ShiftInwards tiles must fit: the last tile overlaps the one before

  const std::vector<Var> v = out.args();
  Var xo("xo"), xi("xi"), ro("ro"), ri("ri");
  out.split(v[0], xo, xi, lanes).split(v[size_t(row_dim)], ro, ri, block);
  std::vector<VarOrRVar> order{xi, ri, xo};
  for (size_t d = 1; d < v.size(); ++d) order.push_back(int(d) == row_dim ? ro : v[d]);
  out.reorder(order).vectorize(xi, std::min(lanes, kVector)).parallel(rows / block > 1 ? ro : xo);

  const std::vector<Var> w = acc.args();
  const Var ax = w[0], ar = w[size_t(row_dim)];
  Var axo("axo"), axi("axi");
  std::vector<VarOrRVar> inner{axi, axo, ar};
  for (const RDom& r : a.reductions)
    for (int d = 0; d < r.dimensions(); ++d) inner.push_back(RVar(r[d]));
  const int vector = std::min(lanes, kVector);
  acc.compute_at(out, xo).split(ax, axo, axi, vector).vectorize(axi).unroll(axo).unroll(ar);
  acc.update().split(ax, axo, axi, vector).reorder(inner).vectorize(axi).unroll(axo).unroll(ar);
  // A weight row stride that is a multiple of 4 KiB puts every row of the block in the same L1 set;
  // such blocks are copied once per row block so the rows of one reduction step are adjacent.
  int64_t reduction = 1;
  for (const RDom& r : a.reductions)
    for (int d = 0; d < r.dimensions(); ++d) reduction *= *as_const_int(r[d].extent());
  if (a.stages.weights.defined() && reduction % 1024 == 0) {
    Func weights = a.stages.weights.in(acc);
    const std::vector<Var> wv = weights.args();
    weights.compute_at(out, ro).reorder_storage(wv.back(), wv[0]);
  }
}

// Concat: each input's copy (an update over its domain) vectorized along its innermost dimension.
void schedule_concat(const Node&, ops::Algorithm& a, const Shape&) {
  Func out = a.outputs[0];
  for (int u = 0; u < out.num_update_definitions(); ++u) {
    const RDom& r = a.reductions.at(size_t(u));
    if (*as_const_int(r[0].extent()) >= kVector)
      out.update(u).vectorize(r[0], kVector, TailStrategy::GuardWithIf);
  }
}

// A Conv whose every output channel is its own group (depthwise, as MobileNet's 3×3 layers): no
// input is shared across output channels, so instead of a register tile across them each task
// computes one channel, vectors along its rows, reading that channel's padded plane, made just
// before it while the cache still holds it (a whole padded tensor went to memory and back).
void schedule_depthwise(ops::Algorithm& a, const Shape& out_shape) {
  Func out = a.outputs[0], acc = a.stages.acc;
  const std::vector<Var> v = out.args();  // x, y, c, n
  const int lanes = int(std::min<int64_t>(kVector, out_shape.back()));
  Var xo("xo"), xi("xi");
  out.split(v[0], xo, xi, lanes).reorder(xi, xo, v[1], v[2], v[3]).vectorize(xi);
  // Several channels a task where a channel is small: a 7×7 one is less work than starting a task.
  out.parallel(v[2], indices_per_task(out_shape[2] * out_shape[3]), TailStrategy::GuardWithIf);
  if (a.stages.requant.defined()) a.stages.requant.compute_root();
  Func pad = a.stages.pad;
  if (pad.defined() && pad.value().as<Internal::Select>())
    pad.compute_at(out, v[2]).vectorize(pad.args()[0], lanes, TailStrategy::GuardWithIf);
  const Var ax = acc.args()[0];
  std::vector<VarOrRVar> inner{ax};
  for (const RDom& r : a.reductions)
    for (int d = 0; d < r.dimensions(); ++d) inner.push_back(RVar(r[d]));
  acc.compute_at(out, xo).vectorize(ax);
  acc.update().reorder(inner).vectorize(ax);
  for (size_t d = 1; d < inner.size(); ++d) acc.update().unroll(inner[d].rvar);
}

void schedule_conv(const Node& n, ops::Algorithm& a, const Shape& out_shape) {
  const bool depthwise =
      out_shape.size() == 4 && n.i("group", 1) == out_shape[1] && out_shape[1] > 1;
  if (depthwise) return schedule_depthwise(a, out_shape);
  schedule_register_blocked(a, out_shape, 2);
}
void schedule_product(const Node&, ops::Algorithm& a, const Shape& out_shape) {
  schedule_register_blocked(a, out_shape, 1);
}

using Schedule = void (*)(const Node&, ops::Algorithm&, const Shape&);
const std::map<std::string, Schedule> kSchedules = {
    {"Concat", schedule_concat},
    {"Conv", schedule_conv},
    {"Gemm", schedule_product},
    {"MatMul", schedule_product},
};

}  // namespace

void schedule_host(const Node& node, ops::Algorithm& algorithm, const Shape& out_shape) {
  auto it = kSchedules.find(node.op);
  (it == kSchedules.end() ? schedule_stages_at_root : it->second)(node, algorithm, out_shape);
}

std::vector<Shape> host_shapes(const Node& node, std::vector<Shape> shapes) {
  if (node.op != "Conv" || shapes[0].size() != 4 || shapes[1].size() != 4) return shapes;
  const Shape& w = shapes[1];
  const ops::ConvGeometry g = ops::conv_geometry(node, shapes[0], {w[2], w[3]});
  const auto all = [](const std::vector<int64_t>& v, int64_t value) {
    return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == value; });
  };
  const bool pointwise =
      w[2] == 1 && w[3] == 1 && all(g.strides, 1) && all(g.dilations, 1) && all(g.pads, 0);
  if (!pointwise) return shapes;
  for (Shape* s : {&shapes[0], &shapes[node.inputs.size()]})
    *s = {(*s)[0], (*s)[1], 1, (*s)[2] * (*s)[3]};
  return shapes;
}

std::vector<int> packed_layout(const Node& node, size_t input) {
  // A Gemm's B read across its rows (transB, as a linear layer's weights [N, K] are) is stored
  // with its columns adjacent: the register tile loads vectors of B instead of gathering them.
  if (node.op == "Gemm" && input == 1 && ops::GemmAttrs::of(node).trans_b) return {1, 0};
  return {};
}

Target host_jit_target() {
  // Halide 14 reads AVX512-BF16 + VNNI (e.g. AMD Zen 4) as Sapphire Rapids and then emits
  // VEX-encoded AVX-VNNI, which such CPUs lack; the rest of the detected features are sound.
  return get_jit_target_from_environment().without_feature(Target::AVX512_SapphireRapids);
}

}  // namespace tpuc
