#include "chip/bm1684x/isa/stream.h"

#include "ir/diagnostics.h"

namespace tpuc::bm1684x::isa {

namespace {

// The END commands' codes: SYS (15) END (31) on the TIU, sDMA_sys (6) function 0 on the GDMA.
struct EndCodes {
  std::string_view form;
  unsigned type;
  unsigned subtype;
};
constexpr EndCodes kTiuEnd = {"SYSID", 15, 31};
constexpr EndCodes kGdmaEnd = {"sDMA_sys", 6, 0};

const EndCodes& end_codes(Engine engine) {
  if (engine == Engine::kTiu) return kTiuEnd;
  return kGdmaEnd;
}

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

bool all_zero(std::string_view bytes) { return bytes.find_first_not_of('\0') == bytes.npos; }

std::string type_name(Engine engine) {
  if (engine == Engine::kTiu) return "tsk_typ";
  return "cmd_type";
}

std::string subtype_name(Engine engine) {
  if (engine == Engine::kTiu) return "tsk_eu_typ";
  return "cmd_special_function";
}

// The form of a known task for this cmd_short, or why there is none.
Identified form_of(const Task& task, unsigned short_bit) {
  const std::string_view form = short_bit ? task.short_form : task.long_form;
  if (form.empty())
    return {nullptr, &task,
            std::string(task.name) + " has no " + (short_bit ? "short" : "long") +
                " form (cmd_short " + std::to_string(short_bit) + ")"};
  return {&form_named(form), &task, ""};
}

// After END at `end`: only zero bytes, up to the next multiple of 128.
void check_padding(std::string_view bytes, size_t end, const std::string& place) {
  const size_t nonzero = bytes.find_first_not_of('\0', end);
  if (nonzero != bytes.npos)
    throw Error(place + "nonzero byte at byte " + std::to_string(nonzero) +
                " after END: only zero padding may follow it");
  const size_t padded = round_up(end, kStreamAlignment);
  if (bytes.size() != padded)
    throw Error(place + "END ends at byte " + std::to_string(end) + ", so the stream is " +
                std::to_string(padded) + " bytes with its padding to a multiple of " +
                std::to_string(kStreamAlignment) + ", not " + std::to_string(bytes.size()));
}

}  // namespace

const Head& head(Engine engine) {
  static const Head tiu = {{"cmd_short", 0, 1}, {"tsk_typ", 41, 45}, {"tsk_eu_typ", 45, 50}};
  static const Head gdma = {
      {"cmd_short", 3, 4}, {"cmd_type", 32, 36}, {"cmd_special_function", 36, 39}};
  if (engine == Engine::kTiu) return tiu;
  return gdma;
}

Identified identify(Engine engine, std::string_view bytes) {
  const Head& h = head(engine);
  if (bytes.size() * 8 < h.subtype.hi)
    return {nullptr, nullptr,
            "truncated command: " + std::to_string(bytes.size()) + " bytes left, too few for " +
                std::string(engine_name(engine)) + " command's head"};
  const auto type = static_cast<unsigned>(read_bits(bytes, h.type.lo, h.type.hi));
  const auto subtype = static_cast<unsigned>(read_bits(bytes, h.subtype.lo, h.subtype.hi));
  const auto short_bit = static_cast<unsigned>(read_bits(bytes, h.short_bit.lo, h.short_bit.hi));
  if (task_name(engine, type).empty())
    return {nullptr, nullptr, "unknown " + type_name(engine) + " " + std::to_string(type)};
  const Task* task = find_task(engine, type, subtype);
  if (!task)
    return {nullptr, nullptr,
            "unknown " + subtype_name(engine) + " " + std::to_string(subtype) + " for " +
                type_name(engine) + " " + std::to_string(type) + " (" +
                std::string(task_name(engine, type)) + ")"};
  return form_of(*task, short_bit);
}

Command end_command(Engine engine, uint64_t cmd_id) {
  const EndCodes& end = end_codes(engine);
  Command command(form_named(end.form));
  command.set("cmd_id", cmd_id);
  command.set(type_name(engine), end.type);
  command.set(subtype_name(engine), end.subtype);
  // tpu-mlir's GDMA END is a short command with cmd_id_en 1; its TIU END leaves both 0 (SYSID's
  // bit 0 is reserved).
  if (engine == Engine::kGdma) {
    command.set("cmd_short", 1);
    command.set("cmd_id_en", 1);
  }
  return command;
}

bool is_end(const Command& command) {
  const EndCodes& end = end_codes(command.engine());
  return command.form().name == end.form && command.get(type_name(command.engine())) == end.type &&
         command.get(subtype_name(command.engine())) == end.subtype;
}

std::string encode_stream(Engine engine, const std::vector<Command>& commands) {
  std::string bytes;
  for (size_t i = 0; i < commands.size(); ++i) {
    const Command& c = commands[i];
    const std::string place = std::string(engine_name(engine)) + " stream: command " +
                              std::to_string(i + 1) + " (" + std::string(c.form().name) + "): ";
    if (c.engine() != engine)
      throw Error(place + "a " + std::string(engine_name(c.engine())) + " command");
    if (!c.has("cmd_id")) throw Error(place + "the form has no cmd_id to number it by");
    if (c.get("cmd_id") != i + 1)
      throw Error(place + "cmd_id " + std::to_string(c.get("cmd_id")) + ", expected " +
                  std::to_string(i + 1) + " (commands count 1, 2, 3, ...)");
    if (is_end(c)) throw Error(place + "an END command: encode_stream appends the END itself");
    const std::string encoded = c.encode();
    const Identified id = identify(engine, encoded);
    if (id.form != &c.form())
      throw Error(place + "its head names " +
                  (id.form ? "form " + std::string(id.form->name) : id.problem) +
                  ", so it would not decode as itself");
    bytes += encoded;
  }
  bytes += end_command(engine, commands.size() + 1).encode();
  bytes.resize(round_up(bytes.size(), kStreamAlignment), '\0');
  return bytes;
}

std::vector<Command> decode_stream(Engine engine, std::string_view bytes, std::string_view where) {
  std::vector<Command> commands;
  size_t offset = 0;
  for (;;) {
    const size_t index = commands.size() + 1;
    const std::string place = std::string(where) + ": command " + std::to_string(index) +
                              " at byte " + std::to_string(offset) + ": ";
    const std::string_view rest = bytes.substr(offset);
    if (rest.empty() || all_zero(rest))
      throw Error(place + "missing END: the stream ends after " + std::to_string(index - 1) +
                  " commands" + (rest.empty() ? "" : " and zero bytes"));
    const Identified id = identify(engine, rest);
    if (!id.form) throw Error(place + id.problem);
    if (rest.size() < id.form->bytes())
      throw Error(place + "truncated " + std::string(id.form->name) + " command: it is " +
                  std::to_string(id.form->bytes()) + " bytes, " + std::to_string(rest.size()) +
                  " are left");
    Command command = Command::decode(*id.form, rest);
    if (!command.has("cmd_id"))
      throw Error(place + std::string(id.form->name) +
                  " has no cmd_id, so a stream cannot hold it");
    if (command.get("cmd_id") != index)
      throw Error(place + "cmd_id " + std::to_string(command.get("cmd_id")) + ", expected " +
                  std::to_string(index) + " (commands count 1, 2, 3, ...)");
    offset += id.form->bytes();
    const bool end = is_end(command);
    commands.push_back(std::move(command));
    if (end) {
      check_padding(bytes, offset, place);
      return commands;
    }
  }
}

}  // namespace tpuc::bm1684x::isa
