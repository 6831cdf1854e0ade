// The tables of opcodes.h, read from tpu-mlir's python/debugger/target_1684x/opdef.py
// (sophgo/tpu-mlir 5eba2a0e; LSy3011/tpu-mlir d31e5ab4): each TiuCmd/DmaCmd class gives its
// opcode (tsk_typ or cmd_type), its eu_type or sp_fun names and whether it is the short form; the
// decoder there identifies a command by (cmd_short, opcode, subtype) as the tables here do.
#include "chip/bm1684x/isa/opcodes.h"

namespace tpuc::bm1684x::isa {

namespace {

struct TaskRow {
  Engine engine;
  unsigned code;  // tsk_typ, or cmd_type
  std::string_view name;
  std::string_view long_form;
  std::string_view short_form;
};

constexpr Engine kTiu = Engine::kTiu;
constexpr Engine kGdma = Engine::kGdma;

// SYS and LAR name the same form for both values of bit 0. The SEG forms (regdef.py SEG_reg,
// sSEG_reg) have no opdef.py class, so no tsk_typ: no task takes them and the decoder never yields
// them. The GDMA sys command has only a short form, tensor, cw_transpose, gather and scatter only a
// long one.
constexpr TaskRow kTasks[] = {
    {kTiu, 0, "CONV", "CONV", "sCONV"},
    {kTiu, 1, "PorD", "PorD", "sPorD"},
    {kTiu, 2, "MM", "MM", "sMM"},
    {kTiu, 2, "MM2", "MM2", "sMM2"},
    {kTiu, 3, "AR", "AR", "sAR"},
    {kTiu, 4, "RQ&DQ", "RQ&DQ", "sRQ&sDQ"},
    {kTiu, 5, "TRANS&BC", "TRANS&BC", "sTRANS&sBC"},
    {kTiu, 6, "SG", "SG", "sSG"},
    {kTiu, 6, "SGL", "SGL", "sSGL"},
    {kTiu, 7, "LAR", "LAR", "LAR"},
    {kTiu, 9, "SFU", "SFU", "sSFU"},
    {kTiu, 10, "LIN", "LIN", "sLIN"},
    {kTiu, 13, "CMP", "CMP", "sCMP"},
    {kTiu, 14, "VC", "VC", "sVC"},
    {kTiu, 15, "SYS", "SYSID", "SYSID"},
    {kGdma, 0, "DMA_tensor", "DMA_tensor", ""},
    {kGdma, 1, "DMA_matrix", "DMA_matrix", "sDMA_matrix"},
    {kGdma, 2, "DMA_masked_select", "DMA_masked_select", "sDMA_masked_select"},
    {kGdma, 3, "DMA_general", "DMA_general", "sDMA_general"},
    {kGdma, 4, "DMA_cw_transpose", "DMA_cw_transpose", ""},
    {kGdma, 5, "DMA_nonzero", "DMA_nonzero", "sDMA_nonzero"},
    {kGdma, 6, "sDMA_sys", "", "sDMA_sys"},
    {kGdma, 7, "DMA_gather", "DMA_gather", ""},
    {kGdma, 8, "DMA_scatter", "DMA_scatter", ""},
};

struct SubtypeRow {
  std::string_view task;
  unsigned code;  // tsk_eu_typ, or cmd_special_function
  std::string_view name;
};

// Where opdef.py gives a GDMA class no sp_fun, it names the command by op_name (special function
// 0). LAR's subtypes have no names there (its eu_type is range(31)): task_subtypes numbers them.
constexpr SubtypeRow kSubtypes[] = {
    {"CONV", 0, "conv.normal"},
    {"CONV", 1, "conv.wrq"},
    {"CONV", 2, "conv.wrqrelu"},
    {"PorD", 0, "pord.depthwise"},
    {"PorD", 1, "pord.avgpooling"},
    {"PorD", 2, "pord.depthwiserelu"},
    {"PorD", 4, "pord.maxpooling"},
    {"PorD", 5, "pord.roiDepthwise"},
    {"PorD", 6, "pord.roiavgpooling"},
    {"PorD", 7, "pord.roimaxpooling"},
    {"MM", 1, "mm.normal"},
    {"MM", 2, "mm.wrq"},
    {"MM", 3, "mm.wrqrelu"},
    {"MM2", 4, "mm2.nn"},
    {"MM2", 5, "mm2.nt"},
    {"MM2", 6, "mm2.tt"},
    {"AR", 0, "arith.mul"},
    {"AR", 1, "arith.not"},
    {"AR", 2, "arith.add"},
    {"AR", 3, "arith.sub"},
    {"AR", 4, "arith.max"},
    {"AR", 5, "arith.min"},
    {"AR", 6, "arith.logicShift"},
    {"AR", 7, "arith.and"},
    {"AR", 8, "arith.or"},
    {"AR", 9, "arith.xor"},
    {"AR", 10, "arith.selectGreat"},
    {"AR", 11, "arith.selectEqual"},
    {"AR", 12, "arith.div"},
    {"AR", 13, "arith.selectLess"},
    {"AR", 14, "arith.cast"},
    {"AR", 15, "arith.adds"},
    {"AR", 16, "arith.subs"},
    {"AR", 18, "arith.mac"},
    {"AR", 19, "arith.copy"},
    {"AR", 20, "arith.muls"},
    {"AR", 21, "arith.ashift"},
    {"AR", 22, "arith.cshift"},
    {"AR", 23, "arith.mulDHR"},
    {"AR", 24, "arith.euIdxGen"},
    {"AR", 25, "arith.npuIdxGen"},
    {"AR", 26, "arith.abs"},
    {"AR", 27, "arith.fsubabs"},
    {"AR", 28, "arith.copyMb"},
    {"AR", 29, "arith.getFirstOne"},
    {"AR", 30, "arith.getFirstZero"},
    {"RQ&DQ", 0, "quant.rq0"},
    {"RQ&DQ", 1, "quant.rq1"},
    {"RQ&DQ", 2, "quant.rq2"},
    {"RQ&DQ", 3, "quant.dq0"},
    {"RQ&DQ", 4, "quant.dq1"},
    {"RQ&DQ", 5, "quant.dq2"},
    {"TRANS&BC", 0, "tsbc.cw_ts"},
    {"TRANS&BC", 1, "tsbc.wc_ts"},
    {"TRANS&BC", 2, "tsbc.l_copy"},
    {"TRANS&BC", 3, "tsbc.l_bc"},
    {"TRANS&BC", 4, "tsbc.s_bc"},
    {"TRANS&BC", 5, "tsbc.s_distribute"},
    {"SG", 0, "sg.pl_gather_d1coor"},
    {"SG", 1, "sg.pl_gather_d2coor"},
    {"SG", 2, "sg.pl_gather_rec"},
    {"SG", 3, "sg.pl_scatter_d1coor"},
    {"SG", 4, "sg.pl_scatter_d2coor"},
    {"SG", 5, "sg.pe_s_gather_d1coor"},
    {"SG", 6, "sg.pe_s_scatter_d1coor"},
    {"SG", 7, "sg.pe_m_gather_d1coor"},
    {"SG", 8, "sg.pe_s_mask_select"},
    {"SG", 9, "sg.pe_s_nonzero"},
    {"SG", 10, "sg.pe_s_scatter_pp_d1coor"},
    {"SG", 11, "sg.pl_gather_perw"},
    {"SG", 12, "sg.pl_scatter_perw"},
    {"SG", 13, "sg.pe_s_gather_hzd"},
    {"SG", 14, "sg.pe_s_scatter_hzd"},
    {"SG", 15, "sg.pe_s_mask_selhzd"},
    {"SG", 16, "sg.pe_s_nonzero_hzd"},
    {"SGL", 17, "sgl.pe_s_gather_line"},
    {"SGL", 18, "sgl.pe_s_scatter_line"},
    {"SFU", 12, "sfu.taylor_4x"},
    {"SFU", 13, "sfu.taylor"},
    {"SFU", 15, "sfu.normalize"},
    {"SFU", 17, "sfu.rsqrt"},
    {"LIN", 1, "lin.mac"},
    {"LIN", 20, "lin.square_sum"},
    {"LIN", 21, "lin.square_diff"},
    {"CMP", 22, "cmp.gt_and_sel"},
    {"CMP", 23, "cmp.sel_gt"},
    {"CMP", 24, "cmp.sel_eq"},
    {"CMP", 25, "cmp.lt_and_sel"},
    {"CMP", 26, "cmp.sel_lt"},
    {"VC", 0, "vc.mul"},
    {"VC", 2, "vc.add"},
    {"VC", 3, "vc.sub"},
    {"VC", 4, "vc.max"},
    {"VC", 5, "vc.min"},
    {"VC", 7, "vc.and"},
    {"VC", 8, "vc.or"},
    {"VC", 9, "vc.xor"},
    {"VC", 10, "vc.select_gt"},
    {"VC", 11, "vc.select_eq"},
    {"VC", 12, "vc.div"},
    {"VC", 13, "vc.select_lt"},
    {"VC", 15, "vc.add_satu"},
    {"VC", 16, "vc.sub_satu"},
    {"VC", 20, "vc.mul_satu"},
    {"VC", 23, "vc.mulDHR"},
    {"SYS", 0, "sys.intr_barrier"},
    {"SYS", 1, "sys.spb"},
    {"SYS", 2, "sys.swr"},
    {"SYS", 3, "sys.swr_from_lmem"},
    {"SYS", 4, "sys.swr_collect_from_lmem"},
    {"SYS", 5, "sys.data_barrier"},
    {"SYS", 30, "sys.nop"},
    {"SYS", 31, "sys.end"},
    {"DMA_tensor", 0, "dma.tensor"},
    {"DMA_tensor", 1, "dma.tensor.transpose"},
    {"DMA_tensor", 2, "dma.tensor.collect"},
    {"DMA_tensor", 3, "dma.tensor.broadcast"},
    {"DMA_tensor", 4, "dma.tensor.distribute"},
    {"DMA_tensor", 5, "dma.tensor.4bank_copy"},
    {"DMA_tensor", 6, "dma.tensor.4bank_broadcast"},
    {"DMA_matrix", 0, "dma.matrix"},
    {"DMA_matrix", 1, "dma.matrix.transpose"},
    {"DMA_masked_select", 0, "dma.masked_select"},
    {"DMA_general", 0, "dma.general"},
    {"DMA_general", 1, "dma.general.broadcast"},
    {"DMA_cw_transpose", 0, "dma.cw_transpose"},
    {"DMA_nonzero", 0, "dma.nonzero"},
    {"sDMA_sys", 0, "dma.sys"},
    {"sDMA_sys", 1, "dma.sys.nop"},
    {"DMA_gather", 0, "gdma.gather"},
    {"DMA_scatter", 0, "gdma.scatter"},
};

// The subtypes of a task, from kSubtypes (LAR's numbered).
std::vector<Subtype> task_subtypes(std::string_view task) {
  std::vector<Subtype> subtypes;
  for (const SubtypeRow& row : kSubtypes)
    if (row.task == task) subtypes.push_back({row.code, std::string(row.name)});
  if (task == "LAR")
    for (unsigned code = 0; code < 31; ++code)
      subtypes.push_back({code, "lar." + std::to_string(code)});
  return subtypes;
}

std::vector<Task> engine_tasks(Engine engine) {
  std::vector<Task> tasks;
  for (const TaskRow& row : kTasks)
    if (row.engine == engine)
      tasks.push_back(
          {engine, row.code, row.name, row.long_form, row.short_form, task_subtypes(row.name)});
  return tasks;
}

}  // namespace

const Subtype* Task::subtype(unsigned code) const {
  for (const Subtype& s : subtypes)
    if (s.code == code) return &s;
  return nullptr;
}

const std::vector<Task>& tasks(Engine engine) {
  static const std::vector<Task> tiu = engine_tasks(Engine::kTiu);
  static const std::vector<Task> gdma = engine_tasks(Engine::kGdma);
  if (engine == Engine::kTiu) return tiu;
  return gdma;
}

const Task* find_task(Engine engine, unsigned code, unsigned subtype) {
  for (const Task& t : tasks(engine))
    if (t.code == code && t.subtype(subtype)) return &t;
  return nullptr;
}

std::string_view task_name(Engine engine, unsigned code) {
  for (const Task& t : tasks(engine))
    if (t.code == code) return t.name;
  return "";
}

std::string command_name(const Command& command) {
  const bool tiu = command.engine() == Engine::kTiu;
  const auto code = static_cast<unsigned>(command.get(tiu ? "tsk_typ" : "cmd_type"));
  const auto sub = static_cast<unsigned>(command.get(tiu ? "tsk_eu_typ" : "cmd_special_function"));
  if (const Task* task = find_task(command.engine(), code, sub)) return task->subtype(sub)->name;
  return std::string(command.form().name) + "." + std::to_string(sub);
}

}  // namespace tpuc::bm1684x::isa
