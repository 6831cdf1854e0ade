// What a simulated run achieved against the chip's peak rates (Chip::peak_ops_per_second, ...):
// the utilizations the simulator reports for an inference, and a layer's place on the roofline
// (report.json's chip section, docs/report.md). The one home of these formulas: the simulator and
// the compile report both call them.
#pragma once
#include <cstdint>

#include "chip/bm1684x/chip.h"

namespace tpuc::bm1684x {

// 2·MACs / (seconds · int8 peak operations per second); 0 when no time passed.
double mac_utilization(const Chip& chip, uint64_t macs, double seconds);
// DDR bytes / (seconds · DDR bandwidth); 0 when no time passed.
double ddr_utilization(const Chip& chip, uint64_t ddr_bytes, double seconds);

// Work on the int8 roofline: its attainable rate is min(peak, intensity × DDR bandwidth), both in
// operations per TIU cycle; the ridge point, where the two meet, parts memory- from compute-bound.
struct Roofline {
  double ops_per_ddr_byte = 0;  // 2·MACs per DDR byte (0 without DDR traffic)
  bool memory_bound = false;    // below the ridge point: DDR bandwidth limits the attainable rate
  double of_attainable = 0;     // operations per cycle over the span, as a share of the attainable
};
// `macs` and `ddr_bytes` done in a span of `cycles` (a span of 0 counts as 1 cycle).
Roofline roofline(const Chip& chip, uint64_t macs, uint64_t ddr_bytes, uint64_t cycles);

// A host layer's work, as the report counts it from its node (driver/compile_report.cpp).
struct HostWork {
  uint64_t macs = 0;       // multiply-accumulates (Conv, Gemm, MatMul, ConvTranspose)
  uint64_t elements = 0;   // result elements, one operation each at least
  uint64_t ddr_bytes = 0;  // its operands read from DDR and its results written back
};
// The modeled time of a host layer on the SoC's CPU (Chip::host_*): the switch from and back to
// the command streams, plus the longer of computing (2·MACs + elements operations at the cores'
// f32 rate) and moving its DDR bytes at the CPU's bandwidth.
double host_layer_seconds(const Chip& chip, const HostWork& work);

}  // namespace tpuc::bm1684x
