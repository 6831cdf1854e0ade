#include "schedules/host/host_schedule.h"

namespace tpuc {

using namespace Halide;

namespace {

constexpr int kVector = 8;

// Vectorizes a Func's innermost pure dimension when it is wide enough, and runs the outermost one
// in parallel; reductions stay serial over their domain.
void vectorize_and_parallelize(Func f, const Shape& shape) {
  const std::vector<Var> args = f.args();
  if (args.empty()) return;
  if (!shape.empty() && shape.back() >= kVector) {
    f.vectorize(args[0], kVector, TailStrategy::GuardWithIf);
    for (int u = 0; u < f.num_update_definitions(); ++u) f.update(u).vectorize(args[0], kVector, TailStrategy::GuardWithIf);
  }
  if (args.size() > 1 && shape.size() == args.size() && shape.front() > 1) f.parallel(args.back());
}

// Every named stage is computed once for the whole tensor; the output is vectorized and parallel.
void schedule_stages_at_root(const Node&, ops::Algorithm& a, const Shape& out_shape) {
  for (auto& [name, stage] : a.stages)
    if (stage.name() != a.outputs[0].name()) stage.compute_root();
  for (Func& out : a.outputs) vectorize_and_parallelize(out, out_shape);
}

// Conv and Gemm: accumulate one output row at a time in a vector-friendly layout.
void schedule_accumulation(const Node& n, ops::Algorithm& a, const Shape& out_shape) {
  Func out = a.outputs[0], acc = a.stages.at("acc");
  if (a.stages.count("pad")) a.stages.at("pad").compute_root();
  const std::vector<Var> v = out.args();
  vectorize_and_parallelize(out, out_shape);
  acc.compute_at(out, v[1]);
  if (out_shape.back() >= kVector) {
    acc.vectorize(acc.args()[0], kVector, TailStrategy::GuardWithIf);
    acc.update().vectorize(acc.args()[0], kVector, TailStrategy::GuardWithIf);
  }
}

using Schedule = void (*)(const Node&, ops::Algorithm&, const Shape&);
const std::map<std::string, Schedule> kSchedules = {
    {"Conv", schedule_accumulation},
    {"Gemm", schedule_accumulation},
    {"MatMul", schedule_accumulation},
};

}  // namespace

void schedule_host(const Node& node, ops::Algorithm& algorithm, const Shape& out_shape) {
  auto it = kSchedules.find(node.op);
  (it == kSchedules.end() ? schedule_stages_at_root : it->second)(node, algorithm, out_shape);
}

Target host_jit_target() {
  // Halide 14 reads AVX512-BF16 + VNNI (e.g. AMD Zen 4) as Sapphire Rapids and then emits
  // VEX-encoded AVX-VNNI, which such CPUs lack; the rest of the detected features are sound.
  return get_jit_target_from_environment().without_feature(Target::AVX512_SapphireRapids);
}

}  // namespace tpuc
