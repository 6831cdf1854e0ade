// A model's command streams as the subnets of its .bmodel (docs/model-format.md): split at each
// host layer into TPU subnets, a CPU subnet for each host layer between them, and joined back.
//
// Each TPU subnet is one command group whose two streams are renumbered from cmd_id 1 and end
// with their own END, as the runtime runs a group. A command's dependency on a command of an
// earlier TPU subnet is dropped: the CPU subnet in between starts after every command before it
// has finished and the next TPU subnet starts after it, so such a dependency always holds (as it
// does in the simulator, which drains both engines around a host layer).
#pragma once
#include <string>
#include <vector>

#include "chip/bm1684x/bmodel/bmodel.h"
#include "chip/bm1684x/model_file.h"

namespace tpuc::bm1684x {

// One subnet of the split: a TPU subnet's commands, or the host layer a CPU subnet runs.
struct SubnetPart {
  bool is_host = false;
  size_t host_layer = 0;  // is_host: its index in Model::host_layers
  Program program;        // TPU: each stream renumbered from 1, with its own END
  // TPU: where its commands start in the model's streams (0-based), and how many it has, END
  // not counted.
  uint32_t tiu_begin = 0, gdma_begin = 0, tiu_size = 0, gdma_size = 0;
};

// The subnets in run order. A stretch of the streams without commands between two host layers
// (or before the first, or after the last) makes no TPU subnet, unless the model has no host
// layer at all: then its one TPU subnet holds the two ENDs alone.
std::vector<SubnetPart> split_program(const Model& m);

// The model's streams again from the TPU subnets' commands, each as decoded (renumbered from 1,
// END last), appended in order; `finish` adds the ENDs, numbered after the last command.
class ProgramJoiner {
 public:
  // The counts so far, END not counted: where a host layer after them sits.
  uint32_t tiu_size() const { return uint32_t(program_.tiu.size()); }
  uint32_t gdma_size() const { return uint32_t(program_.gdma.size()); }
  void append(std::vector<TiuCommand> tiu, std::vector<GdmaCommand> gdma);
  Program finish();

 private:
  Program program_;
  TiuCommand tiu_end_;
  GdmaCommand gdma_end_;
};

}  // namespace tpuc::bm1684x
