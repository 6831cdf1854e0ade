// The names commands go by in traces and race reports, and their one-line form (isa.h).
#include "chip/bm1684x/isa.h"

#include <cstdio>
#include <string>

namespace tpuc::bm1684x {

const char* mnemonic(const TiuCommand& c) {
  static const char* tiu[] = {"CONV",    "POOL",      "MATMUL", "ARITH",
                              "REQUANT", "DEPTHWISE", "SFU",    "LUT"};
  static const char* arith[] = {"quantize", "dequantize", "add", "max", "copy",
                                "convert",  "sub",        "mul", "div", "min",
                                "mac",      "floor",      "abs", "and", "or"};
  static const char* sfu[] = {"taylor", "rsqrt"};
  static const char* cmp[] = {"select_greater", "select_equal", "select_less"};
  return c.op == TiuOp::End     ? "END"
         : c.op == TiuOp::Arith ? arith[int(c.arith)]
         : c.op == TiuOp::Sfu   ? sfu[int(c.sfu)]
         : c.op == TiuOp::Cmp   ? cmp[int(c.cmp)]
                                : tiu[int(c.op)];
}

const char* mnemonic(const GdmaCommand& c) {
  return c.op == GdmaOp::End ? "END" : c.op == GdmaOp::Fill ? "FILL" : "TENSOR";
}

namespace {

std::string operand(const Operand& o) {
  char text[160];
  const int at =
      o.space == Space::Local
          ? std::snprintf(text, sizeof text, "L%u+0x%llx", o.lane, (unsigned long long)o.addr)
          : std::snprintf(text, sizeof text, "G0x%llx", (unsigned long long)o.addr);
  std::snprintf(text + at, sizeof text - size_t(at), " %s[%u,%u,%u,%u]/[%lld,%lld,%lld,%lld]",
                name(o.dtype), o.n, o.c, o.h, o.w, (long long)o.ns, (long long)o.cs,
                (long long)o.hs, (long long)o.ws);
  return text;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// The window of CONV, DEPTHWISE and POOL.
std::string window(const TiuCommand& c) {
  char text[128];
  std::snprintf(text, sizeof text, " k %ux%u stride %u,%u dilation %u,%u pad %u,%u,%u,%u (%s)",
                c.kh, c.kw, c.stride_h, c.stride_w, c.dilation_h, c.dilation_w, c.pad_top,
                c.pad_bottom, c.pad_left, c.pad_right, number(c.pad_value).c_str());
  return text;
}

}  // namespace

std::string command_text(const TiuCommand& c) {
  std::string line =
      "B" + std::to_string(c.id) + " dep D" + std::to_string(c.dep) + " " + mnemonic(c);
  if (c.op == TiuOp::End) return line;
  line += " res " + operand(c.res) + " opd0 " + operand(c.opd0);
  if (c.opd1_const) {
    line += (c.constant_first ? " constant first " : " opd1 ") + number(c.constant);
  } else if (c.opd1.n != 0) {
    line += " opd1 " + operand(c.opd1);
  }
  if (c.has_bias) line += " opd2 " + operand(c.opd2);
  if (c.op == TiuOp::Cmp) {
    line += c.opd2_const ? " opd2 " + number(c.opd2_value) : " opd2 " + operand(c.opd2);
    line += c.opd3_const ? " opd3 " + number(c.opd3_value) : " opd3 " + operand(c.opd3);
  }
  if (c.op == TiuOp::Conv || c.op == TiuOp::Depthwise || c.op == TiuOp::Pool) line += window(c);
  const bool scaled =
      c.op == TiuOp::Arith && c.arith != ArithOp::Add && c.arith != ArithOp::Copy && c.scale != 1;
  if (scaled) line += " scale " + number(c.scale);
  if (c.op == TiuOp::Requant && c.opd1_const)
    line += " m " + std::to_string(c.multiplier) + " shift " + std::to_string(c.shift) + " zp " +
            std::to_string(c.zero_point);
  if (c.pool_sum) line += " sum";
  if (c.op == TiuOp::Sfu && c.sfu == SfuOp::Rsqrt)
    line += " iterations " + std::to_string(c.iterations);
  if (c.relu) line += " relu";
  return line;
}

std::string command_text(const GdmaCommand& c) {
  std::string line =
      "D" + std::to_string(c.id) + " dep B" + std::to_string(c.dep) + " " + mnemonic(c);
  if (c.op == GdmaOp::Fill) return line + " " + number(c.fill_value) + " -> " + operand(c.dst);
  if (c.op == GdmaOp::Tensor) line += " " + operand(c.src) + " -> " + operand(c.dst);
  return line;
}

}  // namespace tpuc::bm1684x
