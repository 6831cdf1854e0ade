#include "chip/bm1684x/sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "chip/bm1684x/data_format.h"
#include "chip/bm1684x/encoding.h"
#include "chip/bm1684x/gdma_encoding.h"
#include "chip/bm1684x/performance.h"
#include "chip/bm1684x/sim/cycle_model.h"
#include "ir/diagnostics.h"
#include "ir/quant_math.h"
#include "ir/special_functions.h"

namespace tpuc::bm1684x {

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", (unsigned long long)v);
  return buf;
}

// How a command accessed a byte: a set of kRead and kWrite. An enum rather than uint8_t, so that
// storing a mark cannot alias the memories or a view's fields (no reloads in the loops around it).
enum Access : uint8_t { kNone = 0, kRead = 1, kWrite = 2 };

// Which local-memory bytes one command accessed, lane-relative with all lanes merged (the compiler
// places a buffer at the same lane-relative address in every lane), as its views record them.
struct Footprint {
  std::vector<Access> marks;  // per lane-relative byte
  std::vector<std::pair<int64_t, int64_t>>
      spans;  // the local views' [first, last): where marks can be
};

// An operand resolved to memory after its whole footprint was checked: element addresses are
// computed without further checks. Given a Footprint, a local view records every element it is
// asked for (at, touch) there, as read or written by its `access`.
class View {
 public:
  View(std::vector<uint8_t>& ddr, std::vector<uint8_t>& lmem, const Chip& chip, const Operand& o,
       const std::string& what, Access access, Footprint* footprint)
      : o_(o), lanes_(chip.lanes), lane_bytes_(chip.lmem_bytes), b_(bytes(o.dtype)) {
    auto fail = [&](const std::string& why) { throw Error(what + ": " + why); };
    if (o.elements() == 0) fail("empty operand");
    auto span = [](int64_t extent, int64_t stride, int64_t& lo, int64_t& hi) {
      (stride < 0 ? lo : hi) += (extent - 1) * stride;
    };
    int64_t lo = 0, hi = 0;
    span(o.n, o.ns, lo, hi);
    span(o.h, o.hs, lo, hi);
    span(o.w, o.ws, lo, hi);
    if (o.space == Space::Local) {
      if (o.lane >= uint32_t(lanes_))
        fail("start lane " + std::to_string(o.lane) + " is outside the " + std::to_string(lanes_) +
             " lanes");
      span((int64_t(o.lane) + o.c - 1) / lanes_ + 1, o.cs, lo, hi);
      const int64_t first = int64_t(o.addr) + lo * b_, last = int64_t(o.addr) + hi * b_ + b_;
      if (first < 0 || last > lane_bytes_)
        fail("local bytes [" + std::to_string(first) + ", " + std::to_string(last) +
             ") leave the lane's " + std::to_string(lane_bytes_) + " bytes");
      base_ = lmem.data();
      if (footprint) {
        marks_ = footprint->marks.data();
        access_ = access;
        footprint->spans.emplace_back(first, last);
      }
    } else {
      span(o.c, o.cs, lo, hi);
      const int64_t offset = int64_t(o.addr - chip.ddr_base);
      if (o.addr < chip.ddr_base || offset + lo * b_ < 0 ||
          offset + hi * b_ + b_ > int64_t(ddr.size()))
        fail("DDR bytes [0x" + hex(o.addr + uint64_t(lo * b_)) + ", 0x" +
             hex(o.addr + uint64_t(hi * b_ + b_)) + ") leave the model's DDR [0x" +
             hex(chip.ddr_base) + ", 0x" + hex(chip.ddr_base + ddr.size()) + ")");
      base_ = ddr.data() + offset;
    }
  }

  // Address of element (n, c, 0, 0).
  uint8_t* plane(int64_t n, int64_t c) const {
    const auto [lane, offset] = locate(n, c);
    return base_ + lane * lane_bytes_ + offset;
  }
  template <class T>
  T& at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    auto [lane, offset] = locate(n, c);
    offset += (h * o_.hs + w * o_.ws) * b_;
    if (marks_) record(offset);
    return *reinterpret_cast<T*>(base_ + lane * lane_bytes_ + offset);
  }
  // Records an access to the element at `element` (of this view), for accesses that walk from
  // plane() by strides instead of calling at().
  void touch(const void* element) const {
    if (marks_) record((static_cast<const uint8_t*>(element) - base_) % lane_bytes_);
  }
  bool records() const { return marks_ != nullptr; }
  const Operand& op() const { return o_; }

 private:
  Operand o_;
  int64_t lanes_, lane_bytes_, b_;
  uint8_t* base_ = nullptr;
  Access* marks_ = nullptr;  // a local view's footprint marks, when recording
  Access access_ = kNone;

  // Element (n, c, 0, 0): its lane and byte offset in the lane (global: lane 0, the offset from
  // base_).
  std::pair<int64_t, int64_t> locate(int64_t n, int64_t c) const {
    if (o_.space == Space::Global) return {0, (n * o_.ns + c * o_.cs) * b_};
    const int64_t lane = (o_.lane + c) % lanes_, slot = (o_.lane + c) / lanes_;
    return {lane, int64_t(o_.addr) + (n * o_.ns + slot * o_.cs) * b_};
  }
  void record(int64_t lane_offset) const {
    for (int64_t k = 0; k < b_; ++k)
      marks_[lane_offset + k] = Access(marks_[lane_offset + k] | access_);
  }
};

void require(bool ok, const std::string& what, const std::string& why) {
  if (!ok) throw Error(what + ": " + why);
}

// Element types as stored, and how each widens for arithmetic: int8 → int32, the floats → f32.
struct F16 {
  uint16_t bits;
};
struct BF16 {
  uint16_t bits;
};
int32_t widen(int8_t v) { return v; }
int32_t widen(int32_t v) { return v; }
float widen(float v) { return v; }
float widen(F16 v) {
  static const std::vector<float> table = [] {  // every f16, widened once
    std::vector<float> t(1 << 16);
    for (uint32_t h = 0; h < t.size(); ++h) t[h] = from_f16(uint16_t(h));
    return t;
  }();
  return table[v.bits];
}
float widen(BF16 v) { return from_bf16(v.bits); }
template <class T>
using Wide = decltype(widen(T{}));

// A wide value stored as T: rounded to nearest even for f16/bf16 (exact for values widened from T).
template <class T>
T narrow(Wide<T> v) {
  if constexpr (std::is_same_v<T, F16>)
    return F16{to_f16(v)};
  else if constexpr (std::is_same_v<T, BF16>)
    return BF16{to_bf16(v)};
  else
    return T(v);
}

// Calls f with a value of the element type `t` stores: i8, f32, f16 or bf16 (what TIU arithmetic
// takes).
template <class F>
void with_element_type(DType t, const std::string& what, F&& f) {
  switch (t) {
    case DType::I8:
      return f(int8_t{});
    case DType::F32:
      return f(float{});
    case DType::F16:
      return f(F16{});
    case DType::BF16:
      return f(BF16{});
    default:
      throw Error(what + ": " + name(t) + " operands have no TIU arithmetic");
  }
}

float load_float(const View& v, uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
  switch (v.op().dtype) {
    case DType::F16:
      return widen(v.at<F16>(n, c, h, w));
    case DType::BF16:
      return widen(v.at<BF16>(n, c, h, w));
    default:
      return v.at<float>(n, c, h, w);
  }
}

void store_float(const View& v, uint32_t n, uint32_t c, uint32_t h, uint32_t w, float x) {
  switch (v.op().dtype) {
    case DType::F16:
      v.at<F16>(n, c, h, w) = narrow<F16>(x);
      break;
    case DType::BF16:
      v.at<BF16>(n, c, h, w) = narrow<BF16>(x);
      break;
    default:
      v.at<float>(n, c, h, w) = x;
  }
}

// A value of any element type as a number (CMP compares them so), and back.
double load_number(const View& v, uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
  switch (v.op().dtype) {
    case DType::I8:
      return v.at<int8_t>(n, c, h, w);
    case DType::U8:
    case DType::Bool:
      return v.at<uint8_t>(n, c, h, w);
    case DType::I32:
      return v.at<int32_t>(n, c, h, w);
    default:
      return load_float(v, n, c, h, w);
  }
}

void store_number(const View& v, uint32_t n, uint32_t c, uint32_t h, uint32_t w, double x) {
  switch (v.op().dtype) {
    case DType::I8:
      v.at<int8_t>(n, c, h, w) = int8_t(x);
      break;
    case DType::U8:
    case DType::Bool:
      v.at<uint8_t>(n, c, h, w) = uint8_t(x);
      break;
    case DType::I32:
      v.at<int32_t>(n, c, h, w) = int32_t(x);
      break;
    default:
      store_float(v, n, c, h, w, float(x));
  }
}

bool is_float(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

// The relu field: max(·, 0) on the result.
template <class T>
T clip(T v, const TiuCommand& c) {
  return c.relu ? std::max(v, T(0)) : v;
}

// acc + a·b. Integer accumulators add modulo 2^32, as the hardware's do (and without C++ signed
// overflow); float ones round the product, then the sum (IEEE f32, as the host's strict sums).
int32_t multiply_add(int32_t acc, int32_t a, int32_t b) {
  return int32_t(uint32_t(acc) + uint32_t(a * b));
}
float multiply_add(float acc, float a, float b) {
  return acc + a * b;
}  // built with -ffp-contract=off

// The outputs [lo, hi) along one axis whose tap at `offset` (k·dilation − pad) reads inside an
// operand of `size`: 0 ≤ o·stride + offset < size.
std::pair<int64_t, int64_t> inside(int64_t offset, int64_t stride, int64_t size, int64_t outputs) {
  const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t hi = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
  return {std::min(lo, outputs), std::clamp(hi, std::min(lo, outputs), outputs)};
}

// The window, padding included, stays inside opd0 padded.
void require_window(const TiuCommand& c, const Operand& r, const Operand& i,
                    const std::string& what) {
  require((int64_t(r.h) - 1) * c.stride_h + (int64_t(c.kh) - 1) * c.dilation_h <
                  int64_t(i.h) + c.pad_top + c.pad_bottom &&
              (int64_t(r.w) - 1) * c.stride_w + (int64_t(c.kw) - 1) * c.dilation_w <
                  int64_t(i.w) + c.pad_left + c.pad_right,
          what, "the window leaves opd0 and its padding");
  require(std::max({c.pad_top, c.pad_bottom, c.pad_left, c.pad_right}) <= kMaxPad, what,
          "padding is at most " + std::to_string(kMaxPad));
}

// In: the stored operand type; Bias: the bias's (int32 for int8, else In); accumulation in
// Wide<In>.
template <class In, class Bias>
void conv(const TiuCommand& c, const View& res, const View& in, const View& w, const View* bias,
          const std::string& what) {
  using Acc = Wide<In>;
  const Operand& r = res.op();
  const Operand& i = in.op();
  require_window(c, r, i, what);
  require(i.n >= r.n, what, "opd0 has fewer samples than res");
  const bool depthwise =
      c.op == TiuOp::Depthwise;  // input channel = output channel, one kernel each
  if (depthwise)
    require(i.c >= r.c && i.lane == r.lane && w.op().lane == r.lane, what,
            "DEPTHWISE needs res, opd0 and opd1 on the same lanes");
  require(w.op().c >= r.c && w.op().h >= (depthwise ? 1 : i.c) &&
              int64_t(w.op().w) >= int64_t(c.kh) * c.kw,
          what, "opd1 does not cover [output channels, input channels, kh·kw]");
  require(!bias || bias->op().c >= r.c, what, "opd2 does not cover the output channels");
  const Acc padded = Acc(c.pad_value);
  if (in.records())  // the loops below walk opd0 by strides from plane(): record the elements they
                     // read, once
    for (uint32_t n = 0; n < r.n; ++n)
      for (uint32_t ic = 0; ic < (depthwise ? r.c : i.c); ++ic) {
        const In* plane = reinterpret_cast<const In*>(in.plane(n, ic));
        for (uint32_t ky = 0; ky < c.kh; ++ky)
          for (uint32_t kx = 0; kx < c.kw; ++kx) {
            const int64_t dy = int64_t(ky) * c.dilation_h - c.pad_top,
                          dx = int64_t(kx) * c.dilation_w - c.pad_left;
            const auto [y0, y1] = inside(dy, c.stride_h, i.h, r.h);
            const auto [x0, x1] = inside(dx, c.stride_w, i.w, r.w);
            for (int64_t y = y0; y < y1; ++y)
              for (int64_t x = x0; x < x1; ++x)
                in.touch(plane + (y * c.stride_h + dy) * i.hs + (x * c.stride_w + dx) * i.ws);
          }
      }
  std::vector<Acc> acc(size_t(r.h) * r.w);
  for (uint32_t n = 0; n < r.n; ++n) {
    for (uint32_t oc = 0; oc < r.c; ++oc) {
      std::fill(acc.begin(), acc.end(), bias ? Acc(widen(bias->at<Bias>(0, oc, 0, 0))) : Acc(0));
      for (uint32_t ic = depthwise ? oc : 0; ic < (depthwise ? oc + 1 : i.c); ++ic) {
        const In* plane = reinterpret_cast<const In*>(
            in.plane(n, ic));  // the bounds were checked: walk by strides
        for (uint32_t ky = 0; ky < c.kh; ++ky)
          for (uint32_t kx = 0; kx < c.kw; ++kx) {
            const Acc weight = widen(w.at<In>(0, oc, depthwise ? 0 : ic, ky * c.kw + kx));
            const int64_t dy = int64_t(ky) * c.dilation_h - c.pad_top,
                          dx = int64_t(kx) * c.dilation_w - c.pad_left;
            const auto [y0, y1] = inside(dy, c.stride_h, i.h, r.h);
            const auto [x0, x1] = inside(dx, c.stride_w, i.w, r.w);
            for (int64_t y = 0; y < int64_t(r.h); ++y) {
              Acc* out = &acc[size_t(y) * r.w];
              const bool row_inside = y >= y0 && y < y1;
              const int64_t from = row_inside ? x0 : r.w,
                            to = row_inside ? x1 : r.w;  // the taps inside opd0
              for (int64_t x = 0; x < from; ++x) out[x] = multiply_add(out[x], padded, weight);
              const In* row =
                  plane +
                  (row_inside ? (y * c.stride_h + dy) * i.hs + (from * c.stride_w + dx) * i.ws : 0);
              for (int64_t x = from; x < to; ++x, row += c.stride_w * i.ws)
                out[x] = multiply_add(out[x], widen(*row), weight);
              for (int64_t x = to; x < int64_t(r.w); ++x)
                out[x] = multiply_add(out[x], padded, weight);
            }
          }
      }
      for (uint32_t y = 0; y < r.h; ++y)
        for (uint32_t x = 0; x < r.w; ++x) res.at<Acc>(n, oc, y, x) = acc[y * r.w + x];
    }
  }
}

// The window's max (stored as T) or, with pool_sum, its sum (as Wide<T>).
template <class T>
void pool(const TiuCommand& c, const View& res, const View& in, const std::string& what) {
  using Acc = Wide<T>;
  const Operand& r = res.op();
  const Operand& i = in.op();
  require(r.lane == i.lane && r.c == i.c, what,
          "POOL keeps channels in place: res and opd0 need the same lanes");
  require(i.n >= r.n, what, "opd0 has fewer samples than res");
  require_window(c, r, i, what);
  for (uint32_t n = 0; n < r.n; ++n)
    for (uint32_t ch = 0; ch < r.c; ++ch) {
      auto read = [&](int64_t y, int64_t x) {  // opd0 padded
        return y < 0 || y >= int64_t(i.h) || x < 0 || x >= int64_t(i.w)
                   ? Acc(c.pad_value)
                   : widen(in.at<T>(n, ch, uint32_t(y), uint32_t(x)));
      };
      for (uint32_t y = 0; y < r.h; ++y)
        for (uint32_t x = 0; x < r.w; ++x) {
          const int64_t top = int64_t(y) * c.stride_h - c.pad_top,
                        left = int64_t(x) * c.stride_w - c.pad_left;
          Acc m = c.pool_sum ? Acc(0) : read(top, left);
          for (uint32_t ky = 0; ky < c.kh; ++ky)
            for (uint32_t kx = 0; kx < c.kw; ++kx) {
              const Acc v =
                  read(top + int64_t(ky) * c.dilation_h, left + int64_t(kx) * c.dilation_w);
              m = c.pool_sum
                      ? m + v
                      : std::max(m,
                                 v);  // an int8 window sum fits int32 (kh·kw ≤ kMaxSumWindowSide²)
            }
          if (c.pool_sum || res.op().dtype != i.dtype) {  // a sum, or a max widened to f32
            res.at<Acc>(n, ch, y, x) = m;
          } else {
            res.at<T>(n, ch, y, x) = narrow<T>(m);
          }
        }
    }
}

template <class In, class Bias>
void matmul(const View& res, const View& left, const View& right, const View* bias,
            const std::string& what) {
  using Acc = Wide<In>;
  const Operand& r = res.op();
  require(left.op().n >= r.n && right.op().c >= r.c && right.op().h >= left.op().c, what,
          "opd0 [m, k] and opd1 [j, k] do not cover the product");
  require(!bias || bias->op().c >= r.c, what, "opd2 does not cover the output columns");
  const uint32_t depth = left.op().c;
  const int64_t k_stride = right.op().hs;
  if (right.records())  // the loops below walk opd1 by strides from plane(): record the elements
                        // they read
    for (uint32_t j = 0; j < r.c; ++j)
      for (uint32_t k = 0; k < depth; ++k)
        right.touch(reinterpret_cast<const In*>(right.plane(0, j)) + k * k_stride);
  std::vector<Acc> row(depth);
  for (uint32_t m = 0; m < r.n; ++m) {
    for (uint32_t k = 0; k < depth; ++k)
      row[k] = widen(left.at<In>(m, k, 0, 0));  // opd0[m, k] lies across the lanes: gather it once
    for (uint32_t j = 0; j < r.c; ++j) {
      Acc acc = bias ? Acc(widen(bias->at<Bias>(0, j, 0, 0))) : Acc(0);
      const In* column = reinterpret_cast<const In*>(
          right.plane(0, j));  // opd1[0, j, k, 0]: the bounds were checked, walk by strides
      for (uint32_t k = 0; k < depth; ++k)
        acc = multiply_add(acc, row[k], widen(column[k * k_stride]));
      res.at<Acc>(m, j, 0, 0) = acc;
    }
  }
}

// Applies f(n, c, h, w) over an operand's shape.
void for_each(const Operand& o,
              const std::function<void(uint32_t, uint32_t, uint32_t, uint32_t)>& f) {
  for (uint32_t n = 0; n < o.n; ++n)
    for (uint32_t c = 0; c < o.c; ++c)
      for (uint32_t h = 0; h < o.h; ++h)
        for (uint32_t w = 0; w < o.w; ++w) f(n, c, h, w);
}

bool same_shape(const Operand& a, const Operand& b) {
  return a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w;
}

enum class Engine : uint8_t { Tiu = 0, Gdma = 1 };

// Rejects two commands of different engines that overlap in time while one writes a local-memory
// byte the other reads or writes: a missing dependency, which executing each command whole at its
// start would otherwise hide. Commands are checked in start order (run_streams' order), so a
// command starting at t overlaps an earlier command of the other engine exactly when that one ends
// after t. A command's bytes are the ones its views recorded in footprint() while it executed.
class RaceCheck {
 public:
  struct Command {
    Engine engine;
    uint32_t id;
    const char* mnemonic;
    uint64_t start, end;  // cycles
  };

  explicit RaceCheck(int64_t lane_bytes) : bytes_(size_t(lane_bytes)) {
    footprint_.marks.assign(size_t(lane_bytes), kNone);
  }
  Footprint& footprint() { return footprint_; }
  // After the last command: the first read of a byte no command of the run had written (what it
  // read was left over, a missing load). Reported only now: a race, found during the run,
  // explains such a read better.
  void finish() const {
    if (!uninitialised_.empty()) throw Error(uninitialised_);
  }

  // After `c` executed: checks the bytes it accessed against their history, then records it as
  // their last writer or reader and clears the footprint for the next command.
  void check(const Command& c) {
    commands_.push_back(c);
    const uint32_t self = uint32_t(commands_.size());
    const int engine = int(c.engine), other = 1 - engine;
    auto still_running = [&](uint32_t ref) { return ref && commands_[ref - 1].end > c.start; };
    for (const auto& [first, last] : footprint_.spans)
      for (int64_t addr = first; addr < last; ++addr) {
        const Access mark = std::exchange(footprint_.marks[size_t(addr)], kNone);
        if (!mark) continue;  // not accessed, or already checked through an overlapping span
        ByteHistory& byte = bytes_[size_t(addr)];
        const bool writes = mark & kWrite;
        if (!writes && !byte.written && uninitialised_.empty())
          uninitialised_ = describe(c) + " reads local memory at lane-relative 0x" +
                           hex(uint64_t(addr)) + ", which no command of the run has written";
        byte.written = true;
        if (still_running(byte.writer) && commands_[byte.writer - 1].engine != c.engine)
          fail(addr, c, writes, commands_[byte.writer - 1], "writes");
        if (writes && still_running(byte.reader[other]))
          fail(addr, c, writes, commands_[byte.reader[other] - 1], "reads");
        if (writes) {
          byte = {self, {0, 0}, true};
        } else {
          byte.reader[engine] = self;
        }
      }
    footprint_.spans.clear();
  }

 private:
  // A byte's last writer and, per engine, its last reader since that write (each engine runs in
  // order, so the last one ends last): 1 + the command's index in commands_, 0 for none.
  struct ByteHistory {
    uint32_t writer = 0;
    uint32_t reader[2] = {0, 0};
    bool written = false;  // by any command of the run so far
  };

  static std::string describe(const Command& k) {
    return std::string(k.engine == Engine::Tiu ? "TIU" : "GDMA") + " command " +
           std::to_string(k.id) + " (" + k.mnemonic + ", cycles " + std::to_string(k.start) + "-" +
           std::to_string(k.end) + ")";
  }

  [[noreturn]] static void fail(int64_t addr, const Command& c, bool writes, const Command& other,
                                const char* other_access) {
    throw Error("race in local memory at lane-relative 0x" + hex(uint64_t(addr)) + ": " +
                describe(c) + (writes ? " writes" : " reads") + " it while " + describe(other) +
                " " + other_access + " it");
  }

  Footprint footprint_;
  std::string uninitialised_;
  std::vector<ByteHistory> bytes_;  // per lane-relative byte
  std::vector<Command> commands_;   // the commands checked so far, in start order
};

}  // namespace

struct Simulator::Impl {
  Chip chip;
  Model model;
  HostRunner host;
  std::vector<uint8_t> ddr, lmem;
  SimStats stats;
  // Races are checked on the first run only: the streams and their timing do not depend on the
  // data.
  bool races_checked = false;
  std::optional<RaceCheck> race_check;  // during a checked run

  Footprint* footprint() { return race_check ? &race_check->footprint() : nullptr; }
  View input(const Operand& o, const std::string& what) {
    return View(ddr, lmem, chip, o, what, kRead, footprint());
  }
  View output(const Operand& o, const std::string& what) {
    return View(ddr, lmem, chip, o, what, kWrite, footprint());
  }

  // The DDR bytes of a model input or output, checked to lie in the model's DDR.
  uint8_t* io(const IoTensor& t) {
    const uint64_t offset = t.addr - chip.ddr_base;
    if (t.addr < chip.ddr_base || offset + uint64_t(t.type.num_bytes()) > ddr.size())
      throw Error("model tensor '" + t.name + "' lies outside the model's DDR");
    return ddr.data() + offset;
  }

  void execute(const TiuCommand& c) {
    const std::string what = "TIU command " + std::to_string(c.id);
    auto typed = [&](const Operand& o, DType t, const char* role) {
      require(o.dtype == t, what,
              std::string(role) + " must be " + name(t) + ", is " + name(o.dtype));
    };
    switch (c.op) {
      case TiuOp::Conv:
      case TiuOp::Depthwise:
      case TiuOp::MatMul: {
        const View res = output(c.res, what + " res"), in = input(c.opd0, what + " opd0"),
                   w = input(c.opd1, what + " opd1");
        std::optional<View> bias;
        if (c.has_bias) bias.emplace(input(c.opd2, what + " opd2"));
        const bool int8 = c.opd0.dtype == DType::I8;
        typed(c.opd1, c.opd0.dtype, "opd1");
        typed(c.res, int8 ? DType::I32 : DType::F32, "res");
        if (c.has_bias) typed(c.opd2, int8 ? DType::I32 : c.opd0.dtype, "opd2");
        with_element_type(c.opd0.dtype, what + " opd0", [&](auto in_type) {
          using In = decltype(in_type);
          using Bias = std::conditional_t<std::is_same_v<In, int8_t>, int32_t, In>;
          if (c.op == TiuOp::MatMul) {
            matmul<In, Bias>(res, in, w, bias ? &*bias : nullptr, what);
          } else {
            conv<In, Bias>(c, res, in, w, bias ? &*bias : nullptr, what);
          }
        });
        break;
      }
      case TiuOp::Pool: {
        const View res = output(c.res, what + " res"), in = input(c.opd0, what + " opd0");
        const bool int8 = c.opd0.dtype == DType::I8;
        const bool widening_max =
            !c.pool_sum && c.res.dtype == DType::F32 && is_float(c.opd0.dtype);  // exact
        if (!widening_max)
          typed(c.res, c.pool_sum ? (int8 ? DType::I32 : DType::F32) : c.opd0.dtype, "res");
        with_element_type(c.opd0.dtype, what + " opd0",
                          [&](auto t) { pool<decltype(t)>(c, res, in, what); });
        break;
      }
      case TiuOp::Requant:
        requant(c, what);
        break;
      case TiuOp::Arith:
        arith(c, what);
        break;
      case TiuOp::Sfu:
        sfu(c, what);
        break;
      case TiuOp::Cmp:
        cmp(c, what);
        break;
      case TiuOp::Lut: {
        const View res = output(c.res, what + " res"), in = input(c.opd0, what + " opd0"),
                   table = input(c.opd1, what + " opd1");
        typed(c.opd0, DType::I8, "opd0");
        typed(c.opd1, DType::I8, "opd1");
        typed(c.res, DType::I8, "res");
        require(same_shape(c.res, c.opd0), what, "res and opd0 shapes differ");
        require(c.opd1.w >= 256 && c.opd1.c >= c.res.c && c.opd1.cs == 0, what,
                "opd1 must be a 256-entry table in every lane of res");
        for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          res.at<int8_t>(n, ch, h, w) =
              table.at<int8_t>(0, ch, 0, uint8_t(in.at<int8_t>(n, ch, h, w)));
        });
        break;
      }
      case TiuOp::End:
        break;
    }
  }

  void arith(const TiuCommand& c, const std::string& what) {
    const View res = output(c.res, what + " res"), a = input(c.opd0, what + " opd0");
    require(same_shape(c.res, c.opd0), what, "res and opd0 shapes differ");
    auto typed = [&](const Operand& o, DType t, const char* role) {
      require(o.dtype == t, what,
              std::string(role) + " must be " + name(t) + ", is " + name(o.dtype));
    };
    auto each = [&](const std::function<void(uint32_t, uint32_t, uint32_t, uint32_t)>& f) {
      for_each(c.res, f);
    };
    static const std::set<ArithOp> kBinary = {ArithOp::Add, ArithOp::Sub, ArithOp::Mul,
                                              ArithOp::Div, ArithOp::Max, ArithOp::Min,
                                              ArithOp::Mac, ArithOp::And, ArithOp::Or};
    const bool binary = kBinary.count(c.arith) != 0;
    std::optional<View> b;
    if (binary && !c.opd1_const) {
      require(same_shape(c.res, c.opd1), what, "res and opd1 shapes differ");
      if (!is_float(c.res.dtype)) typed(c.opd1, c.opd0.dtype, "opd1");
      b.emplace(input(c.opd1, what + " opd1"));
    }
    if (binary && is_float(c.res.dtype)) return float_binary(c, res, a, b ? &*b : nullptr, what);
    switch (c.arith) {
      case ArithOp::Quantize:
        typed(c.opd0, DType::F32, "opd0");
        typed(c.res, DType::I8, "res");
        each([&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          res.at<int8_t>(n, ch, h, w) = quantize(a.at<float>(n, ch, h, w), c.scale);
        });
        break;
      case ArithOp::Dequantize:
        typed(c.opd0, DType::I8, "opd0");
        typed(c.res, DType::F32, "res");
        each([&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          res.at<float>(n, ch, h, w) = dequantize(a.at<int8_t>(n, ch, h, w), c.scale);
        });
        break;
      case ArithOp::Convert:
        if (c.res.dtype == DType::I32) return to_int32(c, res, a, what);
        if (c.opd0.dtype == DType::I32) return from_int32(c, res, a, what);
        require(is_float(c.opd0.dtype) && is_float(c.res.dtype), what,
                "convert takes and gives f32, f16 or bf16");
        each([&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          store_float(res, n, ch, h, w, clip(load_float(a, n, ch, h, w) * c.scale, c));
        });
        break;
      case ArithOp::Add:
      case ArithOp::Mul:
      case ArithOp::Mac:
        return integer_arith(c, res, a, b ? &*b : nullptr, what);
      case ArithOp::Max:
      case ArithOp::Min:
      case ArithOp::And:
      case ArithOp::Or:
        return integer_elementwise(c, res, a, b ? &*b : nullptr, what);
      case ArithOp::Floor:
      case ArithOp::Abs: {
        require(is_float(c.opd0.dtype) && is_float(c.res.dtype), what,
                "floor and abs take and give f32, f16 or bf16");
        float (*f)(float) = c.arith == ArithOp::Floor ? floorf : fabsf;
        each([&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          store_float(res, n, ch, h, w, clip(f(load_float(a, n, ch, h, w)), c));
        });
        break;
      }
      case ArithOp::Copy: {
        typed(c.opd0, c.res.dtype, "opd0");
        const size_t size = size_t(bytes(c.res.dtype));
        each([&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
          std::memcpy(&res.at<uint8_t>(n, ch, h, w), &a.at<uint8_t>(n, ch, h, w), size);
        });
        break;
      }
      default:
        require(false, what, std::string(mnemonic(c)) + " takes float operands");
    }
  }

  // A binary op on floats: each operand f32, f16 or bf16, widened, the result rounded once to
  // res's type (a mac: res + opd0 · opd1, in f32 only).
  void float_binary(const TiuCommand& c, const View& res, const View& a, const View* b,
                    const std::string& what) {
    using FloatOp = float (*)(float, float);
    static const std::map<ArithOp, FloatOp> kFloatBinary = {
        {ArithOp::Add, [](float x, float y) { return x + y; }},
        {ArithOp::Sub, [](float x, float y) { return x - y; }},
        {ArithOp::Mul, [](float x, float y) { return x * y; }},
        {ArithOp::Div, [](float x, float y) { return x / y; }},
        {ArithOp::Max, [](float x, float y) { return std::max(x, y); }},
        {ArithOp::Min, [](float x, float y) { return std::min(x, y); }}};
    require(is_float(c.opd0.dtype) && (c.opd1_const || is_float(c.opd1.dtype)), what,
            "a float operation takes f32, f16 or bf16 operands");
    const bool mac = c.arith == ArithOp::Mac;
    require(kFloatBinary.count(c.arith) || (mac && c.res.dtype == DType::F32), what,
            std::string(mnemonic(c)) + " has no float form but for f32 mac");
    const FloatOp f = mac ? kFloatBinary.at(ArithOp::Mul) : kFloatBinary.at(c.arith);
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      const float x = load_float(a, n, ch, h, w), y = b ? load_float(*b, n, ch, h, w) : c.constant;
      const float value = c.constant_first && !b ? f(y, x) : f(x, y);
      store_float(res, n, ch, h, w, clip(mac ? res.at<float>(n, ch, h, w) + value : value, c));
    });
  }

  // CMP: opd0 ⋈ opd1 selects opd2 or opd3 (isa.h), compared as numbers of their type; a selected
  // operand is copied bit for bit, a selected scalar stored in res's type.
  void cmp(const TiuCommand& c, const std::string& what) {
    const View res = output(c.res, what + " res"), a = input(c.opd0, what + " opd0");
    require(same_shape(c.res, c.opd0), what, "res and opd0 shapes differ");
    std::optional<View> b, chosen[2];
    if (!c.opd1_const) {
      require(same_shape(c.res, c.opd1) && c.opd1.dtype == c.opd0.dtype, what,
              "opd1 has opd0's type and res's shape");
      b.emplace(input(c.opd1, what + " opd1"));
    }
    const bool scalar[2] = {c.opd2_const, c.opd3_const};
    const Operand* selected[2] = {&c.opd2, &c.opd3};
    for (int k = 0; k < 2; ++k) {
      if (scalar[k]) continue;
      // Bits are copied: one precision code (i8 and u8 share one; a res has no sign field).
      require(same_shape(c.res, *selected[k]) &&
                  precision_code(selected[k]->dtype) == precision_code(c.res.dtype),
              what, "opd2 and opd3 have res's precision and shape");
      chosen[k].emplace(input(*selected[k], what + (k ? " opd3" : " opd2")));
    }
    const float value[2] = {c.opd2_value, c.opd3_value};
    const size_t size = size_t(bytes(c.res.dtype));
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      const double x = load_number(a, n, ch, h, w);
      const double y = b ? load_number(*b, n, ch, h, w) : double(c.constant);
      const bool holds = c.cmp == CmpOp::Greater ? x > y : c.cmp == CmpOp::Equal ? x == y : x < y;
      const int k = holds ? 0 : 1;
      if (chosen[k]) {
        std::memcpy(&res.at<uint8_t>(n, ch, h, w), &chosen[k]->at<uint8_t>(n, ch, h, w), size);
      } else {
        store_number(res, n, ch, h, w, value[k]);
      }
    });
  }

  // Exact integer ops, elementwise: int8 max and min (an activation's limit), int32 and and or
  // (a sign bit moved between f32 tiles read as int32).
  void integer_elementwise(const TiuCommand& c, const View& res, const View& a, const View* b,
                           const std::string& what) {
    const bool bitwise = c.arith == ArithOp::And || c.arith == ArithOp::Or;
    const DType t = bitwise ? DType::I32 : DType::I8;
    require(c.opd0.dtype == t && c.res.dtype == t, what,
            std::string(mnemonic(c)) + " takes and gives " + name(t));
    auto run = [&](auto zero, auto f) {
      using T = decltype(zero);
      for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
        const T y = b ? b->at<T>(n, ch, h, w) : T(c.constant);
        res.at<T>(n, ch, h, w) = clip<T>(f(a.at<T>(n, ch, h, w), y), c);
      });
    };
    if (c.arith == ArithOp::Max)
      return run(int8_t{}, [](int8_t x, int8_t y) { return std::max(x, y); });
    if (c.arith == ArithOp::Min)
      return run(int8_t{}, [](int8_t x, int8_t y) { return std::min(x, y); });
    if (c.arith == ArithOp::And) return run(int32_t{}, [](int32_t x, int32_t y) { return x & y; });
    run(int32_t{}, [](int32_t x, int32_t y) { return x | y; });
  }

  // f32 to int32, rounded half to even, saturated (NaN gives 0).
  void to_int32(const TiuCommand& c, const View& res, const View& a, const std::string& what) {
    require(c.opd0.dtype == DType::F32 && c.scale == 1, what,
            "a conversion to int32 takes f32 and no scale");
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      const float x = std::nearbyint(a.at<float>(n, ch, h, w));
      const int32_t v = !(x == x)            ? 0
                        : x >= 2147483648.0f ? INT32_MAX
                        : x < -2147483648.0f ? INT32_MIN
                                             : int32_t(x);
      res.at<int32_t>(n, ch, h, w) = clip(v, c);
    });
  }

  // int32 to f32, rounded to nearest even (log's exponent field: exact).
  void from_int32(const TiuCommand& c, const View& res, const View& a, const std::string& what) {
    require(c.res.dtype == DType::F32 && c.scale == 1, what,
            "a conversion from int32 gives f32 and takes no scale");
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      res.at<float>(n, ch, h, w) = clip(float(a.at<int32_t>(n, ch, h, w)), c);
    });
  }

  // Integer Add, Mul, Mac in int32, modulo 2^32: a bias added (int32 + int32, or a constant), an
  // int8 operand scaled by an int32 constant (Mul), and added to the result (Mac).
  void integer_arith(const TiuCommand& c, const View& res, const View& a, const View* b,
                     const std::string& what) {
    require(c.res.dtype == DType::I32, what, "integer add, mul and mac give int32");
    const bool add = c.arith == ArithOp::Add;
    const DType operand = add ? DType::I32 : DType::I8;
    require(c.opd0.dtype == operand && (c.opd1_const || (add && c.opd1.dtype == operand)), what,
            add ? "an int32 add takes int32 operands or a constant"
                : "an integer mul or mac takes int8 opd0 and a constant");
    const bool mac = c.arith == ArithOp::Mac;
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      const uint32_t x =
          add ? uint32_t(a.at<int32_t>(n, ch, h, w)) : uint32_t(int32_t(a.at<int8_t>(n, ch, h, w)));
      const uint32_t y = b ? uint32_t(b->at<int32_t>(n, ch, h, w)) : uint32_t(int32_t(c.constant));
      int32_t& r = res.at<int32_t>(n, ch, h, w);
      const uint32_t value = add ? x + y : x * y + (mac ? uint32_t(r) : 0u);
      r = clip(int32_t(value), c);
    });
  }

  // REQUANT: each channel's [multiplier, shift, zero point] from opd1's block, or the command's
  // constants for every channel.
  void requant(const TiuCommand& c, const std::string& what) {
    const View res = output(c.res, what + " res"), in = input(c.opd0, what + " opd0");
    std::optional<View> block;
    require(c.opd0.dtype == DType::I32 && c.res.dtype == DType::I8, what,
            "REQUANT takes int32 and gives int8");
    require(same_shape(c.res, c.opd0), what, "res and opd0 shapes differ");
    if (!c.opd1_const) {
      require(c.opd1.dtype == DType::I32 && c.opd1.c >= c.res.c && c.opd1.w >= 3, what,
              "opd1 does not hold a [multiplier, shift, zero point] int32 block for every channel");
      block.emplace(input(c.opd1, what + " opd1"));
    }
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      const int32_t m = block ? block->at<int32_t>(0, ch, 0, 0) : c.multiplier;
      const int32_t shift = block ? block->at<int32_t>(0, ch, 0, 1) : c.shift;
      const int32_t z = block ? block->at<int32_t>(0, ch, 0, 2) : c.zero_point;
      require(shift >= 0 && shift <= 63, what,
              "shift " + std::to_string(shift) + " is outside [0, 63]");
      res.at<int8_t>(n, ch, h, w) =
          clip<int8_t>(requantize(in.at<int32_t>(n, ch, h, w), m, shift, z), c);
    });
  }

  // SFU on f32 (ir/special_functions.h): a polynomial whose coefficients lie in every lane of
  // res, or a reciprocal square root.
  void sfu(const TiuCommand& c, const std::string& what) {
    const View res = output(c.res, what + " res"), a = input(c.opd0, what + " opd0");
    require(same_shape(c.res, c.opd0), what, "res and opd0 shapes differ");
    require(c.opd0.dtype == DType::F32 && c.res.dtype == DType::F32, what,
            "tpuc runs the SFU on f32 operands");
    if (c.sfu == SfuOp::Rsqrt) {
      require(c.iterations >= 1 && c.iterations <= 4, what, "sfu.rsqrt takes 1 to 4 iterations");
      for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
        res.at<float>(n, ch, h, w) = rsqrt_f32(a.at<float>(n, ch, h, w), c.iterations);
      });
      return;
    }
    require(c.opd1.w >= 2 && c.opd1.cs == 0 && c.opd1.lane == c.res.lane && c.opd1.c >= c.res.c,
            what, "opd1 must hold at least 2 coefficients in every lane of res");
    const View table = input(c.opd1, what + " opd1");
    std::vector<float> coefficients(c.opd1.w);
    uint32_t channel = UINT32_MAX;  // whose coefficients are read
    for_each(c.res, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      if (ch != channel)
        for (uint32_t k = 0; k < c.opd1.w; ++k) coefficients[k] = table.at<float>(0, ch, 0, k);
      channel = ch;
      res.at<float>(n, ch, h, w) =
          taylor_f32(a.at<float>(n, ch, h, w), coefficients.data(), int(c.opd1.w));
    });
  }

  void execute(const GdmaCommand& c) {
    const std::string what = "GDMA command " + std::to_string(c.id);
    if (c.op == GdmaOp::End) return;
    const View dst = output(c.dst, what + " dst");
    const int b = bytes(c.dst.dtype);
    if (c.op == GdmaOp::Fill) {
      const double v = c.fill_value;  // exact in its type: the encoding carries its bits
      uint8_t value[8];
      const int64_t i = int64_t(v);
      const float f = float(v);
      const F16 h = narrow<F16>(f);
      const BF16 bh = narrow<BF16>(f);
      const void* source = c.dst.dtype == DType::F32    ? static_cast<const void*>(&f)
                           : c.dst.dtype == DType::F16  ? static_cast<const void*>(&h)
                           : c.dst.dtype == DType::BF16 ? static_cast<const void*>(&bh)
                                                        : static_cast<const void*>(&i);
      std::memcpy(value, source, size_t(b));
      for_each(c.dst, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
        std::memcpy(&dst.at<uint8_t>(n, ch, h, w), value, size_t(b));
      });
      return;
    }
    const View src = input(c.src, what + " src");
    require(same_shape(c.src, c.dst) && c.src.dtype == c.dst.dtype, what,
            "src and dst differ in shape or dtype");
    for_each(c.dst, [&](uint32_t n, uint32_t ch, uint32_t h, uint32_t w) {
      std::memcpy(&dst.at<uint8_t>(n, ch, h, w), &src.at<uint8_t>(n, ch, h, w), size_t(b));
    });
  }

  void run_host_layer(size_t k) {
    const HostLayer& h = model.host_layers[k];
    TensorMap inputs;
    for (const IoTensor& io : h.inputs) {
      Tensor t(io.type);
      std::memcpy(t.data.data(), this->io(io), t.data.size());
      inputs[io.name] = std::move(t);
    }
    const TensorMap outputs = host(k, h, inputs);
    for (const IoTensor& io : h.outputs) {
      auto it = outputs.find(io.name);
      if (it == outputs.end() || it->second.data.size() != size_t(io.type.num_bytes()))
        throw Error("host layer '" + h.name + "' did not produce '" + io.name + "' as " +
                    to_string(io.type));
      std::memcpy(this->io(io), it->second.data.data(), it->second.data.size());
    }
    stats.host_layers.push_back(h.name);
  }

  // When each command of one engine started and ended, what it cost (so the per-layer figures
  // need not price it again), and how long the engine was busy.
  struct Timeline {
    std::vector<uint64_t> start, end;
    std::vector<CommandCost> cost;
    uint64_t free = 0, busy = 0;
    explicit Timeline(size_t n) : start(n), end(n), cost(n) {}
    void run(size_t k, uint64_t at, const CommandCost& c) {
      start[k] = at;
      end[k] = free = at + c.cycles;
      busy += c.cycles;
      cost[k] = c;
    }
  };

  // Runs both streams: at each step the ready engine (its dependency satisfied) that can start
  // earliest goes next; the functional order is therefore one the hardware could produce.
  void run_streams() {
    const auto& tiu = model.program.tiu;
    const auto& gdma = model.program.gdma;
    Timeline tt(tiu.size()), gt(gdma.size());
    size_t i = 0, j = 0;
    stats = SimStats{};
    if (!races_checked) race_check.emplace(chip.lmem_bytes);
    auto dep_ok = [](uint32_t dep, size_t done, size_t size, const std::string& what) {
      if (dep > size)
        throw Error(what + " depends on command " + std::to_string(dep) + ", which does not exist");
      return dep <= done;
    };
    size_t next_host = 0;
    while (i < tiu.size() || j < gdma.size()) {
      // A host layer runs once the commands before it have finished; later ones wait for it.
      const HostLayer* host_layer =
          next_host < model.host_layers.size() ? &model.host_layers[next_host] : nullptr;
      if (host_layer && i == host_layer->tiu_at && j == host_layer->gdma_at) {
        run_host_layer(next_host++);
        tt.free = gt.free = std::max(tt.free, gt.free);
        continue;
      }
      const bool tiu_ready =
          i < tiu.size() && (!host_layer || i < host_layer->tiu_at) &&
          dep_ok(tiu[i].dep, j, gdma.size(), "TIU command " + std::to_string(i + 1));
      const bool gdma_ready =
          j < gdma.size() && (!host_layer || j < host_layer->gdma_at) &&
          dep_ok(gdma[j].dep, i, tiu.size(), "GDMA command " + std::to_string(j + 1));
      if (!tiu_ready && !gdma_ready)
        throw Error("the command streams deadlock at TIU " + std::to_string(i + 1) + " / GDMA " +
                    std::to_string(j + 1));
      const uint64_t tiu_at =
          tiu_ready ? std::max(tt.free, tiu[i].dep ? gt.end[tiu[i].dep - 1] : 0) : UINT64_MAX;
      const uint64_t gdma_at =
          gdma_ready ? std::max(gt.free, gdma[j].dep ? tt.end[gdma[j].dep - 1] : 0) : UINT64_MAX;
      if (tiu_at <= gdma_at) {
        execute(tiu[i]);
        const CommandCost cost = tiu_cost(chip, tiu[i]);
        if (race_check)
          race_check->check(
              {Engine::Tiu, tiu[i].id, mnemonic(tiu[i]), tiu_at, tiu_at + cost.cycles});
        tt.run(i++, tiu_at, cost);
        stats.macs += cost.macs;
      } else {
        execute(gdma[j]);
        const CommandCost cost = gdma_cost(chip, gdma[j]);
        if (race_check)
          race_check->check(
              {Engine::Gdma, gdma[j].id, mnemonic(gdma[j]), gdma_at, gdma_at + cost.cycles});
        gt.run(j++, gdma_at, cost);
        stats.ddr_bytes += cost.ddr_bytes;
      }
    }
    if (race_check) race_check->finish();
    race_check.reset();
    races_checked = true;
    for (size_t k = 0; k < tiu.size(); ++k) stats.tiu.push_back({tt.start[k], tt.end[k]});
    for (size_t k = 0; k < gdma.size(); ++k) stats.gdma.push_back({gt.start[k], gt.end[k]});
    while (next_host < model.host_layers.size())
      run_host_layer(next_host++);  // after the last commands
    stats.tiu_busy = tt.busy;
    stats.gdma_busy = gt.busy;
    stats.cycles = std::max(tt.free, gt.free);
    stats.latency_us = double(stats.cycles) / chip.tiu_mhz;
    const double seconds = stats.latency_us * 1e-6;
    stats.mac_utilization = mac_utilization(chip, stats.macs, seconds);
    stats.ddr_utilization = ddr_utilization(chip, stats.ddr_bytes, seconds);
    for (const LayerInfo& l : model.layers) {
      LayerTime t{l.name, l.op, UINT64_MAX, 0};
      for (uint32_t k : l.tiu) {
        t.start = std::min(t.start, tt.start[k]);
        t.end = std::max(t.end, tt.end[k]);
        t.tiu_busy += tt.end[k] - tt.start[k];
        t.macs += tt.cost[k].macs;
      }
      for (uint32_t k : l.gdma) {
        t.start = std::min(t.start, gt.start[k]);
        t.end = std::max(t.end, gt.end[k]);
        t.gdma_busy += gt.end[k] - gt.start[k];
        t.ddr_bytes += gt.cost[k].ddr_bytes;
      }
      if (t.start == UINT64_MAX) t.start = 0;
      stats.layers.push_back(t);
    }
  }
};

Simulator::Simulator(const Chip& chip, const Model& model, HostRunner host)
    : impl_(std::make_unique<Impl>()) {
  impl_->chip = chip;
  impl_->model = model;
  impl_->host = std::move(host);
  if (!model.host_layers.empty() && !impl_->host)
    throw Error("the model has " + std::to_string(model.host_layers.size()) +
                " host layer(s) (the first: " + model.host_layers[0].name +
                "); run it with tpuc, which runs them on the host");
  if (model.chip != chip.name)
    throw Error("the model was compiled for " + model.chip + ", not " + chip.name);
  if (model.lanes != uint32_t(chip.lanes) || model.lane_bytes != uint64_t(chip.lmem_bytes))
    throw Error("the model addresses " + std::to_string(model.lanes) + " lanes of " +
                std::to_string(model.lane_bytes) + " bytes; " + chip.name + " has " +
                std::to_string(chip.lanes) + " of " + std::to_string(chip.lmem_bytes));
  // The simulator runs what the bits say: both streams go through the chip's encoding and back
  // even when the model comes straight from the compiler, not from a file.
  impl_->model.program.tiu = decode_tiu(encode_tiu(model.program.tiu, model.lane_bytes),
                                        model.lane_bytes, model.lanes, "the TIU stream");
  impl_->model.program.gdma =
      decode_gdma_stream(encode_gdma_stream(model.program.gdma, model.lane_bytes), model.lane_bytes,
                         model.lanes, "the GDMA stream");
  impl_->ddr.assign(model.ddr_bytes, 0);
  impl_->lmem.assign(size_t(chip.lanes) * size_t(chip.lmem_bytes), 0);
  const uint64_t offset = model.weight_addr - chip.ddr_base;
  if (model.weight_addr < chip.ddr_base || offset + model.weights.size() > model.ddr_bytes)
    throw Error("the weights do not fit the model's DDR");
  std::copy(model.weights.begin(), model.weights.end(),
            impl_->ddr.begin() + std::ptrdiff_t(offset));
}

Simulator::~Simulator() = default;

TensorMap Simulator::run(const TensorMap& inputs) {
  Impl& s = *impl_;
  for (const IoTensor& io : s.model.inputs) {
    auto it = inputs.find(io.name);
    if (it == inputs.end()) throw Error("missing input '" + io.name + "'");
    if (it->second.type.dtype != io.type.dtype || it->second.type.shape != io.type.shape)
      throw Error("input '" + io.name + "' is " + to_string(it->second.type) +
                  ", the model expects " + to_string(io.type));
    std::memcpy(s.io(io), it->second.data.data(), it->second.data.size());
  }
  s.run_streams();
  TensorMap outputs;
  for (const IoTensor& io : s.model.outputs) {
    Tensor t(io.type);
    std::memcpy(t.data.data(), s.io(io), t.data.size());
    outputs[io.name] = std::move(t);
  }
  return outputs;
}

const SimStats& Simulator::stats() const { return impl_->stats; }

}  // namespace tpuc::bm1684x
