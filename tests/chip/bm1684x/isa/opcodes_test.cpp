// The names of commands and tasks, as tpu-mlir's opdef.py gives them, and the forms they take.
#include "chip/bm1684x/isa/opcodes.h"

#include <gtest/gtest.h>

#include <set>

#include "chip/bm1684x/isa/stream.h"

using namespace tpuc::bm1684x::isa;

TEST(IsaNames, CommandsAreNamedAsTpuMlirNamesThem) {
  Command add(form_named("sAR"));
  add.set("tsk_typ", 3).set("tsk_eu_typ", 2);
  EXPECT_EQ(command_name(add), "arith.add");
  Command conv(form_named("CONV"));
  EXPECT_EQ(command_name(conv), "conv.normal");
  Command rq(form_named("sRQ&sDQ"));
  rq.set("tsk_typ", 4).set("tsk_eu_typ", 1);
  EXPECT_EQ(command_name(rq), "quant.rq1");
  EXPECT_EQ(command_name(end_command(Engine::kTiu, 1)), "sys.end");
  EXPECT_EQ(command_name(end_command(Engine::kGdma, 1)), "dma.sys");
  Command broadcast(form_named("DMA_tensor"));
  broadcast.set("cmd_special_function", 3);
  EXPECT_EQ(command_name(broadcast), "dma.tensor.broadcast");
  Command lar(form_named("LAR"));
  lar.set("tsk_typ", 7).set("tsk_eu_typ", 4);
  EXPECT_EQ(command_name(lar), "lar.4");
  // A pair no table names: the form and the subtype.
  Command seg(form_named("sSEG"));
  seg.set("tsk_typ", 8).set("tsk_eu_typ", 3);
  EXPECT_EQ(command_name(seg), "sSEG.3");
}

TEST(IsaNames, TaskNamesByCode) {
  EXPECT_EQ(task_name(Engine::kTiu, 2), "MM");
  EXPECT_EQ(find_task(Engine::kTiu, 2, 5)->name, "MM2");
  EXPECT_EQ(find_task(Engine::kTiu, 6, 18)->name, "SGL");
  EXPECT_EQ(task_name(Engine::kTiu, 15), "SYS");
  EXPECT_EQ(task_name(Engine::kTiu, 8), "");
  EXPECT_EQ(task_name(Engine::kGdma, 0), "DMA_tensor");
  EXPECT_EQ(find_task(Engine::kTiu, 3, 17), nullptr);
}

// Every task names forms of its own engine; every form but SEG's is some task's.
TEST(IsaForms, EveryTaskTakesExistingFormsOfItsEngine) {
  std::set<std::string_view> reached;
  for (Engine engine : {Engine::kTiu, Engine::kGdma}) {
    for (const Task& task : tasks(engine)) {
      EXPECT_EQ(task.engine, engine) << task.name;
      EXPECT_FALSE(task.subtypes.empty()) << task.name;
      for (std::string_view name : {task.long_form, task.short_form}) {
        if (name.empty()) continue;
        const Form* form = find_form(name);
        ASSERT_NE(form, nullptr) << task.name << " " << name;
        EXPECT_EQ(form->engine, engine) << name;
        reached.insert(name);
      }
    }
  }
  for (const Form& form : all_forms())
    EXPECT_EQ(reached.count(form.name), form.name.find("SEG") == form.name.npos) << form.name;
}
