// The zoo's summary as one self-contained HTML page (zoo.html beside zoo.json): a table of every
// model — status, stage times, cosine and accuracy against float, simulated latency, MAC
// utilization, weights, host layers, the first failing layer and the reason — sortable by column.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace tpuc {

std::string zoo_page(const nlohmann::ordered_json& summary);

}  // namespace tpuc
