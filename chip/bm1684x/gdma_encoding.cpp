#include "chip/bm1684x/gdma_encoding.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "chip/bm1684x/command_stream.h"
#include "chip/bm1684x/data_format.h"
#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

namespace {

constexpr unsigned kDmaTensor = 0;  // cmd_type
constexpr unsigned kBroadcast = 3;  // cmd_special_function

uint64_t gdma_address(const Operand& o, uint64_t lane_bytes) {
  if (o.space == Space::Global) return o.addr;
  return kGdmaLocalBase + o.lane * lane_bytes + o.addr;
}

// One side (src or dst) of a DMA_tensor: its address, sizes and strides.
void set_side(isa::Command& cmd, const std::string& side, const Operand& o, uint64_t lane_bytes,
              bool broadcast_source) {
  const uint64_t addr = gdma_address(o, lane_bytes);
  cmd.set(side + "_start_addr_l32", addr & 0xffffffffu).set(side + "_start_addr_h8", addr >> 32);
  const uint32_t sizes[4] = {o.n, broadcast_source ? 1u : o.c, o.h, o.w};
  const int64_t strides[4] = {o.ns, o.cs, o.hs, o.ws};
  const char* dims = "nchw";
  for (int k = 0; k < 4; ++k) {
    cmd.set(side + "_" + dims[k] + "size", sizes[k]);
    if (strides[k] < 0) throw Error("GDMA " + side + " has a negative stride");
    cmd.set(side + "_" + dims[k] + "stride", uint64_t(strides[k]));
  }
}

Operand get_side(const isa::Command& cmd, const std::string& side, DType dtype, uint64_t lane_bytes,
                 uint32_t lanes) {
  Operand o;
  o.dtype = dtype;
  const uint64_t addr = cmd.get(side + "_start_addr_l32") | cmd.get(side + "_start_addr_h8") << 32;
  const bool local = addr >= kGdmaLocalBase && addr < kGdmaLocalBase + lanes * lane_bytes;
  o.space = local ? Space::Local : Space::Global;
  o.addr = local ? (addr - kGdmaLocalBase) % lane_bytes : addr;
  o.lane = local ? uint32_t((addr - kGdmaLocalBase) / lane_bytes) : 0;
  uint32_t* sizes[4] = {&o.n, &o.c, &o.h, &o.w};
  int64_t* strides[4] = {&o.ns, &o.cs, &o.hs, &o.ws};
  const char* dims = "nchw";
  for (int k = 0; k < 4; ++k) {
    *sizes[k] = uint32_t(cmd.get(side + "_" + dims[k] + "size"));
    *strides[k] = int64_t(cmd.get(side + "_" + dims[k] + "stride"));
  }
  return o;
}

}  // namespace

isa::Command to_dma(const GdmaCommand& c, uint64_t lane_bytes) {
  isa::Command cmd(isa::form_named("DMA_tensor"));
  const bool fill = c.op == GdmaOp::Fill;
  // A source walking no channel for the destination's several: the broadcast form.
  const bool broadcast = !fill && c.src.cs == 0 && c.dst.c > 1;
  const Operand& src = fill ? c.dst : c.src;
  cmd.set("stride_enable", 1).set("nchw_copy", 1).set("cmd_id_en", 1).set("cmd_id", c.id);
  cmd.set("cmd_type", kDmaTensor).set("cmd_special_function", broadcast ? kBroadcast : 0);
  cmd.set("fill_constant_en", fill).set("src_data_format", precision_code(c.dst.dtype));
  cmd.set("cmd_id_dep", c.dep);
  if (fill) {
    const uint64_t bits = scalar_bits(c.fill_value, c.dst.dtype);
    if (scalar_value(bits, c.dst.dtype) != c.fill_value) {  // only its bits travel
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", c.fill_value);
      throw Error(std::string("fill value ") + text + " does not fit " + name(c.dst.dtype));
    }
    cmd.set("constant_value", bits);
  }
  set_side(cmd, "src", src, lane_bytes, broadcast);
  set_side(cmd, "dst", c.dst, lane_bytes, false);
  cmd.set("localmem_mask_l32", 0xffffffffu).set("localmem_mask_h32", 0xffffffffu);
  return cmd;
}

GdmaCommand from_dma(const isa::Command& cmd, uint64_t lane_bytes, uint32_t lanes) {
  const std::string name = isa::command_name(cmd);
  const unsigned function = unsigned(cmd.get("cmd_special_function"));
  if (cmd.form().name != std::string("DMA_tensor") || (function != 0 && function != kBroadcast))
    throw Error(name + " is not a command tpuc's simulator runs");
  GdmaCommand c;
  c.id = uint32_t(cmd.get("cmd_id"));
  c.dep = uint32_t(cmd.get("cmd_id_dep"));
  const DType dtype = dtype_of_precision(unsigned(cmd.get("src_data_format")));
  c.dst = get_side(cmd, "dst", dtype, lane_bytes, lanes);
  if (cmd.get("fill_constant_en")) {
    c.op = GdmaOp::Fill;
    const uint64_t bits = cmd.get("constant_value");
    c.fill_value = scalar_value(bits, dtype);
    // Bits that are not one value of the type (a NaN, bits above a narrow type's) are no fill
    // tpuc makes, nor one its simulator can hold.
    if (std::isnan(c.fill_value) || scalar_bits(c.fill_value, dtype) != bits)
      throw Error("constant_value " + std::to_string(bits) + " is not a " + tpuc::name(dtype) +
                  " value tpuc fills with");
    return c;
  }
  c.op = GdmaOp::Tensor;
  c.src = get_side(cmd, "src", dtype, lane_bytes, lanes);
  if (function == kBroadcast) {  // one source channel for every destination channel
    c.src.c = c.dst.c;
    c.src.cs = 0;
  }
  return c;
}

std::string encode_gdma_stream(const std::vector<GdmaCommand>& commands, uint64_t lane_bytes) {
  return encode_commands(isa::Engine::kGdma, commands,
                         [&](const GdmaCommand& c) { return to_dma(c, lane_bytes); });
}

std::vector<GdmaCommand> decode_gdma_stream(const std::string& bytes, uint64_t lane_bytes,
                                            uint32_t lanes, const std::string& where) {
  return decode_commands<GdmaCommand>(
      isa::Engine::kGdma, bytes, where,
      [&](const isa::Command& cmd) { return from_dma(cmd, lane_bytes, lanes); });
}

}  // namespace tpuc::bm1684x
