#include "target/host/rewrite_definitions.h"

namespace tpuc::host {

void rewrite_definitions(const std::vector<Halide::Func>& outputs,
                         Halide::Internal::IRMutator& mutator) {
  std::vector<Halide::Internal::Function> roots;
  for (const Halide::Func& f : outputs) roots.push_back(f.function());
  for (auto& [name, function] : Halide::Internal::build_environment(roots))
    function.mutate(&mutator);
}

}  // namespace tpuc::host
