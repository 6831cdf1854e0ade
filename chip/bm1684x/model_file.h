// The .tpumodel file (docs/model-format.md): what a compile produces and the simulator runs.
//   header   magic "TPUMODEL", format version, section sizes, CRC-32 of everything after it
//   metadata JSON: chip, inputs/outputs (name, type, DDR address), DDR size, weight address,
//   layers,
//            host layers
//   weights  the weight blob, copied to DDR at weight_addr before a run
//   TIU and GDMA command streams (encoding.h)
// read_model rejects a wrong magic or version, a truncated file and a checksum mismatch.
#pragma once
#include <string>
#include <vector>

#include "chip/bm1684x/isa.h"
#include "ir/tensor.h"

namespace tpuc::bm1684x {

struct IoTensor {
  std::string name;
  TensorType type;
  uint64_t addr = 0;
};

// The commands one layer became — a graph node, or a layer group of several run as one pipeline —
// as indices into each stream (the GDMA's need not be contiguous: the stream scheduler moves
// loads ahead).
struct LayerInfo {
  std::string name, op;            // a group: its last node, and its nodes' ops joined by '+'
  std::vector<std::string> nodes;  // the graph nodes it runs, in order
  uint32_t tiles = 1;              // the tiles its output is computed in
  std::vector<uint32_t> tiu, gdma;
};

// A layer with no chip form, run by the host between the command streams, as tpu-mlir's CPU
// layers are: its one-node graph as .tpuir text (constants included), its operands and results in
// DDR, and where it sits in the streams — after the first `tiu_at` TIU and `gdma_at` GDMA commands
// have finished, before any later one starts.
struct HostLayer {
  std::string name, op, graph;
  std::vector<IoTensor> inputs, outputs;
  uint32_t tiu_at = 0, gdma_at = 0;
  std::string reason;  // why the chip does not run it
};

struct Model {
  std::string chip;
  std::vector<IoTensor> inputs, outputs;
  uint64_t ddr_bytes = 0;  // DDR used from the chip's ddr_base: weights and activations
  uint64_t weight_addr = 0;
  std::vector<uint8_t> weights;
  Program program;
  std::vector<LayerInfo> layers;
  std::vector<HostLayer> host_layers;  // in stream order
  uint64_t macs = 0;                   // multiply-accumulates of one inference (for utilization)
  // The chip's local memory as its GDMA commands address it (gdma_encoding.h).
  uint32_t lanes = 64;
  uint64_t lane_bytes = 1 << 18;
};

void write_model(const std::string& path, const Model& m);  // atomic
Model read_model(const std::string& path);
std::string disassemble(const Model& m);  // one line per command, grouped by layer

}  // namespace tpuc::bm1684x
