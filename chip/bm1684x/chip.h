// A chip description: the constants the compiler and the simulator need, loaded from YAML
// (configs/chips/*.yaml), so another chip of the family is a new file, not new code; and the peak
// rates that follow from them.
#pragma once
#include <cstdint>
#include <string>

#include "ir/dtype.h"

namespace tpuc::bm1684x {

struct Chip {
  std::string name;
  int lanes = 64;                // NPU_NUM
  int64_t lmem_bytes = 1 << 18;  // local memory per lane
  int lmem_banks = 16;
  int eu_bytes = 64;  // bytes per lane per EU cycle; local tensors align to it
  uint64_t ddr_base = 0x100000000;
  int64_t ddr_alignment = 4096;  // weights and activations start on this boundary
  // Cycle model (docs/isa.md): both engines at their clocks; a command never beats the roofline.
  double tiu_mhz = 1000, gdma_mhz = 1000;
  int int8_macs_per_lane = 256;  // per cycle: 32 TOPS at 1 GHz over 64 lanes
  int f16_macs_per_lane = 128;   // f16 and bf16: 16 TFLOPS; 0: the chip has no f16/bf16 arithmetic
  int f32_macs_per_lane = 16;    // 2 TFLOPS
  // Input channels the CONV datapath sums in one step, by the input's type; a CONV pays for its
  // channels rounded up to them (a 3-channel layer costs as 64 on the BM1684X in int8).
  int int8_conv_ic_parallel = 64, f16_conv_ic_parallel = 32, f32_conv_ic_parallel = 1;
  int lut_per_lane_cycle = 1;    // LUT gathers per lane per cycle
  double ddr_gib_per_s = 64;     // DDR bandwidth, nominal
  double ddr_efficiency = 0.74;  // the share of it long transfers reach
  int ddr_burst_bytes = 64;      // DDR is read and written in aligned blocks of this size
  int bank_conflict_cycles = 1;  // per step of a TIU command, for each operand sharing a bank
  int tiu_issue_cycles = 20;     // fixed start-up cost of every TIU command (estimate)
  int gdma_issue_cycles = 100;   // fixed start-up cost of every GDMA command (estimate)
  // The SoC's CPU, which runs the host layers between the command streams; its model of a host
  // layer's time is chip/bm1684x/performance.h's host_layer_seconds.
  int host_cores = 8;
  double host_mhz = 2300;
  double host_flops_per_core_cycle = 4;  // f32 operations one core completes per cycle
  double host_ddr_gib_per_s = 10;        // DDR bandwidth the CPU cores reach together
  double host_switch_us = 20;  // stopping the command streams for a host layer, restarting

  int64_t bank_bytes() const { return lmem_bytes / lmem_banks; }

  // The peak rates, from the constants above; chip/bm1684x/performance.h measures a run against
  // them. MACs one lane does per TIU cycle on operands of `t` (f16 and bf16 share the
  // half-precision rate; every type but int8 and those computes at the f32 rate).
  int macs_per_lane_cycle(DType t) const {
    if (t == DType::I8) return int8_macs_per_lane;
    if (t == DType::F16 || t == DType::BF16) return f16_macs_per_lane;
    return f32_macs_per_lane;
  }
  int conv_ic_parallel(DType t) const {
    if (t == DType::I8) return int8_conv_ic_parallel;
    if (t == DType::F16 || t == DType::BF16) return f16_conv_ic_parallel;
    return f32_conv_ic_parallel;
  }
  // Operations (a MAC is two: a multiply and an add) of all lanes per TIU cycle, and per second.
  double peak_ops_per_cycle(DType t) const { return 2.0 * lanes * macs_per_lane_cycle(t); }
  double peak_ops_per_second(DType t) const { return peak_ops_per_cycle(t) * tiu_mhz * 1e6; }
  // The DDR bandwidth, per second and per cycle of each engine's clock.
  double ddr_bytes_per_second() const { return ddr_gib_per_s * double(1 << 30); }
  double ddr_bytes_per_gdma_cycle() const { return ddr_bytes_per_second() / (gdma_mhz * 1e6); }
  double ddr_bytes_per_tiu_cycle() const { return ddr_bytes_per_gdma_cycle() * gdma_mhz / tiu_mhz; }
  // What long transfers reach, per GDMA cycle: the cycle model's DDR rate.
  double achievable_ddr_bytes_per_gdma_cycle() const {
    return ddr_bytes_per_gdma_cycle() * ddr_efficiency;
  }
  double host_flops_per_second() const {
    return host_cores * host_mhz * 1e6 * host_flops_per_core_cycle;
  }
  double host_ddr_bytes_per_second() const { return host_ddr_gib_per_s * double(1 << 30); }
};

// The chip file's keys are listed once, in chip.cpp's field table. Every unknown key, missing key
// and bad value is an error at its file:line:col, all reported at once.
Chip load_chip(const std::string& yaml_path);

}  // namespace tpuc::bm1684x
