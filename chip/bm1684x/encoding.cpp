#include "chip/bm1684x/encoding.h"

#include <cstring>

#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

namespace {

struct Writer {
  std::string& out;
  template <class T>
  void operator()(const T& v) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));  // x86-64 and the chip are little-endian
    out.append(bytes, sizeof(T));
  }
};

struct Reader {
  const std::string& in;
  size_t pos;
  template <class T>
  void operator()(T& v) {
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
  }
};

// The field lists. Enums travel as their underlying integers.
template <class IO, class O>
void operand_fields(IO& io, O& o) {
  io(o.space);
  io(o.dtype);
  io(o.addr);
  io(o.lane);
  io(o.n);
  io(o.c);
  io(o.h);
  io(o.w);
  io(o.ns);
  io(o.cs);
  io(o.hs);
  io(o.ws);
}

template <class IO, class C>
void tiu_fields(IO& io, C& c) {
  io(c.id);
  io(c.dep);
  io(c.op);
  io(c.arith);
  io(c.sfu);
  io(c.has_bias);
  io(c.relu);
  io(c.pool_sum);
  io(c.relu_limit);
  io(c.kh);
  io(c.kw);
  io(c.stride_h);
  io(c.stride_w);
  io(c.dilation_h);
  io(c.dilation_w);
  io(c.pad_top);
  io(c.pad_bottom);
  io(c.pad_left);
  io(c.pad_right);
  io(c.pad_value);
  io(c.scale);
  io(c.multiplier[0]);
  io(c.multiplier[1]);
  io(c.shift);
  io(c.opd1_const);
  io(c.constant_first);
  io(c.constant);
  operand_fields(io, c.res);
  operand_fields(io, c.opd0);
  operand_fields(io, c.opd1);
  operand_fields(io, c.opd2);
}

// Field bytes: an operand is 1+1+8+4 + 4·4 + 4·8 = 62; a TIU command 56 + 4 operands = 304.
constexpr size_t kOperandBytes = 62;
static_assert(56 + 4 * kOperandBytes <= kTiuRecordBytes, "record size");

template <class Cmd, class Fields>
std::string encode(const std::vector<Cmd>& commands, size_t record, Fields fields) {
  std::string out;
  for (Cmd c : commands) {
    const size_t start = out.size();
    Writer w{out};
    fields(w, c);
    out.resize(start + record, '\0');
  }
  return out;
}

template <class Cmd, class Fields>
std::vector<Cmd> decode(const std::string& bytes, size_t record, const std::string& where,
                        Fields fields, bool (*known)(const Cmd&)) {
  if (bytes.size() % record)
    throw Error(where + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                std::to_string(record) + "-byte commands");
  std::vector<Cmd> commands;
  for (size_t start = 0; start < bytes.size(); start += record) {
    Cmd c;
    Reader r{bytes, start};
    fields(r, c);
    const size_t index = start / record;
    if (c.id != index + 1)
      throw Error(where + ": command " + std::to_string(index) + " has id " + std::to_string(c.id));
    if (!known(c))
      throw Error(where + ": command " + std::to_string(index) + " has unknown kind " +
                  std::to_string(int(c.op)));
    commands.push_back(c);
  }
  return commands;
}

bool known_tiu(const TiuCommand& c) {
  return (c.op <= TiuOp::Lut || c.op == TiuOp::End) && c.arith <= ArithOp::Div &&
         c.sfu <= SfuOp::Erf;
}

}  // namespace

std::string encode_tiu(const std::vector<TiuCommand>& commands) {
  return encode(commands, kTiuRecordBytes, [](Writer& w, TiuCommand& c) { tiu_fields(w, c); });
}

std::vector<TiuCommand> decode_tiu(const std::string& bytes, const std::string& where) {
  return decode<TiuCommand>(
      bytes, kTiuRecordBytes, where, [](Reader& r, TiuCommand& c) { tiu_fields(r, c); }, known_tiu);
}

}  // namespace tpuc::bm1684x
