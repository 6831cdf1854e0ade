// The names commands go by in traces and race reports (isa.h).
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

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

}  // namespace tpuc::bm1684x
