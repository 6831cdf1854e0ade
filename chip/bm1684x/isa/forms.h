// The BM1684X's own command formats as data: one table per command form (its name, width, engine
// and fields, each with its bit range in the chip's own names, and the public file the layout was
// read from). The encoder and the decoder (command.h) both walk these tables, so a field is
// written down once. docs/isa.md, "The real command formats", lists the forms and their sources.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpuc::bm1684x::isa {

// The two engines, each with its own command stream: the TIU computes (tpu-mlir calls it BDC), the
// GDMA moves data.
enum class Engine { kTiu, kGdma };
std::string_view engine_name(Engine engine);  // "TIU", "GDMA"

// Bits [lo, hi) of a command, counted little-endian: bit i is bit i % 8 of byte i / 8.
struct Field {
  std::string_view name;
  unsigned lo = 0;
  unsigned hi = 0;

  unsigned width() const { return hi - lo; }
  uint64_t max_value() const { return width() >= 64 ? ~uint64_t{0} : (uint64_t{1} << width()) - 1; }
};

struct Form {
  std::string_view name;  // the chip's sheet name: "sAR", "RQ&DQ", "DMA_tensor", "SYSID"
  unsigned bits = 0;
  Engine engine = Engine::kTiu;
  std::vector<Field> fields;  // in bit order; they tile [0, bits)
  std::string_view source;    // the public file (and class) the layout was read from

  size_t bytes() const { return bits / 8; }
  // The position of the field in `fields`, none for a name the form does not have.
  std::optional<size_t> index_of(std::string_view field) const;
};

// Every form of both engines: the TIU's long forms (1024 bits), its short forms, SYSID and LAR,
// then the GDMA's long (768 bits) and short forms.
const std::vector<Form>& all_forms();
const Form* find_form(std::string_view name);
// As find_form; an unknown name is an Error listing the known ones.
const Form& form_named(std::string_view name);

// What is wrong with a form's field list (a gap, an overlap, a field past the width, two fields
// of one name), or "" when its fields tile [0, bits) exactly.
std::string tiling_problem(const Form& form);

}  // namespace tpuc::bm1684x::isa
