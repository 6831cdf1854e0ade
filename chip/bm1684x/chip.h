// A chip description: the constants the compiler and the simulator need, loaded from YAML
// (configs/chips/*.yaml), so another chip of the family is a new file, not new code.
#pragma once
#include <cstdint>
#include <string>

namespace tpuc::bm1684x {

struct Chip {
  std::string name;
  int lanes = 64;                  // NPU_NUM
  int64_t lmem_bytes = 1 << 18;    // local memory per lane
  int lmem_banks = 16;
  int eu_bytes = 64;               // bytes per lane per EU cycle; local tensors align to it
  uint64_t ddr_base = 0x100000000;
  int64_t ddr_alignment = 4096;    // weights and activations start on this boundary
  // Cycle model (docs/isa.md): both engines at their clocks; a command never beats the roofline.
  double tiu_mhz = 1000, gdma_mhz = 1000;
  int int8_macs_per_lane = 256;    // per cycle: 32 TOPS at 1 GHz over 64 lanes
  int f16_macs_per_lane = 128;     // f16 and bf16: 16 TFLOPS; 0: the chip has no f16/bf16 arithmetic
  int f32_macs_per_lane = 16;      // 2 TFLOPS
  double ddr_gib_per_s = 64;       // DDR bandwidth
  int tiu_issue_cycles = 20;       // fixed start-up cost of every TIU command (assumption)
  int gdma_issue_cycles = 100;     // fixed start-up cost of every GDMA command (assumption)

  int64_t bank_bytes() const { return lmem_bytes / lmem_banks; }
  double ddr_bytes_per_gdma_cycle() const { return ddr_gib_per_s * double(1 << 30) / (gdma_mhz * 1e6); }
};

Chip load_chip(const std::string& yaml_path);  // file:line:col errors for unknown keys and bad values

}  // namespace tpuc::bm1684x
