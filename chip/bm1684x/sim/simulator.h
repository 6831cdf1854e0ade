// The BM1684X simulator: runs a Model's two command streams on DDR and local memory, bit-exactly
// from the command semantics written in isa.h (plain C++ over the fields and the memories; it
// never calls the ops' Halide algorithms), under the cmd_id dependencies, with the cycle model
// of cycle_model.h. Every operand is checked against lane and memory bounds before a command
// touches memory: a bad command is an Error naming it, never memory corruption. A model's host
// layers run through a HostRunner at their place in the streams (their time is not modelled).
// The first run also rejects races: two commands of different engines that overlap in time while
// one writes a local-memory byte the other reads or writes, a missing dependency (docs/isa.md).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "ir/npz.h"

namespace tpuc::bm1684x {

struct LayerTime {
  std::string name, op;
  uint64_t start = 0, end = 0;           // cycles
  uint64_t tiu_busy = 0, gdma_busy = 0;  // cycles its commands occupy each engine
  uint64_t macs = 0, ddr_bytes = 0;      // its work and its DDR traffic
};

struct CommandTime {
  uint64_t start = 0, end = 0;  // cycles
};

struct SimStats {
  uint64_t cycles = 0;  // whole inference, both engines
  double latency_us = 0;
  uint64_t tiu_busy = 0, gdma_busy = 0;
  uint64_t macs = 0, ddr_bytes = 0;
  double mac_utilization = 0;  // 2·MACs / (latency · int8 peak ops)
  double ddr_utilization = 0;  // DDR bytes / (latency · bandwidth)
  std::vector<LayerTime> layers;
  std::vector<CommandTime> tiu, gdma;    // every command of each stream, in stream order
  std::vector<std::string> host_layers;  // layers the host ran; their time is not modelled
};

// Runs a host layer (model_file.h) on its inputs: the simulator moves the tensors between DDR and
// the runner, which computes (tpuc passes the host reference executor; the simulator itself never
// runs an op's Halide algorithm).
using HostRunner =
    std::function<TensorMap(size_t index, const HostLayer& layer, const TensorMap& inputs)>;

class Simulator {
 public:
  Simulator(const Chip& chip, const Model& model, HostRunner host = {});
  ~Simulator();
  // Inputs are keyed by model input name and must match their types. Returns the model outputs.
  TensorMap run(const TensorMap& inputs);
  const SimStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tpuc::bm1684x
