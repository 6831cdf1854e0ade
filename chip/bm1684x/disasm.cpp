// Readable listing of a model's command streams (`tpuc disasm`).
#include <cmath>
#include <cstdio>

#include "chip/bm1684x/model_file.h"

namespace tpuc::bm1684x {

namespace {

std::string operand(const Operand& o) {
  char buf[160];
  if (o.space == Space::Local) {
    std::snprintf(buf, sizeof buf, "L[lane %u +0x%llx] %s[%u,%u,%u,%u] s[%lld,%lld,%lld,%lld]",
                  o.lane, (unsigned long long)o.addr, name(o.dtype), o.n, o.c, o.h, o.w,
                  (long long)o.ns, (long long)o.cs, (long long)o.hs, (long long)o.ws);
  } else {
    std::snprintf(buf, sizeof buf, "G[0x%llx] %s[%u,%u,%u,%u] s[%lld,%lld,%lld,%lld]",
                  (unsigned long long)o.addr, name(o.dtype), o.n, o.c, o.h, o.w, (long long)o.ns,
                  (long long)o.cs, (long long)o.hs, (long long)o.ws);
  }
  return buf;
}

// Shortest exact decimal form: 6, -128, -65504, 0.5.
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string tiu_line(const TiuCommand& c) {
  char head[96];
  std::snprintf(head, sizeof head, "  %%B%u dep %%D%u  %s", c.id, c.dep, mnemonic(c));
  std::string line = head;
  if (c.op == TiuOp::End) return line + "\n";
  line += "  res " + operand(c.res) + "  opd0 " + operand(c.opd0);
  const bool binary = c.op == TiuOp::Arith && (c.arith == ArithOp::Add || c.arith == ArithOp::Max ||
                                               c.arith >= ArithOp::Sub);
  if (binary && c.opd1_const)
    line += std::string(c.constant_first ? "  constant first " : "  opd1 ") + number(c.constant);
  if ((binary && !c.opd1_const) || c.op == TiuOp::Conv || c.op == TiuOp::Depthwise ||
      c.op == TiuOp::MatMul || c.op == TiuOp::Requant || c.op == TiuOp::Lut)
    line += "  opd1 " + operand(c.opd1);
  if (c.has_bias) line += "  opd2 " + operand(c.opd2);
  char extra[160] = "";
  if (c.op == TiuOp::Conv || c.op == TiuOp::Depthwise || c.op == TiuOp::Pool) {
    const int n = std::snprintf(extra, sizeof extra, "  k %ux%u stride %u,%u dilation %u,%u", c.kh,
                                c.kw, c.stride_h, c.stride_w, c.dilation_h, c.dilation_w);
    if (c.pad_top || c.pad_bottom || c.pad_left || c.pad_right)
      std::snprintf(extra + n, sizeof extra - size_t(n), "  pad %u,%u,%u,%u (%s)", c.pad_top,
                    c.pad_bottom, c.pad_left, c.pad_right, number(c.pad_value).c_str());
  }
  if (c.op == TiuOp::Arith && (c.arith == ArithOp::Quantize || c.arith == ArithOp::Dequantize ||
                               (c.arith == ArithOp::Convert && c.scale != 1)))
    std::snprintf(extra, sizeof extra, "  scale %.9g", double(c.scale));
  if (c.op == TiuOp::Arith && c.arith == ArithOp::Add)
    std::snprintf(extra, sizeof extra, "  m %d,%d shift %d", c.multiplier[0], c.multiplier[1],
                  c.shift);
  return line + extra + (c.pool_sum ? "  sum" : "") + (c.relu ? "  relu" : "") + "\n";
}

std::string gdma_line(const GdmaCommand& c) {
  char head[64];
  std::snprintf(head, sizeof head, "  %%D%u dep %%B%u  ", c.id, c.dep);
  if (c.op == GdmaOp::End) return std::string(head) + mnemonic(c) + "\n";
  if (c.op == GdmaOp::Fill)
    return std::string(head) + mnemonic(c) + " " + number(c.fill_value) + " -> " + operand(c.dst) +
           "\n";
  const char* dir[2][2] = {{"S2S", "S2L"}, {"L2S", "L2L"}};
  return std::string(head) + mnemonic(c) + " " +
         dir[c.src.space == Space::Local][c.dst.space == Space::Local] + " " + operand(c.src) +
         " -> " + operand(c.dst) + "\n";
}

}  // namespace

const char* mnemonic(const TiuCommand& c) {
  static const char* tiu[] = {"CONV",    "POOL",      "MATMUL", "ARITH",
                              "REQUANT", "DEPTHWISE", "SFU",    "LUT"};
  static const char* arith[] = {"quantize", "dequantize", "add", "max", "copy",
                                "convert",  "sub",        "mul", "div", "min"};
  static const char* sfu[] = {"exp", "sqrt", "erf"};
  return c.op == TiuOp::End     ? "END"
         : c.op == TiuOp::Arith ? arith[int(c.arith)]
         : c.op == TiuOp::Sfu   ? sfu[int(c.sfu)]
                                : tiu[int(c.op)];
}

const char* mnemonic(const GdmaCommand& c) {
  return c.op == GdmaOp::End ? "END" : c.op == GdmaOp::Fill ? "FILL" : "TENSOR";
}

std::string disassemble(const Model& m) {
  std::string out = "; tpuc model for " + m.chip + ": " + std::to_string(m.program.tiu.size()) +
                    " TIU and " + std::to_string(m.program.gdma.size()) + " GDMA commands\n";
  for (const LayerInfo& l : m.layers) {
    out += "layer " + l.name + " (" + l.op + ")\n";
    for (uint32_t i : l.gdma) out += gdma_line(m.program.gdma[i]);
    for (uint32_t i : l.tiu) out += tiu_line(m.program.tiu[i]);
  }
  out += "end\n";
  if (!m.program.gdma.empty()) out += gdma_line(m.program.gdma.back());
  if (!m.program.tiu.empty()) out += tiu_line(m.program.tiu.back());
  return out;
}

}  // namespace tpuc::bm1684x
