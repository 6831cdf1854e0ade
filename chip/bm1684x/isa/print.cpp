#include "chip/bm1684x/isa/print.h"

#include "chip/bm1684x/isa/opcodes.h"

namespace tpuc::bm1684x::isa {

std::string to_text(const Command& command) {
  std::string line = command_name(command) + " " + std::string(command.form().name);
  const std::vector<Field>& fields = command.form().fields;
  for (size_t i = 0; i < fields.size(); ++i)
    line += " " + std::string(fields[i].name) + "=" + std::to_string(command.values()[i]);
  return line;
}

nlohmann::ordered_json to_json(const Command& command) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  const std::vector<Field>& form_fields = command.form().fields;
  for (size_t i = 0; i < form_fields.size(); ++i)
    fields[std::string(form_fields[i].name)] = command.values()[i];
  nlohmann::ordered_json json;
  json["name"] = command_name(command);
  json["form"] = command.form().name;
  json["engine"] = engine_name(command.engine());
  json["cmd"] = std::move(fields);
  return json;
}

}  // namespace tpuc::bm1684x::isa
