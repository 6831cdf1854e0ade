// A compiled model (docs/model-format.md): what code generation produces and the simulator runs,
// and its file, SOPHGO's .bmodel container (bmodel/bmodel.h) with a JSON sidecar beside it.
//   model.bmodel       one net, one stage: inputs and outputs, the weights as its coefficients,
//                      the context (activations) after them, and one subnet per stretch of the
//                      command streams between host layers (TPU), and per host layer (CPU)
//   model.bmodel.json  what the container has no place for: layers and their commands, MACs, the
//                      local memory the GDMA addresses, exact tensor types; optional on reading
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chip/bm1684x/bmodel/bmodel.h"
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
  std::string chip;  // the chip description's name ("bm1684x")
  std::string name = "net";
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

// The CPU layer number of a host layer in a CPU subnet ("TPUC" in ASCII). SOPHGO's runtime does
// not know it (its CPU layer numbers, CPU_LAYER_TYPE_T, are 0 to 59 and 88888); tpuc's runner runs
// the layer from its parameter block, JSON (docs/model-format.md).
inline constexpr int32_t kHostLayerOpType = 0x54505543;

// The container and the sidecar of a model. The sidecar lacks `bmodel_sha256`, which write_model
// adds from the container's bytes.
struct ModelFiles {
  bmodel::Model bmodel;
  nlohmann::json sidecar;
};
ModelFiles to_model_files(const Model& m);

// The model a container (and its sidecar, when there is one) holds; `where` names the file in
// errors. Without the sidecar: no layers, no MACs, tensor types from the container, and the
// BM1684X's local memory (64 lanes of 256 KiB).
Model from_model_files(const bmodel::Model& b, const nlohmann::json* sidecar,
                       const std::string& where);

// The host layer a CPU subnet's layer holds; an Error naming `where` when its op_type is not
// kHostLayerOpType or its parameter block does not parse.
HostLayer parse_host_layer(const bmodel::CpuParam& cpu, const std::string& where);

// model.bmodel → model.bmodel.json, as tpu-mlir names its tensor locations beside a bmodel.
std::string sidecar_path(const std::string& model_path);
// The sidecar of the .bmodel at `model_path` whose bytes are `bytes`, if there is one: an Error
// naming both files when it is not JSON or describes other bytes (its bmodel_sha256).
std::optional<nlohmann::json> read_sidecar(const std::string& model_path, const std::string& bytes);

// Both files, each atomic (a temporary name, then renamed); the same Model gives the same bytes.
void write_model(const std::string& path, const Model& m);
// Every problem is one Error naming the file: a damaged or foreign container (bmodel.h), one
// tpuc cannot run (several nets or stages, a subnet chain that branches, a CPU layer that is not
// tpuc's or whose parameters do not parse, undecodable commands), a sidecar that does not match.
Model read_model(const std::string& path);

}  // namespace tpuc::bm1684x
