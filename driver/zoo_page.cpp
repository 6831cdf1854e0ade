#include "driver/zoo_page.h"

namespace tpuc {

namespace {

// The page renders zoo.json (embedded below) in the browser, so it needs no server and the test
// can check, in a real browser, that every model reached the table.
const char* const kPage = R"page(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tpuc zoo</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th { background: #f3f3f3; cursor: pointer; }
td.name, td.reason { text-align: left; }
tr.PASS td.status { background: #d8f5d8; }
tr:not(.PASS) td.status { background: #f9d6d6; }
</style>
</head>
<body>
<h1>tpuc zoo</h1>
<p id="summary"></p>
<table id="models"><thead><tr></tr></thead><tbody></tbody></table>
<script id="zoo" type="application/json">@ZOO@</script>
<script>
const zoo = JSON.parse(document.getElementById("zoo").textContent);
const num = (v, digits, scale = 1) => (typeof v === "number" ? (v * scale).toFixed(digits) : "");
const get = (r, section, key) =>
  (r.report && r.report[section] ? r.report[section][key] : undefined);
const stages = ["import", "passes", "calibrate", "quantize", "codegen", "validate"];
const columns = [
  ["model", (name) => name, "name"],
  ["status", (name, r) => r.status + (r.skipped ? " (unchanged)" : ""), "status"],
  ["wall (s)", (name, r) => num(r.wall_s, 1)],
  ...stages.map((s) => [s + " (s)", (name, r) =>
    num(r.report && r.report.stage_ms ? r.report.stage_ms[s] : undefined, 2, 1e-3)]),
  ["cosine vs float", (name, r) => num(get(r, "validation", "cosine_mean"), 4)],
  ["float top-1 (%)", (name, r) => num(get(r, "validation", "float_accuracy"), 2)],
  ["chip top-1 (%)", (name, r) => num(get(r, "validation", "int8_chip_accuracy"), 2)],
  ["latency (ms)", (name, r) => num(get(r, "chip", "latency_us"), 3, 1e-3)],
  ["MAC util. (%)", (name, r) => num(get(r, "chip", "mac_utilization"), 1, 100)],
  ["weights (MiB)", (name, r) => num(get(r, "chip", "weight_bytes"), 2, 1 / 1048576)],
  ["host layers", (name, r) => {
    const h = get(r, "chip", "host_layers");
    return h ? String(h.length) : "";
  }],
  ["first failing layer", (name, r) => r.failing_layer || ""],
  ["reason", (name, r) => r.reason || "", "reason"],
];
const head = document.querySelector("#models thead tr");
const body = document.querySelector("#models tbody");
for (const [title] of columns)
  head.appendChild(Object.assign(document.createElement("th"), { textContent: title }));
for (const [name, r] of Object.entries(zoo)) {
  const row = body.appendChild(document.createElement("tr"));
  row.className = r.status;
  row.dataset.model = name;
  for (const [, cell, cls] of columns) {
    const td = { textContent: cell(name, r), className: cls || "" };
    row.appendChild(Object.assign(document.createElement("td"), td));
  }
}
const models = Object.values(zoo);
const passed = models.filter((r) => r.status === "PASS").length;
document.getElementById("summary").textContent =
  `${models.length} models, ${passed} passed, ${models.length - passed} not passing`;
head.querySelectorAll("th").forEach((th, k) => th.addEventListener("click", () => {
  const rows = [...body.rows];
  const key = (tr) => tr.cells[k].textContent;
  const numeric = rows.every((tr) => key(tr) === "" || !isNaN(key(tr)));
  const value = (tr) => parseFloat(key(tr)) || 0;
  rows.sort((a, b) => (numeric ? value(a) - value(b) : key(a).localeCompare(key(b))));
  rows.forEach((tr) => body.appendChild(tr));
}));
</script>
</body>
</html>
)page";

}  // namespace

std::string zoo_page(const nlohmann::ordered_json& summary) {
  std::string json = summary.dump();
  // Inside <script>, "</" would end the element early: JSON allows the slash escaped.
  for (size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3))
    json.replace(at, 2, "<\\/");
  std::string page = kPage;
  page.replace(page.find("@ZOO@"), 5, json);
  return page;
}

}  // namespace tpuc
