#include "chip/bm1684x/isa/forms.h"

#include <string>

#include "chip/bm1684x/isa/form_tables.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x::isa {

std::string_view engine_name(Engine engine) {
  if (engine == Engine::kTiu) return "TIU";
  return "GDMA";
}

std::optional<size_t> Form::index_of(std::string_view field) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return i;
  return std::nullopt;
}

std::string tiling_problem(const Form& form) {
  const std::string where = std::string(form.name) + ": ";
  if (form.bits == 0 || form.bits % 8 != 0)
    return where + "width " + std::to_string(form.bits) +
           " is not a positive whole number of bytes";
  unsigned next = 0;  // the first bit no field has covered yet
  for (size_t i = 0; i < form.fields.size(); ++i) {
    const Field& f = form.fields[i];
    const std::string field = where + "field " + std::string(f.name) + " [" + std::to_string(f.lo) +
                              ", " + std::to_string(f.hi) + ")";
    if (f.hi <= f.lo) return field + " is empty";
    if (f.width() > 64) return field + " is wider than 64 bits";
    if (f.lo < next) return field + " overlaps the field before it";
    if (f.lo > next)
      return field + " leaves bits [" + std::to_string(next) + ", " + std::to_string(f.lo) +
             ") uncovered";
    if (form.index_of(f.name) != i) return field + " repeats a name";
    next = f.hi;
  }
  if (next != form.bits)
    return where + "the fields cover " + std::to_string(next) + " bits, the form has " +
           std::to_string(form.bits);
  return "";
}

namespace tables {

Form assemble(std::string_view name, unsigned bits, Engine engine, std::string_view source,
              std::initializer_list<FieldRun> runs) {
  Form form;
  form.name = name;
  form.bits = bits;
  form.engine = engine;
  form.source = source;
  for (const FieldRun& r : runs) form.fields.insert(form.fields.end(), r.first, r.first + r.count);
  return form;
}

}  // namespace tables

namespace {

std::vector<Form> checked_forms() {
  std::vector<Form> forms = tables::tiu_forms();
  for (Form& f : tables::gdma_forms()) forms.push_back(std::move(f));
  // A table that does not tile its width is a mistake in tpuc's own tables (the tests check every
  // one too): no command could be encoded right with it.
  for (const Form& f : forms) {
    const std::string problem = tiling_problem(f);
    TPUC_INTERNAL_ASSERT(problem.empty(), problem);
  }
  return forms;
}

}  // namespace

const std::vector<Form>& all_forms() {
  static const std::vector<Form> forms = checked_forms();
  return forms;
}

const Form* find_form(std::string_view name) {
  for (const Form& f : all_forms())
    if (f.name == name) return &f;
  return nullptr;
}

const Form& form_named(std::string_view name) {
  if (const Form* form = find_form(name)) return *form;
  std::string known;
  for (const Form& f : all_forms()) known += (known.empty() ? "" : ", ") + std::string(f.name);
  throw Error("unknown BM1684X command form '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace tpuc::bm1684x::isa
