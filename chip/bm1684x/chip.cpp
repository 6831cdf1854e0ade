#include "chip/bm1684x/chip.h"

#include "ir/yaml.h"

namespace tpuc::bm1684x {

Chip load_chip(const std::string& yaml_path) {
  YamlReader r(yaml_path);
  const YAML::Node& y = r.root();
  r.check_keys(y, {"name", "lanes", "lmem_bytes_per_lane", "lmem_banks", "eu_bytes", "ddr_base", "ddr_alignment", "tiu_mhz",
                   "gdma_mhz", "int8_macs_per_lane_cycle", "f16_macs_per_lane_cycle", "f32_macs_per_lane_cycle", "ddr_gib_per_s", "tiu_issue_cycles",
                   "gdma_issue_cycles"});
  Chip c;
  c.name = r.require<std::string>(y, "name");
  c.lanes = r.require<int>(y, "lanes");
  c.lmem_bytes = r.require<int64_t>(y, "lmem_bytes_per_lane");
  c.lmem_banks = r.require<int>(y, "lmem_banks");
  c.eu_bytes = r.require<int>(y, "eu_bytes");
  c.ddr_base = uint64_t(r.require<int64_t>(y, "ddr_base"));
  c.ddr_alignment = r.require<int64_t>(y, "ddr_alignment");
  c.tiu_mhz = r.require<double>(y, "tiu_mhz");
  c.gdma_mhz = r.require<double>(y, "gdma_mhz");
  c.int8_macs_per_lane = r.require<int>(y, "int8_macs_per_lane_cycle");
  c.f16_macs_per_lane = r.require<int>(y, "f16_macs_per_lane_cycle");
  c.f32_macs_per_lane = r.require<int>(y, "f32_macs_per_lane_cycle");
  c.ddr_gib_per_s = r.require<double>(y, "ddr_gib_per_s");
  c.tiu_issue_cycles = r.require<int>(y, "tiu_issue_cycles");
  c.gdma_issue_cycles = r.require<int>(y, "gdma_issue_cycles");
  auto positive = [&](const char* key, double v) {
    if (!(v > 0)) r.error(y[key], std::string("'") + key + "' must be positive");
  };
  positive("lanes", c.lanes);
  positive("lmem_bytes_per_lane", double(c.lmem_bytes));
  positive("lmem_banks", c.lmem_banks);
  positive("eu_bytes", c.eu_bytes);
  positive("tiu_mhz", c.tiu_mhz);
  positive("gdma_mhz", c.gdma_mhz);
  positive("int8_macs_per_lane_cycle", c.int8_macs_per_lane);
  positive("f32_macs_per_lane_cycle", c.f32_macs_per_lane);
  positive("ddr_gib_per_s", c.ddr_gib_per_s);
  if (c.f16_macs_per_lane < 0) r.error(y["f16_macs_per_lane_cycle"], "'f16_macs_per_lane_cycle' must be 0 (no f16/bf16) or positive");
  if (c.lmem_banks > 0 && c.lmem_bytes % c.lmem_banks) r.error(y["lmem_banks"], "the lane size must divide into the banks");
  r.finish();
  return c;
}

}  // namespace tpuc::bm1684x
