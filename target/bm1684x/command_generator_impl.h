// The inside of the command generator (command_generator.h), shared by the files it is made of,
// one per kind of loop nest it recognises:
//   command_generator.cpp    the walk over the lowered loops: allocations, tile loops, stages
//   nest_operands.cpp        an operand's base, shape and strides read off a loop nest
//   generate_copies.cpp      copies, fills and padded views (GDMA TENSOR and FILL)
//   generate_windows.cpp     CONV, DEPTHWISE, POOL and MATMUL (and the commands a window needs
//                            besides: an int32 bias add, one command per output for long strides)
//   generate_elementwise.cpp ARITH, REQUANT, LUT and the special functions
// Each recognises a nest into a TiuCommand or GdmaCommand (isa.h: the chip's command, its
// operands, shapes and strides, printable with command_text) or refuses it with the reason, as
// Halide's ExtractTileOperations does; encoding.h turns the commands into the chip's bits.
#pragma once
#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ir/diagnostics.h"
#include "target/bm1684x/command_generator.h"
#include "target/bm1684x/special_functions.h"

namespace tpuc::bm1684x {

namespace loop_nest {

// An innermost perfect loop nest: loops (outermost first) around one Store.
struct Loop {
  std::string var;
  int64_t extent;
};
struct Nest {
  std::vector<Loop> loops;
  std::string buffer;
  Halide::Expr index, value;
};

// One operand dimension: either a loop variable (stride from its step) or a whole buffer
// dimension (stride from the buffer's layout), with the extent the command covers.
struct Slot {
  std::string var;
  int buffer_dim = -1;
  int64_t extent = 1;
};
using Slots = std::array<Slot, 4>;  // n, c, h, w

// A load of a buffer at an index.
struct Access {
  std::string buffer;
  Halide::Expr index;
};

std::string text(const Halide::Expr& e);
// The loads of an expression, in order.
std::vector<Access> loads_in(const Halide::Expr& e);
Halide::Expr strip_same_type_casts(Halide::Expr e);
// The perfect nest `s` is, or false.
bool collect_nest(Halide::Internal::Stmt s, Nest& nest);
// The parts of an "inside the input" condition, one loop variable each where the simplifier
// merged them: a && b, max(a, b) < k (a < k && b < k) and k < min(a, b) (k < a && k < b).
std::vector<Halide::Expr> conjuncts(const Halide::Expr& e);
// The parts of an "outside the input" condition, one loop variable each where the simplifier
// merged them: a || b, min(a, b) < k (a < k || b < k) and k < max(a, b) (k < a || k < b).
std::vector<Halide::Expr> disjuncts(const Halide::Expr& e);

}  // namespace loop_nest

struct CommandGenerator::Impl : public Halide::Internal::IRVisitor {
  using Loop = loop_nest::Loop;
  using Nest = loop_nest::Nest;
  using Slot = loop_nest::Slot;
  using Slots = loop_nest::Slots;
  using Access = loop_nest::Access;
  using Expr = Halide::Expr;
  using Allocate = Halide::Internal::Allocate;
  using For = Halide::Internal::For;
  using Free = Halide::Internal::Free;
  using Load = Halide::Internal::Load;
  using ProducerConsumer = Halide::Internal::ProducerConsumer;
  using Select = Halide::Internal::Select;
  using Store = Halide::Internal::Store;

  CommandGenerator& g;
  Program& program;
  std::vector<Issued>& order;
  std::vector<std::string> producers;
  std::vector<std::vector<std::string>> frees;  // per producer: buffers freed inside it
  std::vector<Nest> pending;
  LocalMemory memory;  // the local buffers live at this point of the walk, and the padded views
  std::set<std::string> tables;  // the coefficient tables written so far (kept to the node's end)

  Impl(CommandGenerator& gen, Program& p, std::vector<Issued>& o)
      : g(gen), program(p), order(o), memory(gen.chip_, gen.lmem_) {}

  // The loop nest has no command form: a refusal with its reason, as Halide's
  // ExtractTileOperations refuses; the layer runs on the host (or its group node by node).
  [[noreturn]] void fail(const std::string& why) const {
    throw Unsupported(describe(g.node_) + " on " + g.chip_.name + ": " + why);
  }

  // The generator's own invariant broke: a bug, never a host layer.
  [[noreturn]] void internal(const std::string& why) const {
    TPUC_INTERNAL_ERROR(describe(g.node_) + " on " + g.chip_.name + ": " + why);
  }

  // ---- the walk (command_generator.cpp)
  using IRVisitor::visit;
  void visit(const ProducerConsumer* op) override;

  // A local buffer lives from its Allocate to its Free (Halide frees it after its last consumer).
  void visit(const Allocate* op) override;
  void visit(const Free* op) override { release_after_compute(op->name); }

  // Inside a compute stage, a buffer is freed (or its Allocate ends) before the stage's command is
  // emitted (at the end of the producer): the release waits until then.
  void release_after_compute(const std::string& name);
  void release(const std::string& name) { memory.release(name); }
  void visit(const For* op) override;
  void visit(const Store* op) override;
  const StageRole* stage_role(const std::string& f) const;
  void handle(const Nest& n);
  void emit_compute(const std::string& stage, const StageRole& role);
  void push(const GdmaCommand& c);
  void push(const TiuCommand& c);

  // ---- operands read off a nest (nest_operands.cpp)
  int64_t eval(const Expr& e, const std::map<std::string, int64_t>& at) const;

  static std::map<std::string, int64_t> origin(const Nest& n,
                                               std::map<std::string, int64_t> start = {});

  int64_t step(const Nest& n, const Expr& index, const std::string& var,
               const std::map<std::string, int64_t>& at) const;
  bool is_local(const std::string& b) const { return memory.is_local(b); }
  const LmemBuffer& buffer_of(const std::string& b) const { return memory.buffer(b); }
  DType dtype_of(const std::string& b) const;

  // Coordinates of a flat Halide index in a local buffer.
  std::vector<int64_t> coords(const LmemBuffer& b, int64_t flat) const;

  // Per-lane stride (elements) of a local buffer dimension: the slot stride for the lane dimension.
  static int64_t layout_stride(const LmemBuffer& b, int d);

  // The buffer dimension a loop variable moves along, and by how much.
  std::pair<int, int64_t> direction(const LmemBuffer& b, const Expr& index, const std::string& var,
                                    const std::map<std::string, int64_t>& at) const;

  // An operand's strides are read off one step along each loop: the index must be affine in them,
  // which the far corner checks (a nearest Resize's phases are; a gather would not be).
  void check_affine(const std::string& buffer, const Expr& index, const Slots& slots,
                    const std::map<std::string, int64_t>& at) const;

  Operand operand(const std::string& buffer, const Expr& index, const Slots& slots,
                  const std::map<std::string, int64_t>& at) const;

  // Automatic slots for copies and elementwise stages: the variable moving along the local
  // buffer's lane dimension is c, the others n, h, w from the outermost buffer dimension in.
  Slots auto_slots(const Nest& n, const std::string& local, const Expr& index) const;

  Slots auto_slots_at(const Nest& n, const std::string& local, const Expr& index,
                      const std::map<std::string, int64_t>& at) const;

  // The nest that reads the stage's own buffer (the reduction update) and the one that
  // initializes it.
  std::pair<const Nest*, const Nest*> init_and_update(const std::string& stage) const;

  // Variables of a nest that index the result (by result dimension) and the reductions.
  struct Roles {
    std::map<int, Loop> result;  // result buffer dimension → loop
    std::vector<Loop> reduction;
  };
  Roles roles(const Nest& n) const;
  Slot result_slot(const Roles& r, int dim) const;

  // The buffers a stage reads besides itself, once each (an expression may load one several times).
  std::vector<Access> operand_loads(const Nest& n, const std::string& stage) const;

  // The input buffer dimension behind each slot (n, c, h, w; -1: none): the lane dimension is c,
  // the others from the outermost in are n, h, w, the innermost w (as auto_slots assigns loops).
  std::array<int, 4> slot_dims(const LmemBuffer& b) const;

  // ---- copies, fills and padded views (generate_copies.cpp)

  // A copy nest's value: a plain load, a constant, or select(inside, load, constant) — the
  // simplifier may have turned the select around: select(outside, constant, load).
  struct CopyValue {
    const Load* load = nullptr;
    const Select* select = nullptr;
    Expr fill;                 // the constant (with a select, or alone)
    std::vector<Expr> inside;  // the select's conditions for the load, one loop each
  };
  CopyValue copy_value(const Nest& n) const;
  static double constant_of(const Expr& e);

  // A padded view's nest: where its source's coordinates sit among its own, and its fill value.
  void record_view(const Nest& n);

  // A copy stage (or the store): a TENSOR copy of the box where the load applies and, for
  // padding, a FILL of each slab of the border around it (top and bottom rows, then the left and
  // right columns between them).
  void emit_copy(const Nest& n);

  // Narrows the box to where one conjunct of the padding condition holds (it must use one loop).
  void clip_box(const Nest& n, const Expr& c, std::map<std::string, int64_t>& lo,
                std::map<std::string, int64_t>& hi) const;

  // ---- windows and matrices (generate_windows.cpp)

  // CONV, DEPTHWISE and POOL: a window over the (padded) input, read off the reduction's index
  // expressions in the input's slots: the result loop and the reduction loop walking each input
  // dimension give the output extent and stride, the kernel extent and dilation. POOL also
  // reduces a whole row (softmax's max and sum: a window as long as the row).
  void window_command(const std::string& stage, const StageRole& role, TiuOp op);

  // A window over a padded view (opd0 as computed, in the view's coordinates) becomes a window
  // over the view's source: the box of it under the window, with the padding the window overhangs.
  void read_through_padding(TiuCommand& c, const Access& in, const std::array<int, 4>& dims,
                            const std::map<std::string, int64_t>& at) const;

  // MATMUL: result [m, n] with n on the lanes; the left operand has k on the lanes.
  void matmul(const std::string& stage);

  // The bias of an accumulation: its initialization loads it, or is zero.
  bool bias(const Nest* init, const std::string& stage, TiuCommand& c) const;

  // `c` then, in place on its result, an ARITH of `op` with a constant: the int8 CONV's and
  // MATMUL's bias (an int32 add of opd2, which the chip's int8 forms do not take), a fused
  // activation's limit (a min).
  void push_then_bias(TiuCommand c);

  // A window command whose stride the chip's 4-bit field cannot hold (ViT's patch embedding,
  // stride 16): one command per output along that axis, where a single output makes the stride
  // irrelevant. Padding along such an axis has no form.
  void push_window(const TiuCommand& c);

  // ---- elementwise stages (generate_elementwise.cpp)

  // REQUANT: the accumulator with its channel's [multiplier, shift, zero point] block, read from
  // the requantization table: three loads one after another.
  void requant(const std::string& stage, const StageRole& role);

  // ARITH, elementwise over the stage. A conversion (Quantize, Dequantize, Convert; the scale from
  // the schedule) reads one operand; a binary op reads the operands its role names, in order (int8
  // Add: with the node's multipliers and shift), the second possibly an immediate of the
  // expression. Add and Convert produce the node's result, with its activation.
  void arith(const std::string& stage, const StageRole& role);

  // int8 Add: (a − za)·m0 + (b − zb)·m1 summed exactly in `sum` (int32: arith.mul, arith.mac, then
  // the zero points' constant), requantized to the result by constants (quant.rq1): the int64
  // arithmetic of the op's definition, exact because the multipliers are small (quantizer: 15
  // bits).
  void int8_add(const TiuCommand& add, const Operand& sum, const StageRole& role);

  // A binary op with a constant operand, `x ⊙ k` or `k ⊙ x` under the result's casts and the fused
  // activation's max and min: the op as the lowered expression has it (the simplifier may have
  // turned a division into a multiplication) and k as opd1 (constant_first for `k ⊙ x`).
  void immediate(Expr e, TiuCommand& c) const;

  // LUT: the role names {input, table}; the table is read at an index computed from the input, so
  // its operand is the whole table from its base, in every lane (no stride across channels).
  void lut(const std::string& stage, const StageRole& role);

  // CMP: the stage is a comparison of two values (a bool: 1 or 0 selected) or a select between
  // two values by one; each value an operand's load or a constant, as the lowered expression has
  // them (the simplifier writes a > b as b < a, a != b as a == b with the choices swapped).
  void cmp(const std::string& stage);

  // exp, erf or sqrt of the stage's one operand, in f32: its commands (special_functions.h) in
  // scratch tiles laid out as the stage, with the coefficient tables they read.
  void special_function(const std::string& stage, SpecialFunction f);

  // A coefficient table in every lane, as an SFU operand beside `res`: written by one GDMA fill
  // per coefficient the first time the node needs it, kept until the node's end.
  Operand table(const CoefficientTable& t, const Operand& res);

  // `count` coefficients of table `name` from the k-th, in `channels` lanes from lane 0.
  Operand coefficients(const std::string& name, int k, int count, uint32_t channels) const;

  // The coefficient tables live until the node's last command.
  void release_tables();

  // `c` (a conversion) elementwise over the stage, reading one operand; with the
  // fused activation's limit of `role`'s node when given.
  void unary(const std::string& stage, TiuCommand c, const StageRole* role = nullptr);
  void push_then_limit(TiuCommand c, const StageRole& role);

  // res = x ⊙ k, an ARITH with a constant operand.
  static TiuCommand with_constant(ArithOp op, const Operand& res, const Operand& x, double k);
};

}  // namespace tpuc::bm1684x
