#include "chip/bm1684x/isa/command.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace tpuc::bm1684x::isa {

namespace {

uint64_t low_bits(unsigned count) {
  return count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
}

// ORs `value` into bits [lo, lo + width) of `bytes`, a byte at a time.
void write_bits(std::string& bytes, unsigned lo, unsigned width, uint64_t value) {
  unsigned bit = lo;
  unsigned left = width;
  while (left > 0) {
    const unsigned shift = bit % 8;
    const unsigned count = std::min(8 - shift, left);
    const auto piece = static_cast<unsigned char>((value & low_bits(count)) << shift);
    bytes[bit / 8] = static_cast<char>(static_cast<unsigned char>(bytes[bit / 8]) | piece);
    value >>= count;
    bit += count;
    left -= count;
  }
}

}  // namespace

uint64_t read_bits(std::string_view bytes, unsigned lo, unsigned hi) {
  TPUC_INTERNAL_ASSERT(hi > lo && hi - lo <= 64 && hi <= bytes.size() * 8,
                       "read_bits: bits [" + std::to_string(lo) + ", " + std::to_string(hi) +
                           ") of " + std::to_string(bytes.size()) + " bytes");
  uint64_t value = 0;
  unsigned bit = lo;
  unsigned done = 0;  // bits of value filled
  while (bit < hi) {
    const unsigned shift = bit % 8;
    const unsigned count = std::min(8 - shift, hi - bit);
    const uint64_t piece = (static_cast<unsigned char>(bytes[bit / 8]) >> shift) & low_bits(count);
    value |= piece << done;
    done += count;
    bit += count;
  }
  return value;
}

Command::Command(const Form& form) : form_(&form), values_(form.fields.size(), 0) {}

size_t Command::index(std::string_view field) const {
  if (const auto i = form_->index_of(field)) return *i;
  throw Error("BM1684X " + std::string(form_->name) + " command has no field '" +
              std::string(field) + "'");
}

void Command::set_value(size_t index, uint64_t value) {
  TPUC_INTERNAL_ASSERT(index < values_.size(), "field index past the form's fields");
  const Field& f = form_->fields[index];
  if (value > f.max_value())
    throw Error("BM1684X " + std::string(form_->name) + " field " + std::string(f.name) + " is " +
                std::to_string(f.width()) + " bits: " + std::to_string(value) +
                " does not fit (at most " + std::to_string(f.max_value()) + ")");
  values_[index] = value;
}

Command& Command::set(std::string_view field, uint64_t value) {
  set_value(index(field), value);
  return *this;
}

uint64_t Command::get(std::string_view field) const { return values_[index(field)]; }

std::string Command::encode() const {
  std::string bytes(form_->bytes(), '\0');
  for (size_t i = 0; i < values_.size(); ++i) {
    const Field& f = form_->fields[i];
    write_bits(bytes, f.lo, f.width(), values_[i]);
  }
  return bytes;
}

Command Command::decode(const Form& form, std::string_view bytes) {
  TPUC_INTERNAL_ASSERT(
      bytes.size() >= form.bytes(),
      "decoding " + std::string(form.name) + " from " + std::to_string(bytes.size()) + " bytes");
  Command command(form);
  for (size_t i = 0; i < form.fields.size(); ++i)
    command.values_[i] = read_bits(bytes, form.fields[i].lo, form.fields[i].hi);
  return command;
}

}  // namespace tpuc::bm1684x::isa
