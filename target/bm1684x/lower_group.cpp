#include "target/bm1684x/lower_group.h"

#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;

namespace {

// Dense row-major bounds on every dimension, so every extent and stride lowers to a constant.
template <class P>
void fix_shape(P&& dims, const Shape& shape) {
  int stride = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    const int extent = int(shape[shape.size() - 1 - d]);
    dims(int(d)).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
  }
}

class StripAsserts : public IRMutator {
  using IRMutator::visit;
  Stmt visit(const AssertStmt*) override { return Evaluate::make(0); }
};

// strict_float in an index (a nearest Resize's source coordinate) would keep the simplifier from
// folding it to a constant at the generator's loop points; an index only becomes an address.
class FoldableIndices : public IRMutator {
  using IRMutator::visit;
  class Strip : public IRMutator {
    using IRMutator::visit;
    Expr visit(const Call* op) override {
      return op->is_intrinsic(Call::strict_float) ? mutate(op->args[0]) : IRMutator::visit(op);
    }
  };
  Expr visit(const Load* op) override {
    return Load::make(op->type, op->name, Strip().mutate(op->index), op->image, op->param,
                      mutate(op->predicate), op->alignment);
  }
};

// Replaces every LetStmt and Let by its value, so index expressions are closed forms of loop
// variables.
class InlineLets : public IRMutator {
  using IRMutator::visit;
  Stmt visit(const LetStmt* op) override {
    return mutate(substitute(op->name, mutate(op->value), op->body));
  }
  Expr visit(const Let* op) override {
    return mutate(substitute(op->name, mutate(op->value), op->body));
  }
};

// Halide's constant buffers: the Loads reading them carry the Buffer.
class FindBuffers : public IRGraphVisitor {
 public:
  std::map<std::string, Buffer<>> found;
  using IRGraphVisitor::visit;
  void visit(const Load* op) override {
    if (op->image.defined()) found[op->name] = op->image;
    IRGraphVisitor::visit(op);
  }
};

}  // namespace

LoweredGroup lower_group(const std::vector<const Node*>& nodes, const Graph& graph,
                         TileShape tile) {
  LoweredGroup out;
  const Node& last = *nodes.back();
  // Each value the group reads from DDR: one parameter and one wrapper Func, loaded once.
  std::map<std::string, Func> funcs;  // value → the Func holding it (a node's result, or a wrapper)
  std::vector<Argument> args;
  auto external = [&](const std::string& v) {
    const TensorType& t = graph.type(v);
    ImageParam p(ops::halide_type(t.dtype), int(t.shape.size()),
                 ops::halide_name(last.name) + "_in" + std::to_string(args.size()));
    fix_shape([&](int d) { return p.dim(d); }, t.shape);
    Func f(p.name() + "_lmem");
    const std::vector<Var> vars = ops::make_vars(t.shape.size());
    f(vars) = p(std::vector<Expr>(vars.begin(), vars.end()));
    out.params[p.name()] = v;
    args.push_back(p);
    return funcs[v] = f;
  };
  std::vector<ops::Algorithm> algorithms;
  std::vector<std::vector<ops::OpInput>> inputs;
  for (const Node* n : nodes) {
    std::vector<ops::OpInput> in(n->inputs.size());
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const std::string& v = n->inputs[i];
      if (v.empty()) continue;
      in[i].type = &graph.type(v);
      auto c = graph.constants.find(v);
      if (c != graph.constants.end()) in[i].constant = &c->second;
      in[i].func = funcs.count(v) ? funcs.at(v) : external(v);
    }
    const TensorType& result = graph.type(n->outputs.at(0));
    ops::Algorithm algorithm = ops::op_of(*n).build(*n, in, {result});
    Func& computed = algorithm.outputs[0];
    if (computed.value().type() !=
        ops::halide_type(result.dtype)) {  // an f32 result of a f16/bf16 layer: rounded once
      Func rounded(computed.name() + "_" + name(result.dtype));
      rounded(computed.args()) = cast(ops::halide_type(result.dtype), computed(computed.args()));
      computed = rounded;
    }
    funcs[n->outputs[0]] = computed;
    // The numbers the algorithm reads as parameters (a conversion's scale): the commands take
    // them from the schedule; they are arguments here only so that Halide accepts the pipeline.
    args.insert(args.end(), algorithm.parameters.begin(), algorithm.parameters.end());
    algorithms.push_back(algorithm);
    inputs.push_back(in);
  }

  // The last node first: it makes the store and the tile loop the others compute at.
  GroupPlacement group;
  for (size_t k = 0; k + 1 < nodes.size(); ++k)
    group.produced.insert(algorithms[k].outputs[0].name());
  const TensorType& result = graph.type(last.outputs[0]);
  out.schedule = schedule_bm1684x(last, algorithms.back(), inputs.back(), result, tile, group);
  group.last = false;
  group.tile = out.schedule.tile;
  for (size_t k = 0; k + 1 < nodes.size(); ++k) {
    const ChipSchedule s = schedule_bm1684x(*nodes[k], algorithms[k], inputs[k],
                                            graph.type(nodes[k]->outputs[0]), tile, group);
    out.schedule.stages.insert(s.stages.begin(), s.stages.end());
  }

  Func store = out.schedule.store;
  fix_shape([&](int d) { return store.output_buffer().dim(d); }, result.shape);
  out.params[store.name()] = last.outputs[0];
  const Target target = Target(Target::OSUnknown, Target::ArchUnknown, 64)
                            .with_feature(Target::NoAsserts)
                            .with_feature(Target::NoBoundsQuery)
                            .with_feature(Target::NoRuntime);
  Stmt body;
  try {
    body =
        store.compile_to_module(args, ops::halide_name(last.name), target).functions().at(0).body;
  } catch (const Halide::Error&
               e) {  // a schedule Halide rejects (a member that cannot compute at the tile loop)
    const std::string what = e.what();
    unsupported(last, "Halide rejects the schedule: " + what.substr(0, what.find('\n')));
  }
  body = FoldableIndices().mutate(InlineLets().mutate(simplify(StripAsserts().mutate(body))));
  out.body = simplify(body);
  FindBuffers buffers;
  out.body.accept(&buffers);
  out.buffers = buffers.found;
  return out;
}

}  // namespace tpuc::bm1684x
