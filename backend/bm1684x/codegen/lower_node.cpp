#include "backend/bm1684x/codegen/lower_node.h"

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

// Replaces every LetStmt and Let by its value, so index expressions are closed forms of loop variables.
class InlineLets : public IRMutator {
  using IRMutator::visit;
  Stmt visit(const LetStmt* op) override { return mutate(substitute(op->name, mutate(op->value), op->body)); }
  Expr visit(const Let* op) override { return mutate(substitute(op->name, mutate(op->value), op->body)); }
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

LoweredNode lower_node(const Node& node, const Graph& graph, int tile_rows) {
  LoweredNode out;
  std::vector<ops::OpInput> inputs;
  std::vector<Argument> args;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    ops::OpInput in;
    if (!node.inputs[i].empty()) {
      in.type = &graph.type(node.inputs[i]);
      auto c = graph.constants.find(node.inputs[i]);
      if (c != graph.constants.end()) in.constant = &c->second;
      ImageParam p(ops::halide_type(in.type->dtype), int(in.type->shape.size()), ops::halide_name(node.name) + "_in" + std::to_string(i));
      fix_shape([&](int d) { return p.dim(d); }, in.type->shape);
      Func f(p.name() + "_lmem");
      const std::vector<Var> vars = ops::make_vars(in.type->shape.size());
      f(vars) = p(std::vector<Expr>(vars.begin(), vars.end()));
      in.func = f;
      out.params[p.name()] = int(i);
      args.push_back(p);
    }
    inputs.push_back(in);
  }
  const TensorType& result = graph.type(node.outputs.at(0));
  ops::Algorithm algorithm = ops::find_op(node.op)->build(node, inputs, {result});
  Func& computed = algorithm.outputs[0];
  if (computed.value().type() != ops::halide_type(result.dtype)) {  // an f32 result of a f16/bf16 layer: rounded once
    Func rounded(computed.name() + "_" + name(result.dtype));
    rounded(computed.args()) = cast(ops::halide_type(result.dtype), computed(computed.args()));
    computed = rounded;
  }
  out.schedule = schedule_bm1684x(node, algorithm, inputs, result, tile_rows);
  Func store = out.schedule.store;
  fix_shape([&](int d) { return store.output_buffer().dim(d); }, result.shape);
  out.output_name = store.name();
  out.params[store.name()] = -1;
  const Target target = Target(Target::OSUnknown, Target::ArchUnknown, 64)
                            .with_feature(Target::NoAsserts)
                            .with_feature(Target::NoBoundsQuery)
                            .with_feature(Target::NoRuntime);
  Module m = store.compile_to_module(args, ops::halide_name(node.name), target);
  Stmt body = m.functions().at(0).body;
  body = InlineLets().mutate(simplify(StripAsserts().mutate(body)));
  out.body = simplify(body);
  FindBuffers buffers;
  out.body.accept(&buffers);
  out.buffers = buffers.found;
  return out;
}

}  // namespace tpuc::bm1684x
