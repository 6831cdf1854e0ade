#include "target/host/executor.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>

#include "ir/diagnostics.h"
#include "ir/parallel.h"
#include "ir/text.h"
#include "ops/attrs.h"
#include "ops/op.h"
#include "schedules/host/host_schedule.h"
#include "target/host/inline_special_functions.h"
#include "target/host/kernel_cache.h"
#include "target/host/narrow_products.h"

namespace tpuc::host {

namespace {

// An f32 value rounded to f16 or bf16 as the chip's conversion (ir/quant_math.h's to_f16, to_bf16)
// rounds it: to nearest even, and a NaN stays a quiet NaN with its sign (Halide's f16 cast makes
// it an infinity).
Halide::Expr round_half(const Halide::Expr& f32, DType t) {
  const Halide::Expr high = Halide::cast<uint16_t>(Halide::reinterpret<uint32_t>(f32) >> 16);
  const Halide::Expr nan = t == DType::F16 ? (high & 0x8000) | 0x7e00 : high | 0x40;
  return Halide::select(Halide::is_nan(f32), Halide::reinterpret(ops::halide_type(t), nan),
                        Halide::cast(ops::halide_type(t), f32));
}

std::vector<int> halide_sizes(const Shape& s) { return std::vector<int>(s.rbegin(), s.rend()); }

// t's bytes as a buffer of `shape` (its own by default; host_shapes may pass another form).
Halide::Buffer<> wrap(const Tensor& t, const Shape* shape = nullptr) {
  return Halide::Buffer<>(ops::halide_type(t.type.dtype), const_cast<uint8_t*>(t.data.data()),
                          halide_sizes(shape ? *shape : t.type.shape));
}

// An argument of `type` with these extents (innermost first), stored densely in `order` (Halide
// dimensions, innermost first; empty: row-major).
Halide::ImageParam dense_param(Halide::Type type, const std::vector<int>& extents,
                               std::vector<int> order, const std::string& name) {
  Halide::ImageParam param(type, int(extents.size()), name);
  for (int d = 0; order.size() < extents.size(); ++d) order.push_back(d);
  int stride = 1;
  for (int d : order) {
    param.dim(d).set_bounds(0, extents[size_t(d)]).set_stride(stride);
    stride *= extents[size_t(d)];
  }
  return param;
}

// One compiled node, shared by the nodes with its key: its runtime inputs (including constant
// data) are arguments with fixed, dense shapes, then its tables and parameters, then its outputs.
struct Kernel {
  std::vector<size_t> inputs;             // the node input of each argument
  std::vector<std::vector<int>> layouts;  // each argument's storage order (empty: row-major)
  std::vector<Shape> shapes;              // each argument's shape, then each result's (host_shapes)
  KernelEntry entry;
};

// Input i of n is a constant whose value the op may read while building its algorithm (a shape
// or control operand, or a scalar it makes an immediate): it is compiled into the kernel and is
// part of its key. Other constants (weights, biases) are arguments, so layers that differ only in
// them share a kernel.
bool baked(const Graph& g, const Node& n, size_t i) {
  const std::string& v = n.inputs[i];
  if (v.empty() || !g.is_constant(v)) return false;
  const ops::OpDef& def = ops::op_of(n);
  return def.is_shape_operand(i) || def.is_control_operand(i) ||
         g.constants.at(v).type.num_elements() == 1;
}

// The storage order input i of node n is passed in (schedules/host: packed_layout), empty for
// row-major. Only a constant is packed: once, for every run.
std::vector<int> layout_of(const Graph& g, const Node& n, size_t i) {
  return g.is_constant(n.inputs[i]) && !baked(g, n, i) ? packed_layout(n, i) : std::vector<int>{};
}

// A node's algorithm with its kernel's arguments: what a kernel is compiled from. The tables it
// defines from the node's attributes (the requantization table) and its parameters are arguments
// too: the node's own values, passed in on every run.
struct KernelSource {
  std::shared_ptr<Kernel> kernel = std::make_shared<Kernel>();  // entry not yet set
  std::vector<Halide::Argument> arguments;
  ops::Algorithm algorithm;
  std::vector<Shape> shapes;  // host_shapes: of the inputs (empty when absent), then the results
  std::vector<TensorType> types, out_types;  // what the algorithm sees (f16 and bf16 as f32)
  std::vector<Tensor> widened;               // f32 copies of baked half-precision constants
  std::vector<Halide::Buffer<>> tables;
  std::vector<float> parameters;  // the values of algorithm.parameters

  KernelSource(const Graph& g, const Node& n);

 private:
  ops::OpInput input(const Graph& g, const Node& n, size_t i);
  void table_argument(Halide::Func& table);
};

bool is_half(DType t) { return t == DType::F16 || t == DType::BF16; }

ops::OpInput KernelSource::input(const Graph& g, const Node& n, size_t i) {
  ops::OpInput in;
  if (n.inputs[i].empty()) return in;
  const TensorType& stored = g.type(n.inputs[i]);
  types[i] = stored;
  if (is_half(stored.dtype)) types[i].dtype = DType::F32;
  in.type = &types[i];
  if (baked(g, n, i)) {
    const std::vector<Halide::Var> vars(stored.shape.size());
    const std::vector<Halide::Expr> args(vars.begin(), vars.end());
    const Tensor& t = g.constants.at(n.inputs[i]);
    widened[i] = is_half(stored.dtype) ? convert_float(t, DType::F32) : t;
    in.constant = &widened[i];
    in.func(vars) = wrap(widened[i]).copy()(args);  // the kernel outlives this graph
    return in;
  }
  types[i].shape = shapes[i];
  kernel->layouts.push_back(layout_of(g, n, i));
  kernel->inputs.push_back(i);
  kernel->shapes.push_back(shapes[i]);
  const std::vector<Halide::Var> vars(shapes[i].size());
  const std::vector<Halide::Expr> args(vars.begin(), vars.end());
  Halide::ImageParam param =
      dense_param(ops::halide_type(stored.dtype), halide_sizes(shapes[i]), kernel->layouts.back(),
                  ops::halide_name(n.name) + "_in" + std::to_string(i));
  in.func(vars) = is_half(stored.dtype) ? Halide::cast<float>(param(args)) : param(args);
  arguments.push_back(param);
  return in;
}

// `table` is defined as table(k, c) = buffer(k, c) with a constant buffer (ops/families.h,
// requantization_table): it reads an argument instead, and the buffer is kept to pass in.
void KernelSource::table_argument(Halide::Func& table) {
  Halide::Internal::Function f = table.function();
  const auto* call = f.definition().values().at(0).as<Halide::Internal::Call>();
  if (!call || !call->image.defined())
    TPUC_INTERNAL_ERROR("table '" + table.name() + "' is not a constant buffer's values");
  const Halide::Buffer<> buffer = call->image;
  std::vector<int> extents;
  for (int d = 0; d < buffer.dimensions(); ++d) extents.push_back(buffer.dim(d).extent());
  Halide::ImageParam param = dense_param(buffer.type(), extents, {}, table.name() + "_table");
  f.definition().values()[0] = param(table.args());
  arguments.push_back(param);
  tables.push_back(buffer);
}

KernelSource::KernelSource(const Graph& g, const Node& n)
    : types(n.inputs.size()), widened(n.inputs.size()) {
  for (const std::string& i : n.inputs) shapes.push_back(i.empty() ? Shape{} : g.type(i).shape);
  for (const std::string& o : n.outputs) shapes.push_back(g.type(o).shape);
  shapes = host_shapes(n, shapes);
  std::vector<ops::OpInput> inputs;
  for (size_t i = 0; i < n.inputs.size(); ++i) inputs.push_back(input(g, n, i));
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    out_types.push_back(g.type(n.outputs[k]));
    out_types.back().shape = shapes[n.inputs.size() + k];
    kernel->shapes.push_back(out_types.back().shape);
    if (is_half(out_types.back().dtype)) out_types.back().dtype = DType::F32;
  }
  algorithm = ops::op_of(n).build(n, inputs, out_types);
  if (algorithm.stages.requant.defined()) table_argument(algorithm.stages.requant);
  for (const Halide::Param<float>& p : algorithm.parameters) {
    arguments.push_back(p);
    parameters.push_back(p.get());
  }
}

// A value's type as far as a kernel depends on it: without its scales (ops::Algorithm::parameters).
TensorType key_type(TensorType t) {
  if (t.quant) t.quant->scale.clear();
  return t;
}

// What a kernel depends on, as text: the node with canonical value names, its types, and the
// contents of the constants it bakes in; not the values its tables are made from.
std::string kernel_key(const Graph& g, const Node& n, const KernelSource& source) {
  Graph key;
  Node k{n.op, "k", {}, {}, n.attrs};
  if (!source.tables.empty()) ops::Requantization::erase(k);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const std::string& in = n.inputs[i];
    k.inputs.push_back(in.empty() ? "" : "i" + std::to_string(i));
    if (in.empty()) continue;
    if (baked(g, n, i)) {
      key.constants[k.inputs.back()] = g.constants.at(in);
    } else {
      key.inputs.push_back(k.inputs.back());
      key.types[k.inputs.back()] = key_type(g.type(in));
    }
    const std::vector<int> layout = layout_of(g, n, i);
    if (!layout.empty())
      k.attrs["layout_of_" + k.inputs.back()] = std::vector<int64_t>(layout.begin(), layout.end());
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    k.outputs.push_back("o" + std::to_string(i));
    key.types[k.outputs.back()] = key_type(g.type(n.outputs[i]));
  }
  key.nodes = {k};
  return print(key);
}

// A node whose every output is empty: nothing to compute (and Halide cannot bind zero-extent
// buffers).
bool produces_nothing(const Graph& g, const Node& n) {
  return std::all_of(n.outputs.begin(), n.outputs.end(),
                     [&](const std::string& o) { return g.type(o).num_elements() == 0; });
}

// A reshape (ops/registry.h) of a value of the same element type: its result is the input's bytes,
// copied with no kernel.
bool copies_bytes(const Graph& g, const Node& n) {
  return ops::op_of(n).reshape && g.type(n.outputs.at(0)).dtype == g.type(n.inputs.at(0)).dtype;
}

// f16 and bf16 layers compute as the chip does: operands widened to f32 (exact), the op's f32
// algorithm, each result rounded once to the layer's type (Halide's casts round to nearest even,
// as ir/quant_math.h; tests/ops checks they agree). Every op gets this from its f32 algorithm.
std::shared_ptr<const Kernel> compile(const Graph& g, const Node& n, KernelSource& source,
                                      const std::string& key, const Halide::Target& target) {
  ops::Algorithm& algorithm = source.algorithm;
  schedule_host(n, algorithm, source.out_types[0].shape);
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const DType stored = g.type(n.outputs[i]).dtype;
    if (!is_half(stored)) continue;
    Halide::Func& f32 = algorithm.outputs[i];
    f32.compute_root();
    Halide::Func rounded(f32.name() + "_" + name(stored));
    rounded(f32.args()) = round_half(f32(f32.args()), stored);
    f32 = rounded;
  }
  inline_special_functions(algorithm.outputs);
  narrow_products(algorithm.outputs);
  source.kernel->entry =
      load_or_compile(key, Halide::Pipeline(algorithm.outputs), source.arguments, target);
  return source.kernel;
}

// Kernels are shared by every executor in the process: calibration, validation and the layers
// of one model that have the same key compile once. A kernel compiles outside the lock (Halide
// compiles distinct pipelines concurrently); a thread wanting one in progress waits for it.
std::shared_ptr<const Kernel> cached_kernel(const Graph& g, const Node& n, KernelSource& source,
                                            const Halide::Target& target) {
  using Future = std::shared_future<std::shared_ptr<const Kernel>>;
  static std::mutex mutex;
  static std::map<std::string, Future> cache;
  const std::string key = kernel_key(g, n, source);
  std::promise<std::shared_ptr<const Kernel>> promise;
  Future future;
  bool compile_here = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    compile_here = it == cache.end();
    future =
        compile_here ? cache.emplace(key, promise.get_future().share()).first->second : it->second;
  }
  if (compile_here) {
    try {
      promise.set_value(compile(g, n, source, key, target));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return future.get();
}

struct NodeProgram {
  const Node* node;
  bool copies;                           // copies_bytes: no kernel
  std::shared_ptr<const Kernel> kernel;  // compiled on first use
  // The node's own values its kernel takes as arguments (KernelSource).
  std::vector<Halide::Buffer<>> tables;
  std::vector<float> parameters;
  double seconds = 0;  // computing its results, over all runs
};

}  // namespace

struct Executor::Impl {
  Graph graph;
  std::vector<NodeProgram> programs;
  Halide::Target target = host_jit_target();
  bool compiled = false;
  // Every value's buffer, kept from run to run: allocating (and faulting in) a model's activations
  // on every run cost more than some of its layers.
  TensorMap values, outputs;

  // Compiles every node's kernel, on every core: on a first run, JIT compilation is most of the
  // time. The first failing node (in graph order) gives the error.
  void compile_all() {
    parallel_for(programs.size(), [&](size_t, size_t i) {
      const Node& n = *programs[i].node;
      if (produces_nothing(graph, n) || programs[i].copies) return;
      KernelSource source(graph, n);
      programs[i].kernel = cached_kernel(graph, n, source, target);
      programs[i].tables = source.tables;
      programs[i].parameters = source.parameters;
    });
    compiled = true;
  }

  // Constants stored in a kernel's own order (Kernel::layouts), each packed on first use.
  std::map<std::string, Halide::Buffer<>> packed;

  const Halide::Buffer<>& packed_constant(const std::string& name, const std::vector<int>& layout,
                                          const Shape& shape) {
    auto it = packed.find(name);
    if (it != packed.end()) return it->second;
    const Tensor& t = graph.constants.at(name);
    Halide::Buffer<> b(ops::halide_type(t.type.dtype), halide_sizes(shape), layout);
    b.copy_from(wrap(t, &shape));
    return packed.emplace(name, b).first->second;
  }

  // Computes a node's results from the values of its inputs.
  void execute(const NodeProgram& p) {
    const Node& n = *p.node;
    auto value = [&](const std::string& v) -> const Tensor& {
      return graph.is_constant(v) ? graph.constants.at(v) : values.at(v);
    };
    if (p.copies) {
      const Tensor& from = value(n.inputs[0]);
      std::copy(from.data.begin(), from.data.end(), values.at(n.outputs[0]).data.begin());
      return;
    }
    std::vector<Halide::Buffer<>> buffers;  // the kernel's input and table arguments
    for (size_t k = 0; k < p.kernel->inputs.size(); ++k) {
      const std::string& in = n.inputs[p.kernel->inputs[k]];
      const std::vector<int>& layout = p.kernel->layouts[k];
      const Shape& shape = p.kernel->shapes[k];
      buffers.push_back(layout.empty() ? wrap(value(in), &shape)
                                       : packed_constant(in, layout, shape));
    }
    buffers.insert(buffers.end(), p.tables.begin(), p.tables.end());
    std::vector<Halide::Buffer<>> outputs;
    for (size_t k = 0; k < n.outputs.size(); ++k)
      outputs.push_back(
          wrap(values.at(n.outputs[k]), &p.kernel->shapes[p.kernel->inputs.size() + k]));
    std::vector<float> parameters = p.parameters;
    std::vector<void*> argv;
    for (Halide::Buffer<>& b : buffers) argv.push_back(b.raw_buffer());
    for (float& x : parameters) argv.push_back(&x);
    for (Halide::Buffer<>& b : outputs) argv.push_back(b.raw_buffer());
    const int status = p.kernel->entry(argv.data());
    if (status != 0)
      TPUC_INTERNAL_ERROR("the host kernel of node '" + n.name + "' failed (Halide error " +
                          std::to_string(status) + ")");
  }
};

Executor::Executor(const Graph& g) : impl_(std::make_unique<Impl>()) {
  impl_->graph = g;
  for (const Node& n : impl_->graph.nodes)
    impl_->programs.push_back({&n, copies_bytes(impl_->graph, n), nullptr, {}, {}, 0});
}

Executor::~Executor() = default;

const TensorMap& Executor::run(const TensorMap& inputs, bool keep_all) {
  const Graph& g = impl_->graph;
  TensorMap& values = impl_->values;
  for (const std::string& name : g.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error("missing input '" + name + "'");
    const TensorType& want = g.type(name);
    if (it->second.type.dtype != want.dtype || it->second.type.shape != want.shape)
      throw Error("input '" + name + "' is " + to_string(it->second.type) + ", the model expects " +
                  to_string(want));
    values[name] = it->second;
  }
  if (!impl_->compiled) impl_->compile_all();
  for (NodeProgram& p : impl_->programs) {
    for (const std::string& o : p.node->outputs) {  // each kernel writes all of its outputs
      // A new entry is an empty f32[] (Tensor's default type): its size tells it from a scalar.
      const Tensor& t = values[o];
      if (t.type != g.type(o) || int64_t(t.data.size()) != g.type(o).num_bytes())
        values[o] = Tensor(g.type(o));
    }
    if (produces_nothing(g, *p.node)) continue;
    const auto start = std::chrono::steady_clock::now();
    impl_->execute(p);
    p.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (keep_all) {
    for (const auto& [name, t] : g.constants)
      values.emplace(name, t);  // once: later runs find them
    return values;
  }
  impl_->outputs.clear();
  for (const std::string& o : g.outputs)
    impl_->outputs[o] = g.is_constant(o) ? g.constants.at(o) : values.at(o);
  return impl_->outputs;
}

std::vector<std::pair<const Node*, double>> Executor::node_seconds() const {
  std::vector<std::pair<const Node*, double>> result;
  for (const NodeProgram& p : impl_->programs) result.emplace_back(p.node, p.seconds);
  return result;
}

}  // namespace tpuc::host
