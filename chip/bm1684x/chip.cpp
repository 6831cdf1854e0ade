#include "chip/bm1684x/chip.h"

#include <iterator>
#include <type_traits>
#include <utility>
#include <variant>

#include "ir/yaml.h"

namespace tpuc::bm1684x {

namespace {

// What a value must be beyond its type.
enum class Bound {
  kAny,
  kPositive,
  kZeroOrPositive,  // 0 has the meaning the field gives it
};

// A key of configs/chips/*.yaml: the Chip member it sets and the bound on its value.
struct Field {
  const char* key;
  std::variant<std::string Chip::*, int Chip::*, int64_t Chip::*, uint64_t Chip::*, double Chip::*>
      member;
  Bound bound = Bound::kAny;
  const char* zero_means = nullptr;  // kZeroOrPositive: what 0 stands for, for the error message
};

// Every key, required, in the order the files write them (the meaning of each is in chip.h).
const Field kFields[] = {
    {"name", &Chip::name},
    {"lanes", &Chip::lanes, Bound::kPositive},
    {"lmem_bytes_per_lane", &Chip::lmem_bytes, Bound::kPositive},
    {"lmem_banks", &Chip::lmem_banks, Bound::kPositive},
    {"eu_bytes", &Chip::eu_bytes, Bound::kPositive},
    {"ddr_base", &Chip::ddr_base},
    {"ddr_alignment", &Chip::ddr_alignment, Bound::kPositive},
    {"tiu_mhz", &Chip::tiu_mhz, Bound::kPositive},
    {"gdma_mhz", &Chip::gdma_mhz, Bound::kPositive},
    {"int8_macs_per_lane_cycle", &Chip::int8_macs_per_lane, Bound::kPositive},
    {"f16_macs_per_lane_cycle", &Chip::f16_macs_per_lane, Bound::kZeroOrPositive, "no f16/bf16"},
    {"f32_macs_per_lane_cycle", &Chip::f32_macs_per_lane, Bound::kPositive},
    {"int8_conv_ic_parallel", &Chip::int8_conv_ic_parallel, Bound::kPositive},
    {"f16_conv_ic_parallel", &Chip::f16_conv_ic_parallel, Bound::kPositive},
    {"f32_conv_ic_parallel", &Chip::f32_conv_ic_parallel, Bound::kPositive},
    {"lut_per_lane_cycle", &Chip::lut_per_lane_cycle, Bound::kPositive},
    {"ddr_gib_per_s", &Chip::ddr_gib_per_s, Bound::kPositive},
    {"ddr_efficiency", &Chip::ddr_efficiency, Bound::kPositive},
    {"ddr_burst_bytes", &Chip::ddr_burst_bytes, Bound::kPositive},
    {"bank_conflict_cycles", &Chip::bank_conflict_cycles, Bound::kZeroOrPositive, "no cost"},
    {"tiu_issue_cycles", &Chip::tiu_issue_cycles, Bound::kZeroOrPositive, "no start-up cost"},
    {"gdma_issue_cycles", &Chip::gdma_issue_cycles, Bound::kZeroOrPositive, "no start-up cost"},
    {"host_cores", &Chip::host_cores, Bound::kPositive},
    {"host_mhz", &Chip::host_mhz, Bound::kPositive},
    {"host_flops_per_core_cycle", &Chip::host_flops_per_core_cycle, Bound::kPositive},
    {"host_ddr_gib_per_s", &Chip::host_ddr_gib_per_s, Bound::kPositive},
    {"host_switch_us", &Chip::host_switch_us, Bound::kZeroOrPositive, "no switching cost"},
};

// YamlReader::check_keys takes the allowed keys as an initializer list: spelled from the table.
template <size_t... I>
void check_keys(YamlReader& r, const YAML::Node& y, std::index_sequence<I...>) {
  r.check_keys(y, {kFields[I].key...});
}

void read_field(YamlReader& r, const YAML::Node& y, const Field& f, Chip& chip) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(chip.*member)>;
        if constexpr (std::is_same_v<T, uint64_t>)  // YamlReader reads no unsigned type
          chip.*member = uint64_t(r.require<int64_t>(y, f.key));
        else
          chip.*member = r.require<T>(y, f.key);
      },
      f.member);
}

double numeric_value(const Field& f, const Chip& chip) {
  return std::visit(
      [&](auto member) {
        if constexpr (std::is_arithmetic_v<std::remove_reference_t<decltype(chip.*member)>>)
          return double(chip.*member);
        else
          return 0.0;  // a name: no bound
      },
      f.member);
}

void check_bound(YamlReader& r, const YAML::Node& y, const Field& f, const Chip& chip) {
  // A missing key was reported by require; there is no value to bound.
  if (f.bound == Bound::kAny || !y[f.key]) return;
  const double value = numeric_value(f, chip);
  const std::string key = std::string("'") + f.key + "'";
  if (f.bound == Bound::kPositive && !(value > 0)) r.error(y[f.key], key + " must be positive");
  if (f.bound == Bound::kZeroOrPositive && value < 0)
    r.error(y[f.key], key + " must be 0 (" + f.zero_means + ") or positive");
}

}  // namespace

Chip load_chip(const std::string& yaml_path) {
  YamlReader r(yaml_path);
  const YAML::Node& y = r.root();
  check_keys(r, y, std::make_index_sequence<std::size(kFields)>());
  if (!y.IsMap()) r.finish();  // check_keys said so: no key to read
  Chip c;
  for (const Field& f : kFields) read_field(r, y, f, c);
  for (const Field& f : kFields) check_bound(r, y, f, c);
  if (c.lmem_banks > 0 && c.lmem_bytes % c.lmem_banks)
    r.error(y["lmem_banks"], "the lane size must divide into the banks");
  if (c.ddr_efficiency > 1) r.error(y["ddr_efficiency"], "'ddr_efficiency' must be at most 1");
  // The CONV datapath does its MACs per lane cycle as input channels × output positions.
  const std::pair<const char*, DType> ic_parallel[] = {{"int8_conv_ic_parallel", DType::I8},
                                                       {"f16_conv_ic_parallel", DType::F16},
                                                       {"f32_conv_ic_parallel", DType::F32}};
  for (const auto& [key, t] : ic_parallel)
    if (y[key] && c.conv_ic_parallel(t) > 0 && c.macs_per_lane_cycle(t) % c.conv_ic_parallel(t))
      r.error(y[key], std::string("'") + key + "' must divide the MACs per lane cycle");
  r.finish();
  return c;
}

}  // namespace tpuc::bm1684x
