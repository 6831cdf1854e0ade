#include "driver/host_layers.h"

#include <map>
#include <memory>

#include "ir/text.h"
#include "target/host/executor.h"

namespace tpuc {

bm1684x::HostRunner host_layer_runner() {
  auto executors = std::make_shared<std::map<size_t, std::unique_ptr<host::Executor>>>();
  return [executors](size_t index, const bm1684x::HostLayer& layer, const TensorMap& inputs) {
    std::unique_ptr<host::Executor>& ex = (*executors)[index];
    if (!ex)
      ex = std::make_unique<host::Executor>(parse(layer.graph, "host layer '" + layer.name + "'"));
    return ex->run(inputs);
  };
}

}  // namespace tpuc
