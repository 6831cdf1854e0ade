// Hand-written command streams on the simulator: a small chip and a model whose DDR holds one
// input and one output, to which tests append GDMA and TIU commands one by one.
#pragma once
#include <cstdint>
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"
#include "chip/bm1684x/model_file.h"
#include "ir/tensor.h"

namespace tpuc::testing {

class SimHarness {
 public:
  // Input x at the start of DDR, output y 4096 bytes after it, on small_chip().
  SimHarness(const TensorType& in, const TensorType& out);

  // 4 lanes (so channels wrap over the lanes after 4) of 4096 bytes in 4 banks.
  static bm1684x::Chip small_chip();
  // A dense NCHW tensor in DDR at `addr`.
  static bm1684x::Operand global(uint64_t addr, DType dtype, uint32_t n, uint32_t c, uint32_t h,
                                 uint32_t w);
  // A local tensor in the layout the compiler uses from `lane` on: channel slots of `plane`
  // elements per lane, rows of w elements.
  static bm1684x::Operand local(uint64_t addr, DType dtype, uint32_t lane, uint32_t n, uint32_t c,
                                uint32_t h, uint32_t w, int64_t plane);
  // The whole input x and output y (4-D types) as DDR operands.
  bm1684x::Operand input() const;
  bm1684x::Operand output() const;

  // Each appends a command with the next id of its engine, depending on command `dep` of the
  // other engine (0: none), and returns it.
  bm1684x::GdmaCommand gdma(bm1684x::GdmaOp op, const bm1684x::Operand& src,
                            const bm1684x::Operand& dst, uint32_t dep);
  bm1684x::GdmaCommand copy(const bm1684x::Operand& src, const bm1684x::Operand& dst,
                            uint32_t dep = 0);
  bm1684x::GdmaCommand fill(const bm1684x::Operand& dst, double value, uint32_t dep = 0);
  bm1684x::TiuCommand tiu(bm1684x::TiuCommand c, uint32_t dep);

  // What the cycle model charges for a command on this chip.
  uint64_t cycles(const bm1684x::TiuCommand& c) const;
  uint64_t cycles(const bm1684x::GdmaCommand& c) const;

  // Output y of the model on the simulator for input x.
  Tensor run(const Tensor& x);
  // The simulator's error for the model on an input of zeros, or "no error".
  std::string error_of_run();

  bm1684x::Chip chip = small_chip();
  bm1684x::Model model;
  uint64_t in_addr;
  uint64_t out_addr;

 private:
  bm1684x::GdmaCommand append(bm1684x::GdmaCommand g, uint32_t dep);
};

}  // namespace tpuc::testing
