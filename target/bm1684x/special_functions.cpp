#include "target/bm1684x/special_functions.h"

namespace tpuc::bm1684x {

namespace {

using namespace special;

const CoefficientTable kExpTable{"exp_taylor", kExpTaylor, kExpTerms};
const CoefficientTable kErfTable{"erf_taylor", kErfTaylor, kErfTerms};
const CoefficientTable kLogTable{"log_taylor", kLogTaylor, kLogTerms};

// The commands of one sequence, appended in order.
struct Sequence {
  std::vector<TiuCommand> commands;

  TiuCommand& arith(ArithOp op, const Operand& res, const Operand& a) {
    TiuCommand c;
    c.op = TiuOp::Arith;
    c.arith = op;
    c.res = res;
    c.opd0 = a;
    commands.push_back(c);
    return commands.back();
  }
  void binary(ArithOp op, const Operand& res, const Operand& a, const Operand& b) {
    arith(op, res, a).opd1 = b;
  }
  // res = a ⊙ k, or with `first` res = k ⊙ a.
  void constant(ArithOp op, const Operand& res, const Operand& a, float k, bool first = false) {
    TiuCommand& c = arith(op, res, a);
    c.opd1_const = true;
    c.constant = k;
    c.constant_first = first;
  }
  void sfu(SfuOp op, const Operand& res, const Operand& a) {
    TiuCommand c;
    c.op = TiuOp::Sfu;
    c.sfu = op;
    c.res = res;
    c.opd0 = a;
    c.iterations = uint8_t(kRsqrtIterations);
    commands.push_back(c);
  }
  void taylor(const Operand& res, const Operand& a, const Operand& table) {
    sfu(SfuOp::Taylor, res, a);
    commands.back().opd1 = table;
  }

  // res = e^x; `a` a scratch tile; res may be x.
  void exp(const Operand& res, const Operand& x, const Operand& a, const Operand& b,
           const Operand& table) {
    constant(ArithOp::Max, res, x, kExpLow);
    constant(ArithOp::Min, res, res, kExpHigh);
    constant(ArithOp::Mul, a, res, kLog2E);
    arith(ArithOp::Floor, a, a);
    constant(ArithOp::Mul, b, a, -kLn2Hi);
    binary(ArithOp::Add, b, b, res);
    constant(ArithOp::Mac, b, a, -kLn2Lo);
    taylor(res, b, table);
    constant(ArithOp::Add, b, a, kExponentBias);
    constant(ArithOp::Mul, b, b, kMantissaScale);
    Operand bits = b;
    bits.dtype = DType::I32;
    arith(ArithOp::Convert, bits, b);
    binary(ArithOp::Mul, res, res, b);  // b's bits as f32: 2^F
  }

  // res = log x; `e`, `m` and `t` scratch tiles (the exponent, the mantissa, a temporary).
  void log(const Operand& res, const Operand& x, const Operand& e, const Operand& m,
           const Operand& t, const Operand& table) {
    Operand e_bits = e, m_bits = m, clamped_bits = res;
    e_bits.dtype = m_bits.dtype = clamped_bits.dtype = DType::I32;
    constant(ArithOp::Max, res, x, kSmallestNormal);
    constant(ArithOp::And, e_bits, clamped_bits, float(kExponentBits));
    arith(ArithOp::Convert, e, e_bits);
    constant(ArithOp::Mul, e, e, kMantissaUnit);
    constant(ArithOp::Sub, e, e, kExponentBias);
    constant(ArithOp::And, m_bits, clamped_bits, float(kMantissaBits));
    constant(ArithOp::Or, m_bits, m_bits, float(kOneBits));
    constant(ArithOp::Mul, t, m, kSqrtHalf);
    arith(ArithOp::Floor, t, t);
    constant(ArithOp::Mul, res, m, 0.5f);
    binary(ArithOp::Mul, res, res, t);
    binary(ArithOp::Sub, m, m, res);
    binary(ArithOp::Add, e, e, t);
    constant(ArithOp::Sub, t, m, 1.0f);
    constant(ArithOp::Add, m, m, 1.0f);
    binary(ArithOp::Div, t, t, m);
    binary(ArithOp::Mul, m, t, t);
    taylor(res, m, table);
    binary(ArithOp::Mul, res, res, t);
    constant(ArithOp::Mac, res, e, kLn2Lo);
    constant(ArithOp::Mac, res, e, kLn2Hi);
  }
};

Operand as_int32(Operand o) {
  o.dtype = DType::I32;
  return o;
}

}  // namespace

int scratch_tiles(SpecialFunction f) {
  switch (f) {
    case SpecialFunction::Exp:
      return 2;
    case SpecialFunction::Erf:
      return 3;
    case SpecialFunction::Sqrt:
      return 0;
    case SpecialFunction::Log:
      return 3;
  }
  return 0;
}

std::vector<CoefficientTable> tables_of(SpecialFunction f) {
  if (f == SpecialFunction::Exp) return {kExpTable};
  if (f == SpecialFunction::Erf) return {kExpTable, kErfTable};
  if (f == SpecialFunction::Log) return {kLogTable};
  return {};
}

std::vector<TiuCommand> special_function_commands(SpecialFunction f,
                                                  const SpecialFunctionOperands& o) {
  Sequence s;
  const Operand &res = o.res, &x = o.x;
  if (f == SpecialFunction::Sqrt) {
    s.sfu(SfuOp::Rsqrt, res, x);
    s.binary(ArithOp::Mul, res, res, x);
  } else if (f == SpecialFunction::Exp) {
    s.exp(res, x, o.scratch[0], o.scratch[1], o.tables[0]);
  } else if (f == SpecialFunction::Log) {
    s.log(res, x, o.scratch[0], o.scratch[1], o.scratch[2], o.tables[0]);
  } else {  // erf: t = 1 / (1 + p·|x|), erf(|x|) = 1 − poly(t)·e^−x², then x's sign
    const Operand &t = o.scratch[0], &poly = o.scratch[1], &a = o.scratch[2];
    s.arith(ArithOp::Abs, t, x);
    s.constant(ArithOp::Mul, t, t, kErfP);
    s.constant(ArithOp::Add, t, t, 1.0f);
    s.constant(ArithOp::Div, t, t, 1.0f, true);
    s.taylor(poly, t, o.tables[1]);
    s.binary(ArithOp::Mul, t, x, x);
    s.constant(ArithOp::Mul, t, t, -1.0f);
    s.exp(t, t, res, a, o.tables[0]);
    s.binary(ArithOp::Mul, poly, poly, t);
    s.constant(ArithOp::Sub, poly, poly, 1.0f, true);
    s.constant(ArithOp::And, as_int32(a), as_int32(x), float(kSignBit));
    s.binary(ArithOp::Or, as_int32(res), as_int32(poly), as_int32(a));
  }
  return s.commands;
}

}  // namespace tpuc::bm1684x
