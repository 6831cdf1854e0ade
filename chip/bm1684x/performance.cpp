#include "chip/bm1684x/performance.h"

#include <algorithm>

namespace tpuc::bm1684x {

namespace {

// Every rate counts operations: a MAC is a multiply and an add.
double operations(uint64_t macs) { return 2.0 * double(macs); }

}  // namespace

double mac_utilization(const Chip& chip, uint64_t macs, double seconds) {
  if (!(seconds > 0)) return 0;
  return operations(macs) / (seconds * chip.peak_ops_per_second(DType::I8));
}

double ddr_utilization(const Chip& chip, uint64_t ddr_bytes, double seconds) {
  if (!(seconds > 0)) return 0;
  return double(ddr_bytes) / (seconds * chip.ddr_bytes_per_second());
}

Roofline roofline(const Chip& chip, uint64_t macs, uint64_t ddr_bytes, uint64_t cycles) {
  const double peak = chip.peak_ops_per_cycle(DType::I8);
  const double bytes_per_cycle = chip.ddr_bytes_per_tiu_cycle();
  Roofline r;
  if (ddr_bytes) r.ops_per_ddr_byte = operations(macs) / double(ddr_bytes);
  const double bandwidth_bound = r.ops_per_ddr_byte * bytes_per_cycle;
  r.memory_bound = bandwidth_bound < peak;
  const double attainable = ddr_bytes ? std::min(peak, bandwidth_bound) : peak;
  const double span = double(std::max<uint64_t>(1, cycles));
  r.of_attainable = operations(macs) / span / attainable;
  return r;
}

double host_layer_seconds(const Chip& chip, const HostWork& work) {
  const double compute =
      (operations(work.macs) + double(work.elements)) / chip.host_flops_per_second();
  const double memory = double(work.ddr_bytes) / chip.host_ddr_bytes_per_second();
  return chip.host_switch_us * 1e-6 + std::max(compute, memory);
}

}  // namespace tpuc::bm1684x
