// `tpuc disasm`: every command with every field, by subnet and layer; a .bmodel tpuc did not
// write; bad files.
#include "chip/bm1684x/disasm.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ir/diagnostics.h"
#include "ir/files.h"
#include "tests/chip/bm1684x/model_samples.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::bm1684x::testing::host_layer_model;
using tpuc::testing::error_of;

namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

// Every command of a JSON listing.
std::vector<nlohmann::json> commands(const nlohmann::json& listing) {
  std::vector<nlohmann::json> all;
  for (const auto& net : listing.at("nets"))
    for (const auto& stage : net.at("stages"))
      for (const auto& subnet : stage.at("subnets"))
        if (subnet.at("mode") == "TPU")
          for (const auto& group : subnet.at("groups"))
            for (const auto& c : group.at("commands")) all.push_back(c);
  return all;
}

}  // namespace

TEST(Disasm, ListsSubnetsLayersAndEveryGdmaField) {
  const std::string path = temp("disasm.bmodel");
  write_model(path, host_layer_model());
  const std::string text = disassemble_file(path, DisasmFormat::kText);
  for (const char* part :
       {"net 'host' stage 0: 3 subnet(s)", "subnet 0 TPU group 0: 2 TIU + 3 GDMA commands",
        "layer t (Identity)", "subnet 1 CPU: host layer 'neg' (Neg), run by tpuc",
        "subnet 2 TPU group 0", "dma.tensor DMA_tensor intr_en=0", "dma.sys sDMA_sys"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  EXPECT_EQ(text, disassemble(host_layer_model()));  // the model in memory lists the same
  const nlohmann::json listing = nlohmann::json::parse(disassemble_file(path, DisasmFormat::kJson));
  EXPECT_EQ(listing.at("nets")[0].at("stages")[0].at("subnets")[1].at("host_layer").at("name"),
            "neg");
  size_t gdma = 0;
  for (const nlohmann::json& c : commands(listing)) {
    for (const char* key : {"name", "form", "engine"}) EXPECT_TRUE(c.contains(key)) << c;
    if (c.at("engine") != "GDMA") continue;
    ++gdma;
    for (const char* field : {"cmd_type", "cmd_special_function", "cmd_id", "cmd_id_dep"})
      EXPECT_TRUE(c.at("cmd").contains(field)) << field << " " << c;
  }
  EXPECT_EQ(gdma, 6u);
}

TEST(Disasm, BadFilesAreOneErrorNamingTheFile) {
  const std::string path = temp("disasm-bad.bmodel");
  write_model(path, host_layer_model());
  const std::string bytes = read_file(path);
  write_file_atomic(path + ".cut", bytes.substr(0, 100));
  const std::string cut = error_of([&] { disassemble_file(path + ".cut", DisasmFormat::kText); });
  EXPECT_EQ(cut.rfind(path + ".cut: ", 0), 0u) << cut;
  bmodel::Model b = to_model_files(host_layer_model()).bmodel;
  b.nets[0].parameters[0].sub_nets[1].cpu_params[0].param = {'[', '1'};
  bmodel::write_bmodel(path + ".cpu", b);
  const std::string cpu = error_of([&] { disassemble_file(path + ".cpu", DisasmFormat::kJson); });
  EXPECT_NE(cpu.find(path + ".cpu: net 'host' stage 0 subnet 1: the host layer's parameter block"),
            std::string::npos)
      << cpu;
  bmodel::Model garbled = to_model_files(host_layer_model()).bmodel;
  garbled.nets[0].parameters[0].sub_nets[0].cmd_groups[0].gdma_bytes[4] = 0x0F;  // cmd_type 15
  bmodel::write_bmodel(path + ".gdma", garbled);
  const std::string gdma = error_of([&] { disassemble_file(path + ".gdma", DisasmFormat::kText); });
  EXPECT_NE(gdma.find(path + ".gdma: net 'host' stage 0 subnet 0 group 0 GDMA stream"),
            std::string::npos)
      << gdma;
}

// tpu-mlir's YOLOv5s for the BM1684X (docs/model-format.md, "Check against a real file"): not
// part of the repository; the test runs when TPUC_YOLOV5S_BMODEL names a copy.
TEST(Disasm, ReadsABmodelTpucDidNotWrite) {
  const char* path = std::getenv("TPUC_YOLOV5S_BMODEL");
  if (!path || !std::filesystem::exists(path))
    GTEST_SKIP() << "set TPUC_YOLOV5S_BMODEL to yolov5s_bm1684x_int8_sym.bmodel to run this";
  const std::string text = disassemble_file(path, DisasmFormat::kText);
  EXPECT_NE(text.find("no sidecar"), std::string::npos);
  EXPECT_NE(text.find("subnet 0 TPU group 0: 430 TIU + 142 GDMA commands"), std::string::npos)
      << text.substr(0, 400);
  const std::vector<nlohmann::json> all =
      commands(nlohmann::json::parse(disassemble_file(path, DisasmFormat::kJson)));
  ASSERT_EQ(all.size(), 572u);
  size_t convs = 0;
  for (const nlohmann::json& c : all) {
    const char* id = c.at("engine") == "TIU" ? "tsk_typ" : "cmd_type";
    for (const char* field : {id, "cmd_id", "cmd_id_dep"})
      EXPECT_TRUE(c.at("cmd").contains(field)) << field << " " << c;
    convs += c.at("name") == "conv.normal";
  }
  EXPECT_EQ(convs, 68u);
  EXPECT_NE(error_of([&] { read_model(path); }).rfind(std::string(path) + ": ", 0),
            std::string::npos);
}
