// One command in the chip's own encoding: a form (forms.h) and a value for each of its fields,
// set and read by the field's name, encoded to and decoded from the form's bytes. Bit i of a
// command is bit i % 8 of byte i / 8 (little-endian, as the chip and tpu-mlir's ctypes read it).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chip/bm1684x/isa/forms.h"

namespace tpuc::bm1684x::isa {

class Command {
 public:
  // Every field 0.
  explicit Command(const Form& form);

  const Form& form() const { return *form_; }
  Engine engine() const { return form_->engine; }

  bool has(std::string_view field) const { return form_->index_of(field).has_value(); }
  // An unknown field name, or a value wider than the field, is an Error naming the form, the field
  // and (for a value) its width.
  Command& set(std::string_view field, uint64_t value);
  uint64_t get(std::string_view field) const;

  // The values in the order of form().fields.
  const std::vector<uint64_t>& values() const { return values_; }
  void set_value(size_t index, uint64_t value);

  // form().bytes() bytes.
  std::string encode() const;
  // From the first form.bytes() bytes of `bytes` (an InternalError if there are fewer: callers
  // check lengths, as the stream decoder does, to name the place in their error).
  static Command decode(const Form& form, std::string_view bytes);

  bool operator==(const Command& other) const {
    return form_ == other.form_ && values_ == other.values_;
  }
  bool operator!=(const Command& other) const { return !(*this == other); }

 private:
  size_t index(std::string_view field) const;

  const Form* form_;
  std::vector<uint64_t> values_;
};

// Bits [lo, hi) of `bytes` (hi - lo at most 64, hi at most 8 * bytes.size()), for reading a
// command's head before its form is known.
uint64_t read_bits(std::string_view bytes, unsigned lo, unsigned hi);

}  // namespace tpuc::bm1684x::isa
