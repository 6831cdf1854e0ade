#include "target/host/kernel_cache.h"

#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "ir/diagnostics.h"
#include "ir/digest.h"
#include "ir/files.h"

extern char** environ;

namespace tpuc::host {

namespace {

namespace fs = std::filesystem;

constexpr const char* kEntryName = "tpuc_kernel";

uintmax_t size_limit() {
  const char* env = std::getenv("TPUC_KERNEL_CACHE_MB");
  if (!env) return uintmax_t(2048) << 20;
  char* end = nullptr;
  const unsigned long long megabytes = std::strtoull(env, &end, 10);
  if (end == env || *end != '\0')
    throw Error(std::string("TPUC_KERNEL_CACHE_MB=") + env + ": expected a number of megabytes");
  return uintmax_t(megabytes) << 20;
}

// Removes the least recently used kernels (a hit touches its file) while the cache is over its
// size, and temporary files a killed process left behind.
void evict(const fs::path& folder, uintmax_t limit) {
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  uintmax_t total = 0;
  std::error_code ec;
  const auto stale = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    const fs::file_time_type time = e.last_write_time(ec);
    if (e.path().filename().string().rfind("tmp-", 0) == 0) {
      if (time < stale) fs::remove(e.path(), ec);
      continue;
    }
    total += e.file_size(ec);
    files.emplace_back(time, e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [time, path] : files) {
    if (total <= limit) break;
    total -= fs::file_size(path, ec);
    fs::remove(path, ec);
  }
}

fs::path default_cache_path() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "tpuc" / "kernels";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".cache" / "tpuc" / "kernels";
}

// Where kernels live, from the environment. When the process ends, a temporary directory
// (TPUC_KERNEL_CACHE=off) goes, and a cache the process added to is brought back within its size
// (one scan per process: it costs a stat per file; loaded kernels stay loaded).
struct CacheDir {
  fs::path path;
  bool temporary = false;
  uintmax_t limit = size_limit();  // bytes
  mutable std::atomic<bool> added{false};

  CacheDir() {
    const char* env = std::getenv("TPUC_KERNEL_CACHE");
    const std::string setting = env ? env : "";
    if (setting == "off") {
      std::string name = (fs::temp_directory_path() / "tpuc-kernels-XXXXXX").string();
      if (!mkdtemp(name.data())) throw Error(name + ": cannot create a kernel directory");
      path = name;
      temporary = true;
      return;
    }
    path = setting.empty() ? default_cache_path() : fs::path(setting);
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec)
      throw Error(path.string() + ": cannot create the kernel cache (" + ec.message() +
                  "; set TPUC_KERNEL_CACHE to another directory, or to off)");
  }
  ~CacheDir() {
    std::error_code ec;
    if (temporary)
      fs::remove_all(path, ec);
    else if (added)
      evict(path, limit);
  }
};

const CacheDir& cache_dir() {
  static const CacheDir dir;
  return dir;
}

// What decides the code of every kernel besides its own key and target: the executable that
// builds it (its ops and schedules) and the Halide library that compiles it.
const std::string& code_identity() {
  static const std::string identity = [] {
    Digest d;
    d.add_path("/proc/self/exe");
    Dl_info halide{};
    void (*halide_symbol)(const std::string&, const Halide::Target&) =
        &Halide::compile_standalone_runtime;
    if (dladdr(reinterpret_cast<void*>(halide_symbol), &halide) && halide.dli_fname) {
      std::error_code ec;
      const fs::path library = fs::canonical(halide.dli_fname, ec);
      d.add(library.string());
      d.add(std::to_string(fs::file_size(library, ec)));
      d.add(std::to_string(fs::last_write_time(library, ec).time_since_epoch().count()));
    }
    return d.hex();
  }();
  return identity;
}

// A name no other thread or process uses, for a file about to be renamed into place.
fs::path temporary_name(const std::string& stem) {
  static std::atomic<uint64_t> counter{0};
  return cache_dir().path /
         ("tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + stem);
}

// Links an object into a shared object with the system linker (binutils' ld, which the C++
// toolchain that built tpuc brings); its undefined symbols (Halide's runtime, libc) resolve
// when it is loaded.
void link_shared(const fs::path& object, const fs::path& library) {
  std::vector<std::string> words = {"ld", "-shared", "-o", library.string(), object.string()};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "ld", nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    throw Error(std::string("linking a host kernel needs the linker 'ld' (binutils): ") +
                std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    TPUC_INTERNAL_ERROR("ld failed to link " + object.string());
}

// Compiles with `write_object`, links, and renames the result to `library`.
template <typename WriteObject>
void build_library(const fs::path& library, WriteObject write_object) {
  const fs::path object = temporary_name(library.stem().string() + ".o");
  const fs::path linked = temporary_name(library.filename().string());
  std::error_code ec;
  try {
    write_object(object.string());
    link_shared(object, linked);
  } catch (...) {
    fs::remove(object, ec);
    fs::remove(linked, ec);
    throw;
  }
  fs::remove(object, ec);
  fs::rename(linked, library, ec);
  if (ec)
    TPUC_INTERNAL_ERROR(library.string() + ": cannot write the kernel (" + ec.message() + ")");
}

void* open_library(const fs::path& path, int flags) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | flags);
  if (handle) {
    std::error_code ec;
    fs::last_write_time(path, fs::file_time_type::clock::now(), ec);
  }
  return handle;
}

// The library for `key` (compiled by `write_object` when absent, or rebuilt when it does not load).
template <typename WriteObject>
void* load(const std::string& key, int flags, WriteObject write_object) {
  const fs::path path = cache_dir().path / (key + ".so");
  if (void* handle = open_library(path, flags)) return handle;
  build_library(path, write_object);
  void* handle = open_library(path, flags);
  if (!handle) TPUC_INTERNAL_ERROR(path.string() + ": " + dlerror());
  cache_dir().added = true;
  return handle;
}

// Halide's runtime (thread pool, allocator, error reports) for every kernel, loaded once with
// global symbols: kernels are compiled without one and find it when they load.
void load_runtime(const Halide::Target& target) {
  static std::once_flag once;
  std::call_once(once, [&] {
    Digest d;
    d.add("runtime");
    d.add(code_identity());
    d.add(target.to_string());
    load(d.hex(), RTLD_GLOBAL,
         [&](const std::string& object) { Halide::compile_standalone_runtime(object, target); });
  });
}

}  // namespace

KernelEntry load_or_compile(const std::string& key, Halide::Pipeline pipeline,
                            const std::vector<Halide::Argument>& args,
                            const Halide::Target& target) {
  const Halide::Target aot = target.without_feature(Halide::Target::JIT);
  load_runtime(aot);
  // Without Halide's argument checks and bounds queries: the executor passes dense buffers of
  // exactly the shapes the arguments declare (made from the graph's types, which Executor::run
  // checks for the inputs), and the checks were about 40% of the compile time (LLVM's).
  const Halide::Target unchecked = aot.with_feature(Halide::Target::NoRuntime)
                                       .with_feature(Halide::Target::NoAsserts)
                                       .with_feature(Halide::Target::NoBoundsQuery);
  Digest d;
  d.add(key);
  d.add(code_identity());
  d.add(unchecked.to_string());
  void* library = load(d.hex(), RTLD_LOCAL, [&](const std::string& object) {
    pipeline.compile_to_object(object, args, kEntryName, unchecked);
  });
  void* entry = dlsym(library, (std::string(kEntryName) + "_argv").c_str());
  TPUC_INTERNAL_ASSERT(entry != nullptr,
                       std::string("a host kernel has no entry point: ") + kEntryName + "_argv");
  return reinterpret_cast<KernelEntry>(entry);
}

}  // namespace tpuc::host
