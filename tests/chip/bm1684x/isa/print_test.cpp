// Printing: a command as one line of name=value in table order, and as JSON.
#include "chip/bm1684x/isa/print.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/isa/stream.h"

using namespace tpuc::bm1684x::isa;

TEST(IsaPrint, TextListsEveryFieldInTableOrder) {
  EXPECT_EQ(to_text(end_command(Engine::kTiu, 430)),
            "sys.end SYSID rsvd0=0 cmd_id=430 cmd_id_dep=0 tsk_typ=15 tsk_eu_typ=31 rsvd1=0 "
            "cmd_id_en=0 pwr_step=0 intr_en=0 cmd_id_eng1=0 cmd_id_eng2=0 cmd_id_eng3=0 rsvd3=0");
}

TEST(IsaPrint, JsonListsEveryFieldInTableOrder) {
  const nlohmann::ordered_json json = to_json(end_command(Engine::kGdma, 142));
  EXPECT_EQ(json.dump(),
            R"({"name":"dma.sys","form":"sDMA_sys","engine":"GDMA","cmd":{"intr_en":0,)"
            R"("stride_enable":0,"nchw_copy":0,"cmd_short":1,"decompress_enable":0,"cmd_id_en":1,)"
            R"("cmd_id":142,"Reserved":0,"cmd_type":6,"cmd_special_function":0,)"
            R"("fill_constant_en":0,"src_data_format":0,"reserved0":0,"cmd_id_dep":0,)"
            R"("reserved1":0,"constant_value":0}})");
  // Every field of a long form is there, in order.
  const Command conv(form_named("CONV"));
  const nlohmann::ordered_json fields = to_json(conv)["cmd"];
  ASSERT_EQ(fields.size(), conv.form().fields.size());
  size_t i = 0;
  for (const auto& item : fields.items()) EXPECT_EQ(item.key(), conv.form().fields[i++].name);
}
