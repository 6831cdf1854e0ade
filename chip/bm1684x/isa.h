// The BM1684X command model as tpuc uses it (../shared/reference/bm1684x.md §4): two engines, TIU
// (compute) and GDMA (data movement), each running its own in-order command stream. Commands are
// plain structs here, each one real command of the chip: encoding.h and gdma_encoding.h translate
// them to and from the chip's own bits (the simulator executes what it decodes from those bits),
// sim/ executes them from the semantics written beside each one, and target/bm1684x/ produces
// them from lowered Halide loops. docs/isa.md maps each to its tsk_typ/tsk_eu_typ and fields.
//
// Memories. DDR ("global") is byte-addressed from Chip::ddr_base. Local memory (LMEM) is `lanes`
// lanes of Chip::lmem_bytes each. A local operand places channel c in lane (lane + c) % lanes, at
// channel slot (lane + c) / lanes; all lanes use the same lane-relative byte address.
//
// Data types. Operands are i8, i32, f32, f16 or bf16. Float arithmetic is IEEE f32, each
// operation rounded on its own (no fused multiply-add): f16 and bf16 operands are widened exactly,
// and a f16/bf16 result is rounded once, to nearest even (ir/quant_math.h), as the host reference
// rounds each layer's result.
//
// Dependencies. Every command has `id` (1-based position in its own stream) and `dep`: the id of
// the command on the OTHER engine that must have finished before this one starts (0: none).
// Commands of one engine run in order, one after another.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace tpuc::bm1684x {

enum class Space : uint8_t { Global = 0, Local = 1 };

// A 4-D view [n, c, h, w] of memory. Strides are in elements.
//   Global: element (n,c,h,w) at byte addr + (n·ns + c·cs + h·hs + w·ws) · bytes(dtype).
//   Local:  element (n,c,h,w) in lane (lane + c) % L, at lane byte address
//           addr + (n·ns + ((lane + c) / L)·cs + h·hs + w·ws) · bytes(dtype).
struct Operand {
  Space space = Space::Local;
  DType dtype = DType::I8;
  uint64_t addr = 0;
  uint32_t lane = 0;
  uint32_t n = 0, c = 0, h = 0, w = 0;
  int64_t ns = 0, cs = 0, hs = 0, ws = 0;
  int64_t elements() const { return int64_t(n) * c * h * w; }
  bool same_strides(const Operand& o) const {
    return ns == o.ns && cs == o.cs && hs == o.hs && ws == o.ws;
  }
};

// Limits of the command fields, which the schedules and the generator keep within.
constexpr int kMaxPad = 15;        // window padding per side: 4-bit fields
constexpr int kMaxKernel = 65535;  // a window's height or width (kh, kw): 16-bit fields
constexpr int kMaxStride = 15;     // a window's stride: 4-bit res_op_{y,x}_str
constexpr int kMaxDilation = 16;   // a window's dilation: 4-bit opd1_{y,x}_ins0 hold dilation − 1
// An operand's n and c strides, in elements: 16-bit fields (its h and w strides have 32 bits).
constexpr int64_t kMaxChannelStride = 65535;
// A GDMA operand's n, c, h and w: 16-bit fields.
constexpr uint32_t kMaxTensorSize = 65535;
// A POOL sum of int8 values accumulates in int32: a window of at most 255 a side cannot overflow
// it (255² · 128 < 2³¹) whatever the values.
constexpr int kMaxSumWindowSide = 255;

enum class TiuOp : uint8_t {
  Conv = 0,
  Pool = 1,
  MatMul = 2,
  Arith = 3,
  Requant = 4,
  Depthwise = 5,
  Sfu = 6,
  Lut = 7,
  Cmp = 8,
  End = 15
};
enum class CmpOp : uint8_t { Greater = 0, Equal = 1, Less = 2 };
enum class ArithOp : uint8_t {
  Quantize = 0,
  Dequantize = 1,
  Add = 2,
  Max = 3,
  Copy = 4,
  Convert = 5,
  Sub = 6,
  Mul = 7,
  Div = 8,
  Min = 9,
  Mac = 10,
  Floor = 11,
  Abs = 12,
  And = 13,
  Or = 14
};
enum class SfuOp : uint8_t { Taylor = 0, Rsqrt = 1 };

struct TiuCommand {
  uint32_t id = 0, dep = 0;
  TiuOp op = TiuOp::End;
  ArithOp arith = ArithOp::Copy;  // Arith only
  SfuOp sfu = SfuOp::Taylor;      // Sfu only
  CmpOp cmp = CmpOp::Greater;     // Cmp only
  Operand res, opd0, opd1, opd2, opd3;
  bool has_bias = false;
  bool relu = false;        // results below zero become zero (the long form's relu field)
  bool pool_sum = false;    // Pool: the window's sum, not its max
  uint8_t iterations = 1;   // SFU Rsqrt: Newton steps, 1 to 4
  uint16_t kh = 1, kw = 1;  // window (a reduction over a whole row may be long)
  uint8_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  uint8_t pad_top = 0, pad_bottom = 0, pad_left = 0,
          pad_right = 0;  // window padding, at most kMaxPad
  float pad_value = 0;    // what the padding reads (in opd0's type)
  float scale = 1;        // Quantize: 1/scale; Dequantize: scale; Convert: a factor
  // REQUANT with opd1_const: one multiplier, shift and zero point for every channel.
  int32_t multiplier = 0, shift = 0, zero_point = 0;
  bool opd1_const = false;      // a binary ARITH: opd1 is `constant`, not an operand
  bool constant_first = false;  // ... and the constant comes first: res = constant ⊙ opd0
  float constant = 0;           // (an integer for int8 operands)
  // CMP: opd2 and opd3, what it selects, may be scalars of res's type instead of operands.
  bool opd2_const = false, opd3_const = false;
  float opd2_value = 0, opd3_value = 0;
};
// Each command below is one real BM1684X command (encoding.h names which); `relu` applies
// max(·, 0) to any result before it is stored.
// CONV (conv.normal)  res[n,oc,y,x] = (has_bias ? opd2[0,oc,0,0] : 0)
//         + Σ_{ic<opd0.c, ky<kh, kx<kw} in[n, ic, y·stride_h + ky·dilation_h,
//                                          x·stride_w + kx·dilation_w] · opd1[0, oc, ic, ky·kw +
//                                          kx]
//       for n < res.n, oc < res.c, y < res.h, x < res.w, where `in` is opd0 padded: in[n,c,i,j] =
//       opd0[n, c, i − pad_top, j − pad_left] inside opd0, else pad_value; the window must lie
//       inside the padded extent (opd0.h + pad_top + pad_bottom rows, likewise columns). int8
//       operands accumulate exactly in int32 (res i32) and take no bias (the chip's int8 CONV reads
//       a kernel zero point there: an ARITH Add adds an int32 bias after); float operands (f32,
//       f16, bf16; opd0, opd1 and the bias of one dtype) accumulate in f32, in the order above,
//       padded taps included (res f32).
// DEPTHWISE (pord.depthwise)  res[n,c,y,x] = (has_bias ? opd2[0,c,0,0] : 0)
//         + Σ_{ky<kh, kx<kw} in[n, c, y·stride_h + ky·dilation_h, x·stride_w + kx·dilation_w]
//                            · opd1[0, c, 0, ky·kw + kx]
//       each channel with its own kernel, as CONV otherwise (int8 → int32 exactly with an int32
//       bias, floats → f32 with a bias of opd0's dtype); res, opd0 and opd1 start on the same lane.
// POOL (pord.maxpooling)  res[n,c,y,x] = max_{ky<kh, kx<kw} in[n, c, y·stride_h + ky·dilation_h,
//                                                            x·stride_w + kx·dilation_w]
//       over opd0 padded as CONV's (same dtype in and out, or a float widened to f32; opd0 and res
//       have the same start lane); with pool_sum (pord.avgpooling, scale 1 and shift 0) the
//       window's sum instead: int8 → int32 exactly, floats → f32 in the order above.
// MATMUL (mm.normal)  res[m,j,0,0] = (has_bias ? opd2[0,j,0,0] : 0)
//                                  + Σ_{k<opd0.c} opd0[m,k,0,0] · opd1[0,j,k,0]
//       int8 → int32 (no bias, as CONV) or floats → f32 (a bias of opd0's dtype).
// REQUANT (quant.rq1)  res[n,c,h,w] = saturate_i8(round_shift(opd0[n,c,h,w] · M, S) + Z)
//       (ir/quant_math.h requantize), where opd1[0,c,0,0..2] = [M, S, Z] is channel c's block of
//       three int32, or, with opd1_const, M, S, Z are multiplier, shift, zero_point for every
//       channel: opd0 i32, res i8, S in [0, 63].
// ARITH elementwise over res's shape (opd0/opd1 have the same shape; stride 0 broadcasts):
//       Quantize (quant.rq0)   res i8 = quantize(opd0 f32, scale) (scale: 1/the tensor's scale)
//       Dequantize (quant.dq0) res f32 = dequantize(opd0 i8, scale)
//       Add, Sub, Mul, Div, Max, Min (arith.add ...)  floats: res = round(opd0 ⊙ opd1) in f32
//                  (each operand f32, f16 or bf16, widened; round: to res's dtype);
//                  int32 Add (a bias): res = opd0 + opd1 modulo 2^32; int8 Max, Min: exact
//       Mul, Mac (arith.mul, arith.mac) int8 by an int32 constant: res i32 = opd0 · constant
//                  (Mac: + res), modulo 2^32 — an int8 Add's two scaled operands, summed;
//                  f32 Mac: res = res + opd0 · opd1, the product rounded, then the sum
//       Convert (arith.cast; arith.mul by a constant when scale ≠ 1)
//                  res = round(opd0 · scale) in f32, between any two float dtypes; or f32 to
//                  i32, rounded half to even and saturated
//       Floor (arith.cast, rounding down)  res f32 = floor(opd0 f32)
//       Abs (arith.abs)  res f32 = |opd0 f32|
//       And, Or (arith.and, arith.or)  res i32 = opd0 ⊙ opd1 (or a constant), bitwise, on int32
//                  operands (an f32 tile read as int32: a sign bit moved)
//       Copy (arith.copy)  res = opd0
//       A binary op with opd1_const takes `constant` for opd1 (with constant_first as its first
//       operand instead: res = constant ⊙ opd0, a sigmoid's 1 / (1 + e)); an integer constant is
//       of res's type.
// SFU, f32 (ir/special_functions.h models what the chip computes; exp, erf and sqrt are short
//       sequences around these two):
//       Taylor (sfu.taylor_4x)  res = taylor_f32(opd0, opd1[0, c, 0, 0..opd1.w−1]): a polynomial
//                  whose opd1.w coefficients (at least 2) lie in every lane of res (opd1.cs = 0)
//       Rsqrt (sfu.rsqrt)  res = rsqrt_f32(opd0, iterations)
// LUT (sg.pe_s_gather_d1coor)  res[n,c,h,w] = opd1[0, c, 0, uint8(opd0[n,c,h,w])]: a gather
//       from a 256-entry table (opd1.w = 256) held in every lane (opd1.cs = 0), indexed by the
//       byte of opd0; opd0, opd1, res i8. An int8 elementwise function.
// CMP (cmp.sel_gt, cmp.sel_eq, cmp.sel_lt)  res[n,c,h,w] = opd0 ⋈ opd1 ? opd2 : opd3, elementwise
//       over res's shape, ⋈ the op's >, == or <: opd0 and opd1 (or the scalar `constant`) of one
//       dtype, compared as numbers (a NaN compares false); opd2 and opd3 (or the scalars
//       opd2_value, opd3_value) of res's dtype. opd3 has an address only: tpuc takes it to share
//       opd2's strides (the form has no stride fields of its own for it).
// END (sys.end)  marks the end of the stream.

enum class GdmaOp : uint8_t { Tensor = 0, Fill = 1, End = 15 };

struct GdmaCommand {
  uint32_t id = 0, dep = 0;
  GdmaOp op = GdmaOp::End;
  Operand src, dst;
  double fill_value =
      0;  // Fill: the value written to every element of dst; exactly representable in dst's dtype
};
// TENSOR dst[n,c,h,w] = src[n,c,h,w] over dst's shape (src has the same shape and dtype; either
//        side may be Global or Local: S2L, L2S, L2L, S2S).
// FILL   dst[n,c,h,w] = fill_value.
// END    marks the end of the stream.

// The name a command goes by in disassembly and traces: CONV, POOL, MATMUL, REQUANT, the ARITH
// subtype (add, quantize, ...), END; GDMA: TENSOR, FILL, END.
const char* mnemonic(const TiuCommand& c);
const char* mnemonic(const GdmaCommand& c);
// One line per command, as the code generator produced it (before encoding): ids, the mnemonic,
// every operand as L<lane>+<address> (local) or G<address> (DDR), dtype[n,c,h,w]/[strides], and
// the command's own fields: "B3 dep D2 CONV res L0+0x400 i32[1,32,5,5]/[...] opd0 ... k 3x3 ...".
std::string command_text(const TiuCommand& c);
std::string command_text(const GdmaCommand& c);

struct Program {
  std::vector<TiuCommand> tiu;
  std::vector<GdmaCommand> gdma;
};

}  // namespace tpuc::bm1684x
