#include "ir/npz.h"

#include <zip.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc {

namespace {

// NumPy's descr for each dtype tpuc can exchange. bf16 has no NumPy dtype.
struct NpyType {
  DType dtype;
  const char* descr;
};
constexpr std::array<NpyType, 12> kNpyTypes = {{
    {DType::F32, "<f4"},
    {DType::F16, "<f2"},
    {DType::I8, "|i1"},
    {DType::U8, "|u1"},
    {DType::I16, "<i2"},
    {DType::I32, "<i4"},
    {DType::I64, "<i8"},
    {DType::Bool, "|b1"},
    {DType::F64, "<f8"},
    {DType::U16, "<u2"},
    {DType::U32, "<u4"},
    {DType::U64, "<u8"},
}};

const char* descr_of(DType t, const std::string& where) {
  for (const NpyType& n : kNpyTypes)
    if (n.dtype == t) return n.descr;
  throw Error(where + ": dtype " + name(t) + " has no NumPy equivalent");
}

constexpr char kMagic[] = "\x93NUMPY";
constexpr time_t kFixedMtime = 1577836800;  // 2020-01-01: fixed so .npz bytes are reproducible

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

}  // namespace

std::string npy_bytes(const Tensor& t) {
  std::string shape = "(";
  for (int64_t d : t.type.shape) shape += std::to_string(d) + ", ";
  if (t.type.shape.size() > 1) shape.resize(shape.size() - 2);
  if (t.type.shape.size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + descr_of(t.type.dtype, "npy") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
  return out;
}

Tensor parse_npy(const std::string& bytes, const std::string& where) {
  auto bad = [&where](const std::string& why) -> Error {
    return Error(where + ": not a valid .npy: " + why);
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw bad("missing the \\x93NUMPY magic");
  const int major = uint8_t(bytes[6]);
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3) throw bad("unsupported version " + std::to_string(major));
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
  const size_t data_start = 8 + len_bytes + header_len;
  if (bytes.size() < data_start) throw bad("truncated header");
  const std::string header = bytes.substr(8 + len_bytes, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']*)'")))
    throw bad("no 'descr' in the header");
  const std::string descr = m[1];
  std::optional<DType> dtype;
  for (const NpyType& n : kNpyTypes)
    if (descr == n.descr ||
        (descr.size() == 3 && descr[0] == '=' && descr.substr(1) == std::string(n.descr).substr(1)))
      dtype = n.dtype;
  if (!dtype) throw bad("unsupported dtype '" + descr + "'");
  if (std::regex_search(header, std::regex("'fortran_order':\\s*True")))
    throw bad("Fortran order is not supported");
  if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")))
    throw bad("no 'shape' in the header");
  TensorType type{*dtype, {}, std::nullopt};
  const std::string dims = m[1];
  const std::regex number("\\d+");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it)
    type.shape.push_back(std::stoll(it->str()));
  Tensor t(type);
  if (bytes.size() - data_start != t.data.size())
    throw bad("holds " + std::to_string(bytes.size() - data_start) + " data bytes, shape " +
              to_string(type.shape) + " needs " + std::to_string(t.data.size()));
  std::copy(bytes.begin() + std::ptrdiff_t(data_start), bytes.end(), t.data.begin());
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

void write_npy(const std::string& path, const Tensor& t) { write_file_atomic(path, npy_bytes(t)); }

TensorMap read_tensors(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.extension() == ".npy") return {{p.stem().string(), read_npy(path)}};
  if (!std::filesystem::exists(p)) throw Error(path + ": cannot open file");
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!archive) throw Error(path + ": not a valid .npz (zip) file");
  TensorMap tensors;
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive.get(), zip_uint64_t(i), 0, &st) != 0)
      throw Error(path + ": unreadable zip entry");
    std::string member = st.name;
    const std::string where = path + "[" + member + "]";
    zip_file_t* f = zip_fopen_index(archive.get(), zip_uint64_t(i), 0);
    if (!f) throw Error(where + ": cannot open member");
    std::string bytes(st.size, '\0');
    const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
    zip_fclose(f);
    if (got != zip_int64_t(st.size)) throw Error(where + ": truncated member");
    if (member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0)
      member.resize(member.size() - 4);
    tensors[member] = parse_npy(bytes, where);
  }
  return tensors;
}

void write_npz(const std::string& path, const TensorMap& tensors) {
  const std::string temp = path + ".tmp";
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(
      zip_open(temp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err));
  if (!archive) throw Error(path + ": cannot write file");
  std::vector<std::string> buffers;  // libzip reads them at zip_close
  buffers.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    buffers.push_back(npy_bytes(tensor));
    zip_source_t* src =
        zip_source_buffer(archive.get(), buffers.back().data(), buffers.back().size(), 0);
    const zip_int64_t index =
        src ? zip_file_add(archive.get(), (name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (src) zip_source_free(src);
      throw Error(path + ": cannot add member '" + name + "'");
    }
    zip_set_file_compression(archive.get(), zip_uint64_t(index), ZIP_CM_STORE, 0);
    zip_file_set_mtime(archive.get(), zip_uint64_t(index), kFixedMtime, 0);
  }
  if (zip_close(archive.get()) != 0) {
    std::remove(temp.c_str());
    throw Error(path + ": cannot write file");
  }
  archive.release();
  std::filesystem::rename(temp, target);
}

}  // namespace tpuc
