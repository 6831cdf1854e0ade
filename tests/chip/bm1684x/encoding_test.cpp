// tpuc's TIU commands in the chip's own long-form encoding: every kind tpuc emits survives the
// bits with its fields at their extremes, each takes the tsk_typ/tsk_eu_typ opdef.py gives it, and
// streams that are not ones tpuc runs are errors naming the command.
#include "chip/bm1684x/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "chip/bm1684x/gdma_encoding.h"
#include "chip/bm1684x/isa/opcodes.h"
#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::error_of;

namespace {

constexpr uint64_t kLane = 1 << 18;
constexpr uint32_t kLanes = 64;

// A local operand at the field extremes: the last lane, 16-bit sizes and n/c strides, 32-bit
// h/w strides.
Operand wide(DType t, uint64_t addr = kLane - 1) {
  return {Space::Local, t,     addr,  kLanes - 1, 65535,        65535,
          65535,        65535, 65535, 65535,      0xffffffffLL, 0xffffffffLL};
}
Operand small(DType t, uint64_t addr, uint32_t lane = 0) {
  return {Space::Local, t, addr, lane, 2, 70, 3, 5, 1050, 15, 5, 1};
}

TiuCommand command(TiuOp op, ArithOp arith = ArithOp::Copy) {
  TiuCommand c;
  c.op = op;
  c.arith = arith;
  c.id = 1;
  return c;
}

TiuCommand window(TiuOp op, DType in, DType out) {
  TiuCommand c = command(op);
  c.res = small(out, 0x100, 3);
  c.opd0 = small(in, 0x2000, 3);
  c.opd1 = {Space::Local, in, 0x4000, 3, 1, 70, 9, 3 * 4, 0, 108, 12, 1};  // [oc, ic, 3·4]
  c.kh = 3;
  c.kw = 4;
  c.stride_h = kMaxStride;
  c.stride_w = 1;
  c.dilation_h = 1;
  c.dilation_w = kMaxDilation;
  c.pad_top = kMaxPad;
  c.pad_left = 1;
  c.pad_value = -128;
  return c;
}

// Every kind of command tpuc emits.
std::vector<TiuCommand> every_kind() {
  std::vector<TiuCommand> all;
  TiuCommand conv = window(TiuOp::Conv, DType::F16, DType::F32);
  conv.has_bias = true;
  conv.opd2 = {Space::Local, DType::F16, 0x6000, 3, 1, 70, 1, 1, 0, 2, 0, 0};
  conv.relu = true;
  all.push_back(conv);
  all.push_back(window(TiuOp::Conv, DType::I8, DType::I32));  // int8: no bias
  TiuCommand depthwise = window(TiuOp::Depthwise, DType::I8, DType::I32);
  depthwise.opd1 = {Space::Local, DType::I8, 0x4000, 3, 1, 70, 1, 12, 0, 12, 0, 1};
  depthwise.has_bias = true;
  depthwise.opd2 = {Space::Local, DType::I32, 0x6000, 3, 1, 70, 1, 1, 0, 1, 0, 0};
  all.push_back(depthwise);
  TiuCommand max_pool = window(TiuOp::Pool, DType::F16, DType::F32);  // a widening max
  max_pool.kw = kMaxKernel;
  all.push_back(max_pool);
  TiuCommand sum = window(TiuOp::Pool, DType::I8, DType::I32);
  sum.pool_sum = true;
  all.push_back(sum);
  TiuCommand mm = command(TiuOp::MatMul);
  mm.res = {Space::Local, DType::F32, 0, 0, 4, 100, 1, 1, 2, 1, 0, 0};
  mm.opd0 = {Space::Local, DType::F32, 0x100, 0, 4, 300, 1, 1, 5, 1, 0, 0};
  mm.opd1 = {Space::Local, DType::F32, 0x800, 0, 1, 100, 300, 1, 0, 400, 1, 0};  // [j, k]
  mm.has_bias = true;
  mm.opd2 = {Space::Local, DType::F32, 0x9000, 0, 1, 100, 1, 1, 0, 1, 0, 0};
  all.push_back(mm);
  TiuCommand rq = command(TiuOp::Requant);
  rq.res = small(DType::I8, 0);
  rq.opd0 = small(DType::I32, 0x100);
  rq.opd1 = {Space::Local, DType::I32, 0x3000, 0, 1, 70, 1, 3, 0, 3, 0, 1};
  rq.relu = true;
  all.push_back(rq);
  TiuCommand quantize = command(TiuOp::Arith, ArithOp::Quantize);
  quantize.res = small(DType::I8, 0);
  quantize.opd0 = small(DType::F32, 0x100);
  quantize.scale = 1.0f / 3;
  all.push_back(quantize);
  TiuCommand dequantize = quantize;
  dequantize.arith = ArithOp::Dequantize;
  std::swap(dequantize.res, dequantize.opd0);
  all.push_back(dequantize);
  for (ArithOp op :
       {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Max, ArithOp::Min}) {
    TiuCommand c = command(TiuOp::Arith, op);
    c.res = wide(DType::BF16);
    c.opd0 = small(DType::F16, 0x100);
    c.opd1 = small(DType::F32, 0x200, 63);
    all.push_back(c);
    c.opd1_const = true;
    c.constant = -0.75f;
    all.push_back(c);
    c.constant_first = true;  // k ⊙ x
    all.push_back(c);
  }
  TiuCommand relu6 = command(TiuOp::Arith, ArithOp::Min);  // an int8 activation limit
  relu6.res = relu6.opd0 = small(DType::I8, 0);
  relu6.opd1_const = true;
  relu6.constant = 96;
  all.push_back(relu6);
  TiuCommand cast = command(TiuOp::Arith, ArithOp::Convert);
  cast.res = small(DType::F16, 0);
  cast.opd0 = small(DType::F32, 0x100);
  all.push_back(cast);
  cast.scale = 0.0625f;  // a scaled conversion: arith.mul by the scale
  all.push_back(cast);
  TiuCommand copy = command(TiuOp::Arith, ArithOp::Copy);
  copy.res = copy.opd0 = small(DType::I32, 0);
  all.push_back(copy);
  TiuCommand bias = command(TiuOp::Arith, ArithOp::Add);  // int32: an int8 CONV's bias
  bias.res = bias.opd0 = small(DType::I32, 0);
  bias.opd1 = {Space::Local, DType::I32, 0x900, 0, 2, 70, 3, 5, 0, 1, 0, 0};
  all.push_back(bias);
  for (ArithOp op : {ArithOp::Mul, ArithOp::Mac}) {  // an int8 Add's scaled operands, summed
    TiuCommand scaled = command(TiuOp::Arith, op);
    scaled.res = small(DType::I32, 0);
    scaled.opd0 = small(DType::I8, 0x1000);
    scaled.opd1_const = true;
    scaled.constant = -16777216;  // -2^24: a float holds it exactly
    all.push_back(scaled);
  }
  TiuCommand rq_const = rq;  // one multiplier, shift and zero point for every channel
  rq_const.opd1_const = true;
  rq_const.multiplier = INT32_MIN;
  rq_const.shift = 63;
  rq_const.zero_point = INT16_MIN;
  all.push_back(rq_const);
  TiuCommand taylor = command(TiuOp::Sfu);  // a polynomial of 65535 coefficients, in every lane
  taylor.sfu = SfuOp::Taylor;
  taylor.res = small(DType::F32, 0, 5);
  taylor.opd0 = small(DType::F32, 0x100, 5);
  taylor.opd1 = {Space::Local, DType::F32, 0x3c0, 5, 1, 70, 1, 65535, 0, 0, 0, 1};
  all.push_back(taylor);
  TiuCommand rsqrt = command(TiuOp::Sfu);
  rsqrt.sfu = SfuOp::Rsqrt;
  rsqrt.res = rsqrt.opd0 = small(DType::F32, 0);
  for (uint8_t iterations : {1, 4}) {
    rsqrt.iterations = iterations;
    all.push_back(rsqrt);
  }
  for (ArithOp op : {ArithOp::Floor, ArithOp::Abs}) {  // exp's and erf's steps
    TiuCommand c = command(TiuOp::Arith, op);
    c.res = c.opd0 = small(DType::F32, 0);
    all.push_back(c);
  }
  TiuCommand mac = command(TiuOp::Arith, ArithOp::Mac);
  mac.res = small(DType::F32, 0);
  mac.opd0 = small(DType::F32, 0x100);
  mac.opd1_const = true;
  mac.constant = -2.12194440e-4f;
  all.push_back(mac);
  TiuCommand to_int32 = command(TiuOp::Arith, ArithOp::Convert);
  to_int32.res = small(DType::I32, 0);
  to_int32.opd0 = small(DType::F32, 0);
  all.push_back(to_int32);
  TiuCommand sign = command(TiuOp::Arith, ArithOp::And);
  sign.res = sign.opd0 = small(DType::I32, 0);
  sign.opd1_const = true;
  sign.constant = float(INT32_MIN);
  all.push_back(sign);
  TiuCommand with_sign = command(TiuOp::Arith, ArithOp::Or);
  with_sign.res = with_sign.opd0 = small(DType::I32, 0);
  with_sign.opd1 = small(DType::I32, 0x100);
  all.push_back(with_sign);
  TiuCommand lut = command(TiuOp::Lut);
  lut.res = lut.opd0 = small(DType::I8, 0);
  lut.opd1 = {Space::Local, DType::I8, 0x800, 0, 1, 70, 1, 256, 0, 0, 0, 1};
  all.push_back(lut);
  TiuCommand from_int32 = command(TiuOp::Arith, ArithOp::Convert);  // log's exponent field
  from_int32.res = small(DType::F32, 0);
  from_int32.opd0 = small(DType::I32, 0x100);
  all.push_back(from_int32);
  TiuCommand greater = command(TiuOp::Cmp);  // f32 compared, f16 chosen, a scalar otherwise
  greater.cmp = CmpOp::Greater;
  greater.res = small(DType::F16, 0);
  greater.opd0 = small(DType::F32, 0x100);
  greater.opd1 = small(DType::F32, 0x200, 7);
  greater.opd2 = small(DType::F16, 0x300);
  greater.opd3_const = true;
  greater.opd3_value = -65504;
  all.push_back(greater);
  TiuCommand where = command(TiuOp::Cmp);  // a bool against 0, choosing between two operands
  where.cmp = CmpOp::Equal;
  where.res = small(DType::F32, 0);
  where.opd0 = small(DType::U8, 0x100);
  where.opd1_const = true;
  where.opd2 = small(DType::F32, 0x200);
  where.opd3 = small(DType::F32, 0x300, 9);
  all.push_back(where);
  TiuCommand less = command(TiuOp::Cmp);  // a bool: 1 or 0
  less.cmp = CmpOp::Less;
  less.res = small(DType::U8, 0);
  less.opd0 = small(DType::BF16, 0x100);
  less.opd1_const = true;
  less.constant = 0.5f;
  less.opd2_const = less.opd3_const = true;
  less.opd2_value = 1;
  all.push_back(less);
  for (size_t k = 0; k < all.size(); ++k) {
    all[k].id = uint32_t(k + 1);
    all[k].dep = k % 2 ? (1u << 20) - 1 : 0;
  }
  return all;
}

}  // namespace

TEST(TiuEncoding, EveryKindRoundTripsThroughTheBits) {
  for (const TiuCommand& c : every_kind()) {
    SCOPED_TRACE(std::to_string(c.id) + " " + mnemonic(c));
    const isa::Command bits = to_tiu(c, kLane);
    const TiuCommand back = from_tiu(bits, kLane, kLanes);
    EXPECT_EQ(to_tiu(back, kLane), bits);
    EXPECT_EQ(back.id, c.id);
    EXPECT_EQ(back.dep, c.dep);
    EXPECT_EQ(back.res.addr, c.res.addr);
    EXPECT_EQ(back.res.lane, c.res.lane);
    EXPECT_EQ(back.res.elements(), c.res.elements());
    EXPECT_EQ(back.opd0.dtype, c.opd0.dtype);
    EXPECT_EQ(back.relu, c.relu);
    EXPECT_EQ(back.has_bias, c.has_bias);
  }
}

TEST(TiuEncoding, CommandsTakeTheChipsOpcodes) {
  std::vector<std::string> names;
  for (const TiuCommand& c : every_kind()) names.push_back(isa::command_name(to_tiu(c, kLane)));
  const std::vector<std::string> want = {
      "conv.normal",   "conv.normal", "pord.depthwise", "pord.maxpooling", "pord.avgpooling",
      "mm.normal",     "quant.rq1",   "quant.rq0",      "quant.dq0",       "arith.add",
      "arith.add",     "arith.add",   "arith.sub",      "arith.sub",       "arith.sub",
      "arith.mul",     "arith.mul",   "arith.mul",      "arith.div",       "arith.div",
      "arith.div",     "arith.max",   "arith.max",      "arith.max",       "arith.min",
      "arith.min",     "arith.min",   "arith.min",      "arith.cast",      "arith.mul",
      "arith.copy",    "arith.add",   "arith.mul",      "arith.mac",       "quant.rq1",
      "sfu.taylor_4x", "sfu.rsqrt",   "sfu.rsqrt",      "arith.cast",      "arith.abs",
      "arith.mac",     "arith.cast",  "arith.and",      "arith.or",        "sg.pe_s_gather_d1coor",
      "arith.cast",    "cmp.sel_gt",  "cmp.sel_eq",     "cmp.sel_lt"};
  EXPECT_EQ(names, want);
}

TEST(TiuEncoding, OperandsAndWindowsSitInTheirFields) {
  const TiuCommand conv = every_kind()[0];
  const isa::Command bits = to_tiu(conv, kLane);
  EXPECT_EQ(bits.get("cmd_short"), 0u);
  EXPECT_EQ(bits.get("res0_addr"), 3 * kLane + 0x100);  // lane · lane bytes + address
  EXPECT_EQ(bits.get("opd1_h"), 3u);                    // the kernel
  EXPECT_EQ(bits.get("opd1_w"), 4u);
  EXPECT_EQ(bits.get("opd1_n"), 9u);  // its input channels
  EXPECT_EQ(bits.get("res_op_y_str"), uint64_t(kMaxStride));
  EXPECT_EQ(bits.get("opd1_x_ins0"), uint64_t(kMaxDilation - 1));
  EXPECT_EQ(bits.get("opd0_up_pad"), uint64_t(kMaxPad));
  EXPECT_EQ(bits.get("opd3_const"), 1u);  // the pad value, as an f16
  EXPECT_EQ(bits.get("opd3_addr"), 0xd800u);
  EXPECT_EQ(bits.get("opd0_prec"), 1u);
  EXPECT_EQ(bits.get("res0_prec"), 2u);
  EXPECT_EQ(bits.get("relu"), 1u);
  const isa::Command int8_conv = to_tiu(every_kind()[1], kLane);
  EXPECT_EQ(int8_conv.get("opd2_const"), 1u);  // a kernel zero point of 0, no bias
  EXPECT_EQ(int8_conv.get("opd2_addr"), 0u);
}

TEST(TiuEncoding, StreamsEndWithTheChipsEnd) {
  std::vector<TiuCommand> commands = every_kind();
  TiuCommand end;
  end.id = uint32_t(commands.size() + 1);
  commands.push_back(end);
  for (TiuCommand& c : commands) c.dep = 0;
  const std::string bytes = encode_tiu(commands, kLane);
  EXPECT_EQ(bytes.size() % isa::kStreamAlignment, 0u);
  const std::vector<TiuCommand> back = decode_tiu(bytes, kLane, kLanes, "s");
  ASSERT_EQ(back.size(), commands.size());
  EXPECT_EQ(back.back().op, TiuOp::End);
  EXPECT_EQ(back.back().id, end.id);
}

TEST(TiuEncoding, CommandsTpucDoesNotRunAreErrorsNamingThem) {
  const std::string stream = encode_tiu({every_kind()[0], TiuCommand{}}, kLane);
  auto damaged = [&](const char* field, uint64_t value) {
    isa::Command c = isa::decode_stream(isa::Engine::kTiu, stream, "s")[0];
    c.set(field, value);
    return error_of(
        [&] { decode_tiu(isa::encode_stream(isa::Engine::kTiu, {c}), kLane, kLanes, "s"); });
  };
  EXPECT_EQ(damaged("kernel_rotate", 1),
            "s: command 1 (conv.normal): kernel_rotate = 1: tpuc's simulator does not run this");
  EXPECT_EQ(
      damaged("opd0_str", 0),
      "s: command 1 (conv.normal): opd0_str 0: tpuc runs operands with free strides (3) only");
  EXPECT_EQ(damaged("res_op_x_str", 0), "s: command 1 (conv.normal): a window stride of 0");
  EXPECT_EQ(damaged("tsk_eu_typ", 1),
            "s: command 1 (conv.wrq): conv.wrq is not a command tpuc's "
            "simulator runs");
  EXPECT_EQ(damaged("opd0_addr", kLanes * kLane),
            "s: command 1 (conv.normal): opd0_addr 16777216 lies past local memory");
  EXPECT_NE(damaged("tsk_eu_typ", 9).find("unknown"), std::string::npos);
  EXPECT_NE(error_of([&] { decode_tiu(stream.substr(0, 100), kLane, kLanes, "s"); }).find("s:"),
            std::string::npos);
}

TEST(TiuEncoding, FieldsThatDoNotFitAreInternalErrors) {
  TiuCommand c = every_kind()[0];
  c.stride_h = kMaxStride + 1;
  EXPECT_THROW(to_tiu(c, kLane), Error);
  c = every_kind()[0];
  c.res.space = Space::Global;
  EXPECT_THROW(to_tiu(c, kLane), Error);
  c = every_kind()[0];
  c.opd0.ns = 65536;  // n strides are 16 bits
  EXPECT_THROW(to_tiu(c, kLane), Error);
}

// Writes the stream fuzzer's seeds (tests/fuzz/stream_fuzzer.cpp) into $TPUC_STREAM_SEEDS: a TIU
// stream of every command kind and each kind alone, and a GDMA stream; disabled, run by hand.
TEST(StreamFuzzSeeds, DISABLED_WriteFuzzSeeds) {
  const char* dir = std::getenv("TPUC_STREAM_SEEDS");
  ASSERT_NE(dir, nullptr) << "set TPUC_STREAM_SEEDS";
  std::vector<TiuCommand> all = every_kind();
  auto stream = [](std::vector<TiuCommand> commands) {
    for (size_t k = 0; k < commands.size(); ++k) {
      commands[k].id = uint32_t(k + 1);
      commands[k].dep = 0;
    }
    TiuCommand end;
    end.id = uint32_t(commands.size() + 1);
    commands.push_back(end);
    return std::string(1, '\0') + encode_tiu(commands, kLane);
  };
  write_file_atomic(std::string(dir) + "/tiu-all", stream(all));
  for (size_t k = 0; k < all.size(); ++k)
    write_file_atomic(std::string(dir) + "/tiu-" + std::to_string(k), stream({all[k]}));
  GdmaCommand copy;
  copy.op = GdmaOp::Tensor;
  copy.id = 1;
  copy.src = {Space::Global, DType::I8, 0x100000000, 0, 1, 70, 3, 5, 1050, 15, 5, 1};
  copy.dst = {Space::Local, DType::I8, 0x3c0, 63, 1, 70, 3, 5, 0, 64, 5, 1};
  GdmaCommand end;
  end.id = 2;
  write_file_atomic(std::string(dir) + "/gdma-copy",
                    std::string(1, '\1') + encode_gdma_stream({copy, end}, kLane));
}

// The SFU's own fields (tpu-mlir's TaylorOp and RsqrtOp), and floor as arith.cast rounding down.
TEST(TiuEncoding, SpecialFunctionFieldsAreTheChips) {
  std::vector<TiuCommand> all = every_kind();
  auto find = [&](TiuOp op, auto pick) {
    return *std::find_if(all.begin(), all.end(),
                         [&](const TiuCommand& c) { return c.op == op && pick(c); });
  };
  const TiuCommand taylor = find(TiuOp::Sfu, [](auto& c) { return c.sfu == SfuOp::Taylor; });
  const isa::Command bits = to_tiu(taylor, kLane);
  EXPECT_EQ(bits.get("opd1_addr"), 5 * kLane + 0x3c0);
  EXPECT_EQ(bits.get("opd1_n"), 65535u);
  const TiuCommand back = from_tiu(bits, kLane, kLanes);
  EXPECT_EQ(back.opd1.w, 65535u);
  EXPECT_EQ(back.opd1.lane, 5u);
  EXPECT_EQ(back.opd1.cs, 0);
  auto rsqrt_of = [](int iterations) {
    return [=](const TiuCommand& c) { return c.sfu == SfuOp::Rsqrt && c.iterations == iterations; };
  };
  TiuCommand rsqrt = find(TiuOp::Sfu, rsqrt_of(4));
  EXPECT_EQ(to_tiu(rsqrt, kLane).get("opd2_n_str"), 3u);
  EXPECT_EQ(from_tiu(to_tiu(rsqrt, kLane), kLane, kLanes).iterations, 4);
  rsqrt.iterations = 5;
  EXPECT_THROW(to_tiu(rsqrt, kLane), Error);
  isa::Command five = to_tiu(find(TiuOp::Sfu, rsqrt_of(1)), kLane);
  five.set("opd2_n_str", 4);  // 5 iterations
  EXPECT_THROW(from_tiu(five, kLane, kLanes), Error);
  const TiuCommand floor = find(TiuOp::Arith, [](auto& c) { return c.arith == ArithOp::Floor; });
  EXPECT_EQ(to_tiu(floor, kLane).get("opd2_n_str"), 3u);  // RM_DOWN
  EXPECT_EQ(from_tiu(to_tiu(floor, kLane), kLane, kLanes).arith, ArithOp::Floor);
}

TEST(TiuEncoding, CommandsPrintAsTheGeneratorMadeThem) {
  TiuCommand conv = every_kind()[1];  // the int8 CONV
  EXPECT_EQ(command_text(conv),
            "B2 dep D1048575 CONV res L3+0x100 i32[2,70,3,5]/[1050,15,5,1] opd0 L3+0x2000 "
            "i8[2,70,3,5]/[1050,15,5,1] opd1 L3+0x4000 i8[1,70,9,12]/[0,108,12,1] k 3x4 stride "
            "15,1 dilation 1,16 pad 15,0,1,0 (-128)");
}
