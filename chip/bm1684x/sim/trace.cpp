#include "chip/bm1684x/sim/trace.h"

#include <nlohmann/json.hpp>

namespace tpuc::bm1684x {

std::string chrome_trace(const Model& model, const SimStats& stats, const Chip& chip) {
  using nlohmann::json;
  enum Track { kTiu = 1, kGdma = 2, kLayers = 3 };
  json events = json::array();
  for (const auto& [track, name] : {std::pair{kTiu, "TIU"}, {kGdma, "GDMA"}, {kLayers, "layers"}})
    events.push_back({{"ph", "M"},
                      {"name", "thread_name"},
                      {"pid", 0},
                      {"tid", track},
                      {"args", {{"name", name}}}});
  auto us = [&](uint64_t cycles) { return double(cycles) / chip.tiu_mhz; };
  auto span = [&](const std::string& name, Track track, uint64_t start, uint64_t end, json args) {
    events.push_back({{"ph", "X"},
                      {"name", name},
                      {"pid", 0},
                      {"tid", track},
                      {"ts", us(start)},
                      {"dur", us(end - start)},
                      {"args", args}});
  };
  // Which layer each command belongs to.
  std::vector<std::string> tiu_layer(stats.tiu.size()), gdma_layer(stats.gdma.size());
  for (const LayerInfo& l : model.layers) {
    for (uint32_t k : l.tiu)
      if (k < tiu_layer.size()) tiu_layer[k] = l.name;
    for (uint32_t k : l.gdma)
      if (k < gdma_layer.size()) gdma_layer[k] = l.name;
  }
  for (size_t k = 0; k < stats.tiu.size(); ++k) {
    const TiuCommand& c = model.program.tiu[k];
    span(mnemonic(c), kTiu, stats.tiu[k].start, stats.tiu[k].end,
         {{"id", c.id},
          {"dep", c.dep},
          {"layer", tiu_layer[k]},
          {"cycles", stats.tiu[k].end - stats.tiu[k].start}});
  }
  for (size_t k = 0; k < stats.gdma.size(); ++k) {
    const GdmaCommand& c = model.program.gdma[k];
    span(mnemonic(c), kGdma, stats.gdma[k].start, stats.gdma[k].end,
         {{"id", c.id},
          {"dep", c.dep},
          {"layer", gdma_layer[k]},
          {"cycles", stats.gdma[k].end - stats.gdma[k].start}});
  }
  for (const LayerTime& l : stats.layers) span(l.name, kLayers, l.start, l.end, {{"op", l.op}});
  return json{{"traceEvents", events},
              {"displayTimeUnit", "ns"},
              {"otherData", {{"chip", chip.name}, {"cycles", stats.cycles}}}}
             .dump(1) +
         "\n";
}

}  // namespace tpuc::bm1684x
