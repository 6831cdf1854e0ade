#include "backend/host/executor.h"

#include "ir/diagnostics.h"
#include "ops/op.h"
#include "schedules/host/host_schedule.h"

namespace tpuc::host {

namespace {

std::vector<int> halide_sizes(const Shape& s) { return std::vector<int>(s.rbegin(), s.rend()); }

Halide::Buffer<> wrap(Tensor& t) {
  return Halide::Buffer<>(ops::halide_type(t.type.dtype), t.data.data(), halide_sizes(t.type.shape));
}

// One node, compiled once: its non-constant inputs are ImageParams with fixed, dense shapes.
struct NodeProgram {
  const Node* node;
  std::vector<std::pair<size_t, Halide::ImageParam>> params;  // node input index → parameter
  Halide::Pipeline pipeline;
  bool compiled = false;
};

}  // namespace

struct Executor::Impl {
  Graph graph;
  std::vector<NodeProgram> programs;
  Halide::Target target = host_jit_target();

  void build(NodeProgram& p) {
    const Node& n = *p.node;
    const ops::OpDef* def = ops::find_op(n.op);
    if (!def) throw Error("node '" + n.name + "': operator " + n.op + " is not supported by the host executor");
    std::vector<ops::OpInput> inputs;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      ops::OpInput in;
      if (n.inputs[i].empty()) {
        inputs.push_back(in);
        continue;
      }
      in.type = &graph.type(n.inputs[i]);
      const std::vector<Halide::Var> vars(in.type->shape.size());
      auto constant = graph.constants.find(n.inputs[i]);
      if (constant != graph.constants.end()) {
        in.constant = &constant->second;
        Halide::Buffer<> data = wrap(constant->second);
        std::vector<Halide::Expr> args(vars.begin(), vars.end());
        in.func(vars) = data(args);
      } else {
        Halide::ImageParam param(ops::halide_type(in.type->dtype), int(in.type->shape.size()), ops::halide_name(n.name) + "_in" + std::to_string(i));
        int stride = 1;
        for (int d = 0; d < param.dimensions(); ++d) {
          const int extent = int(in.type->shape[in.type->shape.size() - 1 - size_t(d)]);
          param.dim(d).set_bounds(0, extent).set_stride(stride);
          stride *= extent;
        }
        in.func(vars) = param(std::vector<Halide::Expr>(vars.begin(), vars.end()));
        p.params.emplace_back(i, param);
      }
      inputs.push_back(in);
    }
    std::vector<TensorType> out_types;
    for (const std::string& o : n.outputs) out_types.push_back(graph.type(o));
    ops::Algorithm algorithm = def->build(n, inputs, out_types);
    schedule_host(n, algorithm, out_types[0].shape);
    p.pipeline = Halide::Pipeline(algorithm.outputs);
    p.pipeline.compile_jit(target);
    p.compiled = true;
  }
};

Executor::Executor(const Graph& g) : impl_(std::make_unique<Impl>()) {
  impl_->graph = g;
  for (const Node& n : impl_->graph.nodes) impl_->programs.push_back({&n, {}, {}, false});
}

Executor::~Executor() = default;

TensorMap Executor::run(const TensorMap& inputs, bool keep_all) {
  Graph& g = impl_->graph;
  TensorMap values;
  for (const std::string& name : g.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error("missing input '" + name + "'");
    const TensorType& want = g.type(name);
    if (it->second.type.dtype != want.dtype || it->second.type.shape != want.shape)
      throw Error("input '" + name + "' is " + to_string(it->second.type) + ", the model expects " + to_string(want));
    values[name] = it->second;
  }
  for (NodeProgram& p : impl_->programs) {
    if (!p.compiled) impl_->build(p);
    for (auto& [index, param] : p.params) param.set(wrap(values.at(p.node->inputs[index])));
    std::vector<Halide::Buffer<>> outs;
    for (const std::string& o : p.node->outputs) {
      Tensor t(g.type(o));
      values[o] = std::move(t);
      outs.push_back(wrap(values[o]));
    }
    p.pipeline.realize(Halide::Realization(outs), impl_->target);
  }
  if (keep_all) {
    for (const auto& [name, t] : g.constants) values.emplace(name, t);
    return values;
  }
  TensorMap result;
  for (const std::string& o : g.outputs) result[o] = g.is_constant(o) ? g.constants.at(o) : values.at(o);
  return result;
}

}  // namespace tpuc::host
