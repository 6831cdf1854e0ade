// How tiu_forms.cpp and gdma_forms.cpp write the form tables: a form is a sequence of runs of
// fields, so that a part several forms share (the TIU head, the GDMA head, the long TIU body) is
// written once. forms.cpp joins the runs into each Form's field list.
#pragma once
#include <initializer_list>

#include "chip/bm1684x/isa/forms.h"

namespace tpuc::bm1684x::isa::tables {

struct FieldRun {
  const Field* first = nullptr;
  size_t count = 0;
};

template <size_t N>
constexpr FieldRun run(const Field (&fields)[N]) {
  return {fields, N};
}

// The form whose fields are the runs' fields, in order.
Form assemble(std::string_view name, unsigned bits, Engine engine, std::string_view source,
              std::initializer_list<FieldRun> runs);

std::vector<Form> tiu_forms();
std::vector<Form> gdma_forms();

}  // namespace tpuc::bm1684x::isa::tables
