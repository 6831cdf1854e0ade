#include "chip/bm1684x/encoding.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "chip/bm1684x/command_stream.h"
#include "chip/bm1684x/data_format.h"
#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

namespace {

using isa::Command;

// tsk_typ and tsk_eu_typ of each command (opcodes.cpp names them).
struct Opcode {
  unsigned task, eu;
  bool operator==(const Opcode& o) const { return task == o.task && eu == o.eu; }
};
constexpr Opcode kConv{0, 0}, kDepthwise{1, 0}, kAvgPool{1, 1}, kMaxPool{1, 4}, kMatMul{2, 1};
constexpr Opcode kRq0{4, 0}, kRq1{4, 1}, kDq0{4, 3}, kGather{6, 5};
constexpr Opcode kTaylor{9, 12}, kRsqrt{9, 17};
// cmp.sel_gt, cmp.sel_eq, cmp.sel_lt, in CmpOp's order.
constexpr Opcode kCmpOps[] = {{13, 23}, {13, 24}, {13, 26}};
constexpr unsigned kArith = 3;

struct ArithRow {
  ArithOp op;
  unsigned eu;
};
// Floor is arith.cast rounding down; the decoder tells it from Convert by the rounding mode.
constexpr ArithRow kArithOps[] = {{ArithOp::Mul, 0},   {ArithOp::Add, 2},  {ArithOp::Sub, 3},
                                  {ArithOp::Max, 4},   {ArithOp::Min, 5},  {ArithOp::Div, 12},
                                  {ArithOp::And, 7},   {ArithOp::Or, 8},   {ArithOp::Convert, 14},
                                  {ArithOp::Copy, 19}, {ArithOp::Mac, 18}, {ArithOp::Abs, 26},
                                  {ArithOp::Floor, 14}};

constexpr unsigned kFreeStride = 3;  // *_str: n/c/h/w strides given explicitly
// rounding_mode_t (tpu-mlir's tpu_kernel.h), in opd2_n_str as opparam.py reads it.
constexpr unsigned kHalfToEven = 0, kHalfAwayFromZero = 1, kDown = 3;
// tpuc rounds int8 results half away from zero (ir/quant_math.h), float ones to nearest even.
unsigned rounding_of(DType res) { return res == DType::I8 ? kHalfAwayFromZero : kHalfToEven; }
unsigned rounding_of(const TiuCommand& c) {
  return c.op == TiuOp::Arith && c.arith == ArithOp::Floor ? kDown : rounding_of(c.res.dtype);
}

// Fields tpuc never sets, whose other values change what a command computes: a decoded command
// with one of them set is one the simulator does not run.
constexpr const char* kUnusedFields[] = {
    "res_add",      "kernel_rotate", "left_tran",    "eu_half_en",   "opd0_x_ins0",
    "opd0_y_ins0",  "res0_h_shift",  "res0_w_shift", "opd0_h_shift", "opd0_w_shift",
    "opd1_h_shift", "opd1_w_shift",  "pad_mode"};

// The ARITH operations of one tensor operand and no scalar (a scaled Convert is a mul).
bool one_operand(ArithOp op) {
  return op == ArithOp::Convert || op == ArithOp::Copy || op == ArithOp::Floor ||
         op == ArithOp::Abs;
}

// ---- operands

void set_operand(Command& cmd, const std::string& p, const Operand& o, uint64_t lane_bytes,
                 bool dims = true) {
  if (o.space != Space::Local) throw Error(p + " is not in local memory");
  cmd.set(p + "_addr", o.lane * lane_bytes + o.addr);
  const uint32_t sizes[4] = {o.n, o.c, o.h, o.w};
  const int64_t strides[4] = {o.ns, o.cs, o.hs, o.ws};
  for (int k = 0; k < 4; ++k) {
    const std::string dim(1, "nchw"[k]);
    if (dims) cmd.set(p + "_" + dim, sizes[k]);
    if (strides[k] < 0) throw Error(p + " has a negative stride");
    cmd.set(p + "_" + dim + "_str", uint64_t(strides[k]));
  }
  cmd.set(p + "_prec", precision_code(o.dtype)).set(p + "_str", kFreeStride);
  if (cmd.has(p + "_sign")) cmd.set(p + "_sign", o.dtype != DType::U8);
}

Operand get_operand(const Command& cmd, const std::string& p, uint64_t lane_bytes, uint32_t lanes,
                    bool dims = true) {
  if (cmd.get(p + "_str") != kFreeStride)
    throw Error(p + "_str " + std::to_string(cmd.get(p + "_str")) +
                ": tpuc runs operands with free strides (3) only");
  Operand o;
  const uint64_t addr = cmd.get(p + "_addr");
  if (addr >= lanes * lane_bytes)
    throw Error(p + "_addr " + std::to_string(addr) + " lies past local memory");
  o.lane = uint32_t(addr / lane_bytes);
  o.addr = addr % lane_bytes;
  const bool is_signed = !cmd.has(p + "_sign") || cmd.get(p + "_sign");
  o.dtype = dtype_of_precision(unsigned(cmd.get(p + "_prec")), is_signed);
  uint32_t* sizes[4] = {&o.n, &o.c, &o.h, &o.w};
  int64_t* strides[4] = {&o.ns, &o.cs, &o.hs, &o.ws};
  for (int k = 0; k < 4; ++k) {
    const std::string dim(1, "nchw"[k]);
    *sizes[k] = dims ? uint32_t(cmd.get(p + "_" + dim)) : 1;
    *strides[k] = int64_t(cmd.get(p + "_" + dim + "_str"));
  }
  return o;
}

// A scalar operand: its value's bits in the address field (opd3 has no precision of its own).
void set_scalar(Command& cmd, const std::string& p, double value, DType t) {
  cmd.set(p + "_const", 1).set(p + "_addr", scalar_bits(value, t));
  if (cmd.has(p + "_prec")) cmd.set(p + "_prec", precision_code(t));
  if (cmd.has(p + "_sign")) cmd.set(p + "_sign", 1);
}

// A scalar operand's value; an Error when its bits are not a value of its type (a signalling NaN,
// bits above a narrow type's), which would not survive the simulator.
double get_scalar(const Command& cmd, const std::string& p, DType t) {
  if (!cmd.get(p + "_const")) throw Error(p + " must be a scalar (" + p + "_const 1)");
  const uint64_t bits = cmd.get(p + "_addr");
  const double value = scalar_value(bits, t);
  if (scalar_bits(value, t) != bits)
    throw Error(p + "_addr " + std::to_string(bits) + " is not a " + name(t) + " value");
  return value;
}

// A scalar tpuc's commands hold as a float (a constant, a scale, a pad value); an Error for an
// int32 a float cannot hold.
float get_float_scalar(const Command& cmd, const std::string& p, DType t) {
  const double value = get_scalar(cmd, p, t);
  if (double(float(value)) != value)
    throw Error(p + " holds " + std::to_string(value) + ", which tpuc's simulator cannot hold");
  return float(value);
}

DType scalar_type(const Command& cmd, const std::string& p) {
  return dtype_of_precision(unsigned(cmd.get(p + "_prec")));
}

// A kernel [0, oc, ic, ky·kw + kx] as the long form holds it: ic along n, oc on the lanes, the
// window kh × kw in opd1_h/opd1_w.
Operand kernel_view(const Operand& k, uint16_t kh, uint16_t kw) {
  Operand v = k;
  v.n = k.h;
  v.h = kh;
  v.w = kw;
  v.ns = k.hs;
  v.hs = int64_t(kw) * k.ws;
  return v;
}

Operand kernel_of(const Operand& v) {
  if (v.hs != int64_t(v.w) * v.ws)
    throw Error("opd1_h_str must be opd1_w · opd1_w_str: a kernel's taps follow one another");
  Operand k = v;
  k.n = 1;
  k.h = v.n;
  k.w = v.h * v.w;
  k.ns = 0;
  k.hs = v.ns;
  return k;
}

// A matrix [0, j, k, 0] as mm.normal reads its right operand: k rows along n, j on the lanes.
Operand right_matrix_view(const Operand& m) {
  Operand v = m;
  v.n = m.h;
  v.h = 1;
  v.ns = m.hs;
  v.hs = 0;
  return v;
}

Operand right_matrix_of(const Operand& v) {
  Operand m = v;
  m.h = v.n;
  m.n = 1;
  m.hs = v.ns;
  m.ns = 0;
  return m;
}

// An ARITH constant's type: f32 in a float operation, the result's type in an integer one.
DType constant_type(const TiuCommand& c) {
  return info(c.opd0.dtype).is_float ? DType::F32 : c.res.dtype;
}

// ---- encoding, one function per kind of command

Opcode window_opcode(const TiuCommand& c) {
  if (c.op == TiuOp::Conv) return kConv;
  if (c.op == TiuOp::Depthwise) return kDepthwise;
  return c.pool_sum ? kAvgPool : kMaxPool;
}

void set_window(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  if (std::max(c.stride_h, c.stride_w) > kMaxStride || std::min(c.stride_h, c.stride_w) < 1)
    throw Error("stride " + std::to_string(c.stride_h) + "×" + std::to_string(c.stride_w) +
                " is outside [1, " + std::to_string(kMaxStride) + "]");
  if (std::max(c.dilation_h, c.dilation_w) > kMaxDilation ||
      std::min(c.dilation_h, c.dilation_w) < 1)
    throw Error("dilation is outside [1, " + std::to_string(kMaxDilation) + "]");
  cmd.set("opd1_h", c.kh).set("opd1_w", c.kw);
  cmd.set("res_op_y_str", c.stride_h).set("res_op_x_str", c.stride_w);
  cmd.set("opd1_y_ins0", c.dilation_h - 1u).set("opd1_x_ins0", c.dilation_w - 1u);
  cmd.set("opd0_up_pad", c.pad_top).set("opd0_dn_pad", c.pad_bottom);
  cmd.set("opd0_lf_pad", c.pad_left).set("opd0_rt_pad", c.pad_right);
  set_scalar(cmd, "opd3", c.pad_value, c.opd0.dtype);
  set_operand(cmd, "res0", c.res, lane_bytes);
  set_operand(cmd, "opd0", c.opd0, lane_bytes);
  if (c.op != TiuOp::Pool) {
    set_operand(cmd, "opd1", kernel_view(c.opd1, c.kh, c.kw), lane_bytes);
  } else if (c.pool_sum) {  // avgpooling's scale 1 and shift 0: the window's plain sum
    set_scalar(cmd, "opd1", 1, c.opd0.dtype);
    cmd.set("res1_addr", 0);
  }
  cmd.set("tsk_opd_num", c.op == TiuOp::Pool ? 1 : 3);
}

// A bias operand, or a zero constant in its place (a float CONV's bias, an int8 one's kernel zero
// point: zero either way).
void set_bias(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  if (c.has_bias) {
    set_operand(cmd, "opd2", c.opd2, lane_bytes, false);
  } else {
    set_scalar(cmd, "opd2", 0, c.opd0.dtype == DType::I8 ? DType::I8 : DType::F32);
  }
}

Opcode arith_opcode(const TiuCommand& c) {
  if (c.arith == ArithOp::Quantize) return kRq0;
  if (c.arith == ArithOp::Dequantize) return kDq0;
  const ArithOp op = c.arith == ArithOp::Convert && c.scale != 1 ? ArithOp::Mul : c.arith;
  for (const ArithRow& row : kArithOps)
    if (row.op == op) return {kArith, row.eu};
  TPUC_INTERNAL_ERROR("an ARITH operation without an opcode");
}

void set_arith(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  set_operand(cmd, "res0", c.res, lane_bytes);
  const ArithOp op = c.arith;
  const bool scaled_convert = op == ArithOp::Convert && c.scale != 1;
  const bool unary = op == ArithOp::Quantize || op == ArithOp::Dequantize || one_operand(op);
  // The tensor operand goes to opd1 when a constant comes first (opd0_const).
  set_operand(cmd, c.constant_first ? "opd1" : "opd0", c.opd0, lane_bytes);
  cmd.set("tsk_opd_num", unary && !scaled_convert ? 1 : 2);
  cmd.set("opd2_n_str", rounding_of(c));
  if (op == ArithOp::Quantize) {  // quant.rq0: x · scale + zero point
    set_scalar(cmd, "opd1", c.scale, DType::F32);
    set_scalar(cmd, "opd2", 0, DType::F32);
  } else if (op == ArithOp::Dequantize) {  // quant.dq0: (x − zero point) · scale
    set_scalar(cmd, "opd1", 0, DType::I32);
    set_scalar(cmd, "opd2", c.scale, DType::F32);
  } else if (scaled_convert) {
    set_scalar(cmd, "opd1", c.scale, DType::F32);
  } else if (c.opd1_const) {
    set_scalar(cmd, c.constant_first ? "opd0" : "opd1", c.constant, constant_type(c));
  } else if (!unary) {
    set_operand(cmd, "opd1", c.opd1, lane_bytes);
  }
}

void set_requant(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  set_operand(cmd, "res0", c.res, lane_bytes);
  set_operand(cmd, "opd0", c.opd0, lane_bytes);
  cmd.set("tsk_opd_num", 2).set("opd2_n_str", rounding_of(c.res.dtype));
  if (!c.opd1_const)
    return set_operand(cmd, "opd1", c.opd1, lane_bytes);  // [multiplier, shift, zero point]
  // One for every channel (opparam.py's rq_1 with opd1_const): the multiplier in opd1, the
  // shift's 8 bits and the zero point's 16 in opd2.
  if (c.shift < 0 || c.shift > 63 || c.zero_point < INT16_MIN || c.zero_point > INT16_MAX)
    throw Error("a constant requantization's shift or zero point does not fit its field");
  set_scalar(cmd, "opd1", c.multiplier, DType::I32);
  cmd.set("opd2_const", 1)
      .set("opd2_addr", uint64_t(c.shift) | uint64_t(uint16_t(c.zero_point)) << 8);
}

// sfu.taylor_4x: the coefficient table's address and length in opd1 (tpu-mlir's TaylorOp);
// sfu.rsqrt: its iterations − 1 in opd2_n_str (RsqrtOp).
void set_sfu(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  set_operand(cmd, "res0", c.res, lane_bytes);
  set_operand(cmd, "opd0", c.opd0, lane_bytes);
  cmd.set("tsk_opd_num", 1);
  if (c.sfu == SfuOp::Rsqrt) {
    if (c.iterations < 1 || c.iterations > 4)
      throw Error("sfu.rsqrt takes 1 to 4 iterations, not " + std::to_string(c.iterations));
    cmd.set("opd2_n_str", c.iterations - 1u);
    return;
  }
  if (c.opd1.space != Space::Local || c.opd1.w < 2 || c.opd1.cs != 0 || c.opd1.ws != 1)
    throw Error("sfu.taylor_4x reads a table of at least 2 coefficients in every lane");
  cmd.set("opd1_addr", c.opd1.lane * lane_bytes + c.opd1.addr).set("opd1_n", c.opd1.w);
  cmd.set("tsk_opd_num", 2);
}

void set_gather(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  set_operand(cmd, "res0", c.res, lane_bytes);
  set_operand(cmd, "opd0", c.opd1, lane_bytes);  // the table
  Operand index = c.opd0;
  index.dtype = DType::U8;  // the index is the input's byte
  set_operand(cmd, "opd1", index, lane_bytes);
  cmd.set("tsk_opd_num", 2);
}

// CMP: opd0 against opd1 (or the scalar `constant`, of opd0's type), selecting opd2 or opd3 (or
// scalars of res's type); opd3 has an address only and shares opd2's strides.
void set_cmp(Command& cmd, const TiuCommand& c, uint64_t lane_bytes) {
  set_operand(cmd, "res0", c.res, lane_bytes);
  set_operand(cmd, "opd0", c.opd0, lane_bytes);
  if (c.opd1_const) {
    set_scalar(cmd, "opd1", c.constant, c.opd0.dtype);
  } else {
    set_operand(cmd, "opd1", c.opd1, lane_bytes);
  }
  if (c.opd2_const) {
    set_scalar(cmd, "opd2", c.opd2_value, c.res.dtype);
  } else {
    set_operand(cmd, "opd2", c.opd2, lane_bytes, false);
  }
  if (c.opd3_const) {
    set_scalar(cmd, "opd3", c.opd3_value, c.res.dtype);
  } else {
    if (c.opd2_const || !c.opd3.same_strides(c.opd2) || c.opd3.dtype != c.opd2.dtype)
      throw Error("a CMP's opd3 shares opd2's strides and type: it has none of its own");
    cmd.set("opd3_addr", c.opd3.lane * lane_bytes + c.opd3.addr);
  }
}

void get_cmp(const Command& cmd, TiuCommand& c, uint64_t lane_bytes, uint32_t lanes) {
  c.res = get_operand(cmd, "res0", lane_bytes, lanes);
  c.opd0 = get_operand(cmd, "opd0", lane_bytes, lanes);
  c.opd1_const = cmd.get("opd1_const");
  if (c.opd1_const) {
    c.constant = get_float_scalar(cmd, "opd1", c.opd0.dtype);
  } else {
    c.opd1 = get_operand(cmd, "opd1", lane_bytes, lanes);
  }
  c.opd2_const = cmd.get("opd2_const");
  c.opd3_const = cmd.get("opd3_const");
  if (c.opd2_const) {
    c.opd2_value = get_float_scalar(cmd, "opd2", c.res.dtype);
  } else {
    c.opd2 = get_operand(cmd, "opd2", lane_bytes, lanes, false);
    c.opd2.n = c.res.n;
    c.opd2.c = c.res.c;
    c.opd2.h = c.res.h;
    c.opd2.w = c.res.w;
  }
  if (c.opd3_const) {
    c.opd3_value = get_float_scalar(cmd, "opd3", c.res.dtype);
    return;
  }
  if (c.opd2_const) throw Error("a CMP's opd3 operand needs opd2's strides (opd2_const 0)");
  const uint64_t addr = cmd.get("opd3_addr");
  if (addr >= lanes * lane_bytes)
    throw Error("opd3_addr " + std::to_string(addr) + " lies past local memory");
  c.opd3 = c.opd2;
  c.opd3.lane = uint32_t(addr / lane_bytes);
  c.opd3.addr = addr % lane_bytes;
}

Opcode opcode_of(const TiuCommand& c) {
  switch (c.op) {
    case TiuOp::Conv:
    case TiuOp::Depthwise:
    case TiuOp::Pool:
      return window_opcode(c);
    case TiuOp::MatMul:
      return kMatMul;
    case TiuOp::Requant:
      return kRq1;
    case TiuOp::Arith:
      return arith_opcode(c);
    case TiuOp::Lut:
      return kGather;
    case TiuOp::Sfu:
      return c.sfu == SfuOp::Taylor ? kTaylor : kRsqrt;
    case TiuOp::Cmp:
      return kCmpOps[int(c.cmp)];
    case TiuOp::End:
      break;
  }
  TPUC_INTERNAL_ERROR("a TIU command without an opcode");
}

// ---- decoding

void get_window(const Command& cmd, TiuCommand& c, uint64_t lane_bytes, uint32_t lanes) {
  c.kh = uint16_t(cmd.get("opd1_h"));
  c.kw = uint16_t(cmd.get("opd1_w"));
  c.stride_h = uint8_t(cmd.get("res_op_y_str"));
  c.stride_w = uint8_t(cmd.get("res_op_x_str"));
  if (c.stride_h < 1 || c.stride_w < 1) throw Error("a window stride of 0");
  c.dilation_h = uint8_t(cmd.get("opd1_y_ins0") + 1);
  c.dilation_w = uint8_t(cmd.get("opd1_x_ins0") + 1);
  c.pad_top = uint8_t(cmd.get("opd0_up_pad"));
  c.pad_bottom = uint8_t(cmd.get("opd0_dn_pad"));
  c.pad_left = uint8_t(cmd.get("opd0_lf_pad"));
  c.pad_right = uint8_t(cmd.get("opd0_rt_pad"));
  c.res = get_operand(cmd, "res0", lane_bytes, lanes);
  c.opd0 = get_operand(cmd, "opd0", lane_bytes, lanes);
  c.pad_value = get_float_scalar(cmd, "opd3", c.opd0.dtype);
  if (c.op != TiuOp::Pool) c.opd1 = kernel_of(get_operand(cmd, "opd1", lane_bytes, lanes));
  if (c.pool_sum && (get_scalar(cmd, "opd1", c.opd0.dtype) != 1 || cmd.get("res1_addr") != 0))
    throw Error("tpuc runs pord.avgpooling with scale 1 and shift 0 only");
}

void get_bias(const Command& cmd, TiuCommand& c, uint64_t lane_bytes, uint32_t lanes) {
  c.has_bias = !cmd.get("opd2_const");
  if (!c.has_bias) {
    if (cmd.get("opd2_addr") != 0) throw Error("a constant bias or kernel zero point other than 0");
    return;
  }
  if (c.op != TiuOp::Depthwise && c.opd0.dtype == DType::I8)
    throw Error("an int8 conv.normal's or mm.normal's opd2 is not a bias");
  c.opd2 = get_operand(cmd, "opd2", lane_bytes, lanes, false);
  c.opd2.c = c.res.c;
}

void check_rounding(const Command& cmd, const TiuCommand& c) {
  if (cmd.get("opd2_n_str") != rounding_of(c))
    throw Error("rounding mode (opd2_n_str) " + std::to_string(cmd.get("opd2_n_str")) +
                ": tpuc rounds " + name(c.res.dtype) + " results in mode " +
                std::to_string(rounding_of(c)));
}

void get_arith(const Command& cmd, TiuCommand& c, uint64_t lane_bytes, uint32_t lanes) {
  c.res = get_operand(cmd, "res0", lane_bytes, lanes);
  c.constant_first = cmd.get("opd0_const");
  const bool binary = !one_operand(c.arith);
  if (cmd.get("tsk_opd_num") != (binary ? 2u : 1u) ||
      (!binary && (c.constant_first || cmd.get("opd1_const"))))
    throw Error(isa::command_name(cmd) + " takes " + (binary ? "two operands" : "one operand") +
                " (tsk_opd_num " + std::to_string(cmd.get("tsk_opd_num")) + ")");
  c.opd0 = get_operand(cmd, c.constant_first ? "opd1" : "opd0", lane_bytes, lanes);
  const DType want = constant_type(c);
  auto constant = [&](const char* p) {
    if (scalar_type(cmd, p) != want)
      throw Error(std::string(p) + " is a " + name(scalar_type(cmd, p)) + " scalar beside " +
                  name(c.opd0.dtype) + " operands; tpuc runs " + name(want) + " ones");
    return get_float_scalar(cmd, p, want);
  };
  if (c.constant_first) {
    c.opd1_const = true;
    c.constant = constant("opd0");
  } else if (binary && cmd.get("opd1_const")) {
    c.opd1_const = true;
    c.constant = constant("opd1");
  } else if (binary) {
    c.opd1 = get_operand(cmd, "opd1", lane_bytes, lanes);
  }
  check_rounding(cmd, c);
}

void get_quant(const Command& cmd, TiuCommand& c, Opcode op, uint64_t lane_bytes, uint32_t lanes) {
  c.res = get_operand(cmd, "res0", lane_bytes, lanes);
  c.opd0 = get_operand(cmd, "opd0", lane_bytes, lanes);
  check_rounding(cmd, c);
  if (op == kRq1) {
    c.op = TiuOp::Requant;
    c.opd1_const = cmd.get("opd1_const");
    if (!c.opd1_const) {
      c.opd1 = get_operand(cmd, "opd1", lane_bytes, lanes);
      return;
    }
    c.multiplier = int32_t(get_scalar(cmd, "opd1", DType::I32));
    const uint64_t packed = cmd.get("opd2_addr");
    if (!cmd.get("opd2_const") || (packed >> 24) != 0 || (packed & 0xff) > 63)
      throw Error(
          "a constant quant.rq1 needs opd2_const 1, a shift in [0, 63] in opd2_addr's low "
          "8 bits and a 16-bit zero point above them");
    c.shift = int32_t(packed & 0xff);
    c.zero_point = int16_t(uint16_t(packed >> 8));
    return;
  }
  c.op = TiuOp::Arith;
  const bool quantize = op == kRq0;
  c.arith = quantize ? ArithOp::Quantize : ArithOp::Dequantize;
  const double zero_point =
      quantize ? get_scalar(cmd, "opd2", DType::F32) : get_scalar(cmd, "opd1", DType::I32);
  c.scale = quantize ? get_float_scalar(cmd, "opd1", DType::F32)
                     : get_float_scalar(cmd, "opd2", DType::F32);
  if (zero_point != 0) throw Error("tpuc runs quant.rq0/dq0 with zero point 0 only");
}

void get_sfu(const Command& cmd, TiuCommand& c, uint64_t lane_bytes, uint32_t lanes) {
  c.res = get_operand(cmd, "res0", lane_bytes, lanes);
  c.opd0 = get_operand(cmd, "opd0", lane_bytes, lanes);
  if (c.sfu == SfuOp::Rsqrt) {
    const uint64_t steps = cmd.get("opd2_n_str");
    if (steps > 3) throw Error("sfu.rsqrt takes 1 to 4 iterations (opd2_n_str 0 to 3)");
    c.iterations = uint8_t(steps + 1);
    return;
  }
  const uint64_t table = cmd.get("opd1_addr");
  if (cmd.get("opd1_n") < 2) throw Error("sfu.taylor_4x takes at least 2 coefficients (opd1_n)");
  if (table >= lanes * lane_bytes)
    throw Error("opd1_addr " + std::to_string(table) + " lies past local memory");
  c.opd1 = c.res;  // the coefficients, in every lane: [1, res.c, 1, opd1_n]
  c.opd1.lane = uint32_t(table / lane_bytes);
  c.opd1.addr = table % lane_bytes;
  c.opd1.n = 1;
  c.opd1.h = 1;
  c.opd1.w = uint32_t(cmd.get("opd1_n"));
  c.opd1.ns = 0;
  c.opd1.cs = 0;
  c.opd1.hs = 0;
  c.opd1.ws = 1;
}

// What the (task, eu) pair is to tpuc; an Error for one it does not run.
void classify(const Command& cmd, TiuCommand& c, Opcode op) {
  c.op = TiuOp::End;
  if (op == kConv) c.op = TiuOp::Conv;
  if (op == kDepthwise) c.op = TiuOp::Depthwise;
  if (op == kMaxPool || op == kAvgPool) c.op = TiuOp::Pool;
  c.pool_sum = op == kAvgPool;
  if (op == kMatMul) c.op = TiuOp::MatMul;
  if (op == kGather) c.op = TiuOp::Lut;
  for (int k = 0; k < 3; ++k)
    if (op == kCmpOps[k]) {
      c.op = TiuOp::Cmp;
      c.cmp = CmpOp(k);
    }
  for (const ArithRow& row : kArithOps)
    if (op == Opcode{kArith, row.eu} && c.op == TiuOp::End) {
      c.op = TiuOp::Arith;
      c.arith = row.op;
    }
  if (c.op == TiuOp::Arith && c.arith == ArithOp::Convert && cmd.get("opd2_n_str") == kDown)
    c.arith = ArithOp::Floor;
  if (op == kTaylor || op == kRsqrt) {
    c.op = TiuOp::Sfu;
    c.sfu = op == kTaylor ? SfuOp::Taylor : SfuOp::Rsqrt;
  }
  if (c.op == TiuOp::End && !(op == kRq0 || op == kRq1 || op == kDq0))
    throw Error(isa::command_name(cmd) + " is not a command tpuc's simulator runs");
}

}  // namespace

isa::Command to_tiu(const TiuCommand& c, uint64_t lane_bytes) {
  const Opcode op = opcode_of(c);
  const isa::Task* task = isa::find_task(isa::Engine::kTiu, op.task, op.eu);
  if (!task) TPUC_INTERNAL_ERROR("no task has tsk_typ " + std::to_string(op.task));
  Command cmd(isa::form_named(task->long_form));  // every long form has the same fields
  cmd.set("cmd_id", c.id).set("cmd_id_dep", c.dep).set("cmd_id_en", 1);
  cmd.set("tsk_typ", op.task).set("tsk_eu_typ", op.eu).set("relu", c.relu);
  switch (c.op) {
    case TiuOp::Conv:
    case TiuOp::Depthwise:
    case TiuOp::Pool:
      set_window(cmd, c, lane_bytes);
      if (c.op != TiuOp::Pool) set_bias(cmd, c, lane_bytes);
      break;
    case TiuOp::MatMul:
      set_operand(cmd, "res0", c.res, lane_bytes);
      set_operand(cmd, "opd0", c.opd0, lane_bytes);
      set_operand(cmd, "opd1", right_matrix_view(c.opd1), lane_bytes);
      set_bias(cmd, c, lane_bytes);
      cmd.set("tsk_opd_num", 3);
      break;
    case TiuOp::Requant:
      set_requant(cmd, c, lane_bytes);
      break;
    case TiuOp::Lut:
      set_gather(cmd, c, lane_bytes);
      break;
    case TiuOp::Sfu:
      set_sfu(cmd, c, lane_bytes);
      break;
    case TiuOp::Cmp:
      set_cmp(cmd, c, lane_bytes);
      break;
    default:  // Arith
      set_arith(cmd, c, lane_bytes);
  }
  return cmd;
}

TiuCommand from_tiu(const isa::Command& cmd, uint64_t lane_bytes, uint32_t lanes) {
  if (cmd.form().bits != 1024 || cmd.get("cmd_short"))
    throw Error(isa::command_name(cmd) + ": tpuc's simulator runs long-form TIU commands only");
  for (const char* field : kUnusedFields)
    if (cmd.get(field))
      throw Error(std::string(field) + " = " + std::to_string(cmd.get(field)) +
                  ": tpuc's simulator does not run this");
  TiuCommand c;
  c.id = uint32_t(cmd.get("cmd_id"));
  c.dep = uint32_t(cmd.get("cmd_id_dep"));
  c.relu = cmd.get("relu");
  const Opcode op{unsigned(cmd.get("tsk_typ")), unsigned(cmd.get("tsk_eu_typ"))};
  classify(cmd, c, op);
  if (op == kRq0 || op == kRq1 || op == kDq0) {
    get_quant(cmd, c, op, lane_bytes, lanes);
  } else if (c.op == TiuOp::Conv || c.op == TiuOp::Depthwise || c.op == TiuOp::Pool) {
    get_window(cmd, c, lane_bytes, lanes);
    if (c.op != TiuOp::Pool) get_bias(cmd, c, lane_bytes, lanes);
  } else if (c.op == TiuOp::MatMul) {
    c.res = get_operand(cmd, "res0", lane_bytes, lanes);
    c.opd0 = get_operand(cmd, "opd0", lane_bytes, lanes);
    c.opd1 = right_matrix_of(get_operand(cmd, "opd1", lane_bytes, lanes));
    get_bias(cmd, c, lane_bytes, lanes);
  } else if (c.op == TiuOp::Sfu) {
    get_sfu(cmd, c, lane_bytes, lanes);
  } else if (c.op == TiuOp::Cmp) {
    get_cmp(cmd, c, lane_bytes, lanes);
  } else if (c.op == TiuOp::Lut) {
    c.res = get_operand(cmd, "res0", lane_bytes, lanes);
    c.opd1 = get_operand(cmd, "opd0", lane_bytes, lanes);
    c.opd0 = get_operand(cmd, "opd1", lane_bytes, lanes);
    if (c.opd0.dtype != DType::U8) throw Error("a gather's index (opd1) must be unsigned 8-bit");
    c.opd0.dtype = DType::I8;
  } else {
    get_arith(cmd, c, lane_bytes, lanes);
  }
  return c;  // a scaled Convert comes back as the Mul by a constant it is
}

std::string encode_tiu(const std::vector<TiuCommand>& commands, uint64_t lane_bytes) {
  return encode_commands(isa::Engine::kTiu, commands,
                         [&](const TiuCommand& c) { return to_tiu(c, lane_bytes); });
}

std::vector<TiuCommand> decode_tiu(const std::string& bytes, uint64_t lane_bytes, uint32_t lanes,
                                   const std::string& where) {
  return decode_commands<TiuCommand>(isa::Engine::kTiu, bytes, where, [&](const Command& cmd) {
    return from_tiu(cmd, lane_bytes, lanes);
  });
}

}  // namespace tpuc::bm1684x
