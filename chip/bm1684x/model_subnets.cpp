#include "chip/bm1684x/model_subnets.h"

#include <algorithm>

#include "chip/bm1684x/encoding.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

namespace {

// A dependency on the other engine's command `dep` (a 1-based id in the model's stream) as an id
// in a part whose commands of that engine start at `begin` and number `size`: 0 for one before the
// part (it has finished: see the header), never one after it.
uint32_t local_dep(uint32_t dep, uint32_t begin, uint32_t size) {
  if (dep <= begin) return 0;
  TPUC_INTERNAL_ASSERT(dep <= begin + size, "a command depends on one after the host layer");
  return dep - begin;
}

// The commands [begin, begin + size) of each stream as one TPU part, each stream renumbered from
// 1 and closed by a copy of the model's END.
SubnetPart tpu_part(const Program& p, uint32_t tiu_begin, uint32_t tiu_size, uint32_t gdma_begin,
                    uint32_t gdma_size) {
  SubnetPart part;
  part.tiu_begin = tiu_begin;
  part.gdma_begin = gdma_begin;
  part.tiu_size = tiu_size;
  part.gdma_size = gdma_size;
  for (uint32_t k = 0; k < tiu_size; ++k) {
    TiuCommand c = p.tiu[tiu_begin + k];
    c.id = k + 1;
    c.dep = local_dep(c.dep, gdma_begin, gdma_size);
    part.program.tiu.push_back(c);
  }
  for (uint32_t k = 0; k < gdma_size; ++k) {
    GdmaCommand c = p.gdma[gdma_begin + k];
    c.id = k + 1;
    c.dep = local_dep(c.dep, tiu_begin, tiu_size);
    part.program.gdma.push_back(c);
  }
  TiuCommand tiu_end = p.tiu.back();
  tiu_end.id = tiu_size + 1;
  part.program.tiu.push_back(tiu_end);
  GdmaCommand gdma_end = p.gdma.back();
  gdma_end.id = gdma_size + 1;
  part.program.gdma.push_back(gdma_end);
  return part;
}

}  // namespace

std::vector<SubnetPart> split_program(const Model& m) {
  const Program& p = m.program;
  TPUC_INTERNAL_ASSERT(!p.tiu.empty() && !p.gdma.empty(), "a stream without its END");
  const auto tiu_total = uint32_t(p.tiu.size() - 1), gdma_total = uint32_t(p.gdma.size() - 1);
  std::vector<SubnetPart> parts;
  uint32_t tiu_at = 0, gdma_at = 0;
  auto add_tpu_part = [&](uint32_t tiu_end, uint32_t gdma_end) {
    TPUC_INTERNAL_ASSERT(
        tiu_end >= tiu_at && gdma_end >= gdma_at && tiu_end <= tiu_total && gdma_end <= gdma_total,
        "host layers out of stream order");
    if (tiu_end > tiu_at || gdma_end > gdma_at)
      parts.push_back(tpu_part(p, tiu_at, tiu_end - tiu_at, gdma_at, gdma_end - gdma_at));
    tiu_at = tiu_end;
    gdma_at = gdma_end;
  };
  for (size_t k = 0; k < m.host_layers.size(); ++k) {
    add_tpu_part(m.host_layers[k].tiu_at, m.host_layers[k].gdma_at);
    SubnetPart host;
    host.is_host = true;
    host.host_layer = k;
    parts.push_back(std::move(host));
  }
  add_tpu_part(tiu_total, gdma_total);
  if (parts.empty()) parts.push_back(tpu_part(p, 0, 0, 0, 0));
  return parts;
}

void ProgramJoiner::append(std::vector<TiuCommand> tiu, std::vector<GdmaCommand> gdma) {
  TPUC_INTERNAL_ASSERT(!tiu.empty() && !gdma.empty(), "a decoded stream without its END");
  const uint32_t tiu_offset = tiu_size(), gdma_offset = gdma_size();
  tiu_end_ = tiu.back();
  gdma_end_ = gdma.back();
  tiu.pop_back();
  gdma.pop_back();
  for (TiuCommand& c : tiu) {
    c.id += tiu_offset;
    if (c.dep) c.dep += gdma_offset;
    program_.tiu.push_back(c);
  }
  for (GdmaCommand& c : gdma) {
    c.id += gdma_offset;
    if (c.dep) c.dep += tiu_offset;
    program_.gdma.push_back(c);
  }
}

Program ProgramJoiner::finish() {
  tiu_end_.id = tiu_size() + 1;
  gdma_end_.id = gdma_size() + 1;
  program_.tiu.push_back(tiu_end_);
  program_.gdma.push_back(gdma_end_);
  return std::move(program_);
}

}  // namespace tpuc::bm1684x
