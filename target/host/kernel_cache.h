// The host kernel cache: every host kernel is compiled ahead of time into a shared object kept in
// a directory, so it is compiled once per machine rather than once per process — `tpuc compile`,
// calibration, validation, each model of a zoo run and each test reuse what an earlier run built.
// A kernel's file is named by the SHA-256 of everything that decides its code: the executor's key
// for the node, the target, the Halide library and the running executable (a rebuilt tpuc never
// loads the kernels of an older one). Writes are atomic (temporary name, then rename), so
// concurrent processes share the directory safely; a file that does not load is rebuilt.
//
// The directory is $TPUC_KERNEL_CACHE, else $XDG_CACHE_HOME/tpuc/kernels, else
// ~/.cache/tpuc/kernels. TPUC_KERNEL_CACHE=off keeps the kernels in a directory of this process,
// removed when it exits. Beyond $TPUC_KERNEL_CACHE_MB (default 2048) megabytes, the least
// recently used kernels are removed (by each process that added one, when it ends).
#pragma once
#include <Halide.h>

#include <string>
#include <vector>

namespace tpuc::host {

// Halide's argv calling convention: one halide_buffer_t* per argument, then one per output.
using KernelEntry = int (*)(void**);

// The compiled `pipeline`, taking `args` in this order, for `key`: loaded from the cache, or
// compiled (for `target`) into it first.
KernelEntry load_or_compile(const std::string& key, Halide::Pipeline pipeline,
                            const std::vector<Halide::Argument>& args,
                            const Halide::Target& target);

}  // namespace tpuc::host
