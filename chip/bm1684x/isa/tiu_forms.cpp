// The TIU's command forms, read from tpu-mlir's python/debugger/target_1684x/regdef.py
// (sophgo/tpu-mlir 5eba2a0e; the same file in LSy3011/tpu-mlir d31e5ab4), one ctypes class per
// form whose fields are listed with their widths in bit order from bit 0: each [lo, hi) below is
// the running sum of those widths (no field there straddles a 64-bit word, so ctypes packs them
// without gaps). Names are the chip's. Which tsk_typ/tsk_eu_typ takes which form is in
// opcodes.cpp (from opdef.py).
#include "chip/bm1684x/isa/form_tables.h"

namespace tpuc::bm1684x::isa::tables {

namespace {

// Bits [0, 50) of every TIU form but SYSID and LAR: the short bit, the ids, the task type.
constexpr Field kTiuHead[] = {{"cmd_short", 0, 1},
                              {"cmd_id", 1, 21},
                              {"cmd_id_dep", 21, 41},
                              {"tsk_typ", 41, 45},
                              {"tsk_eu_typ", 45, 50}};

// The rest of the long form (1024 bits), the same in all fourteen long forms (AR_reg, CMP_reg,
// CONV_reg, LIN_reg, MM_reg, MM2_reg, PorD_reg, RQ_DQ_reg, SEG_reg, SFU_reg, SG_reg, SGL_reg,
// TRANS_BC_reg, VC_reg): one table serves them all.
constexpr Field kTiuLongBody[] = {
    {"eu_half_en", 50, 51},     {"tsk_opd_num", 51, 53},    {"pad_mode", 53, 55},
    {"cmd_id_en", 55, 59},      {"pwr_step", 59, 63},       {"intr_en", 63, 64},
    {"res_add", 64, 65},        {"relu", 65, 66},           {"left_tran", 66, 67},
    {"rsvd1", 67, 68},          {"kernel_rotate", 68, 69},  {"opd0_sign", 69, 70},
    {"opd1_sign", 70, 71},      {"opd2_sign", 71, 72},      {"res0_prec", 72, 75},
    {"opd0_prec", 75, 78},      {"opd1_prec", 78, 81},      {"opd2_prec", 81, 84},
    {"opd0_const", 84, 85},     {"opd1_const", 85, 86},     {"opd2_const", 86, 87},
    {"res0_str", 87, 90},       {"opd0_str", 90, 93},       {"opd1_str", 93, 96},
    {"opd2_str", 96, 99},       {"res_add_sign", 99, 100},  {"rsvd2", 100, 125},
    {"rsvd3", 125, 126},        {"opd3_const", 126, 127},   {"rsvd4", 127, 128},
    {"opd0_x_ins0", 128, 132},  {"opd0_y_ins0", 132, 136},  {"opd1_x_ins0", 136, 140},
    {"opd1_y_ins0", 140, 144},  {"opd0_up_pad", 144, 148},  {"opd0_dn_pad", 148, 152},
    {"opd0_lf_pad", 152, 156},  {"opd0_rt_pad", 156, 160},  {"res_op_x_str", 160, 164},
    {"res_op_y_str", 164, 168}, {"res0_h_shift", 168, 172}, {"res0_w_shift", 172, 176},
    {"opd0_h_shift", 176, 180}, {"opd0_w_shift", 180, 184}, {"opd1_h_shift", 184, 188},
    {"opd1_w_shift", 188, 192}, {"tsk_lane_num", 192, 256}, {"res0_n", 256, 272},
    {"res0_c", 272, 288},       {"res0_h", 288, 304},       {"res0_w", 304, 320},
    {"opd0_n", 320, 336},       {"opd0_c", 336, 352},       {"opd0_h", 352, 368},
    {"opd0_w", 368, 384},       {"opd1_n", 384, 400},       {"opd1_c", 400, 416},
    {"opd1_h", 416, 432},       {"opd1_w", 432, 448},       {"res0_n_str", 448, 464},
    {"res0_c_str", 464, 480},   {"opd0_n_str", 480, 496},   {"opd0_c_str", 496, 512},
    {"opd1_n_str", 512, 528},   {"opd1_c_str", 528, 544},   {"opd2_n_str", 544, 560},
    {"opd2_c_str", 560, 576},   {"res0_addr", 576, 608},    {"opd0_addr", 608, 640},
    {"opd1_addr", 640, 672},    {"opd2_addr", 672, 704},    {"res0_h_str", 704, 736},
    {"res0_w_str", 736, 768},   {"opd0_h_str", 768, 800},   {"opd0_w_str", 800, 832},
    {"opd1_h_str", 832, 864},   {"opd1_w_str", 864, 896},   {"opd2_h_str", 896, 928},
    {"opd2_w_str", 928, 960},   {"res1_addr", 960, 992},    {"opd3_addr", 992, 1024}};

// SYSID_reg (128 bits): the SYS commands; bit 0 is reserved, not cmd_short.
constexpr Field kSysIdFields[] = {
    {"rsvd0", 0, 1},         {"cmd_id", 1, 21},        {"cmd_id_dep", 21, 41},
    {"tsk_typ", 41, 45},     {"tsk_eu_typ", 45, 50},   {"rsvd1", 50, 55},
    {"cmd_id_en", 55, 59},   {"pwr_step", 59, 63},     {"intr_en", 63, 64},
    {"cmd_id_eng1", 64, 84}, {"cmd_id_eng2", 84, 104}, {"cmd_id_eng3", 104, 124},
    {"rsvd3", 124, 128}};

// LAR_reg (128 bits): no cmd_short, cmd_id nor cmd_id_dep.
constexpr Field kLarFields[] = {
    {"opd0_w_str", 0, 1},   {"opd1_w_str", 1, 2},    {"opd2_const", 2, 3},
    {"res0_prec", 3, 6},    {"opd0_prec", 6, 9},     {"opd1_prec", 9, 12},
    {"opd2_n_str", 12, 15}, {"opd0_sign", 15, 16},   {"opd1_sign", 16, 17},
    {"start_tid", 17, 23},  {"res0_c", 23, 31},      {"res0_w", 31, 39},
    {"rsvd0", 39, 41},      {"tsk_typ", 41, 45},     {"tsk_eu_typ", 45, 50},
    {"rsvd1", 50, 51},      {"tsk_opd_num", 51, 53}, {"rsvd2", 53, 59},
    {"pwr_step", 59, 63},   {"rsvd3", 63, 64},       {"res0_addr", 64, 80},
    {"opd0_addr", 80, 96},  {"opd1_addr", 96, 112},  {"opd2_addr", 112, 128}};

// sCONV_reg (512 bits), from bit 50.
constexpr Field kShortConvBody[] = {
    {"opd0_sign", 50, 51},     {"opd1_sign", 51, 52},     {"opd2_sign", 52, 53},
    {"pad_mode", 53, 55},      {"cmd_id_en", 55, 59},     {"pwr_step", 59, 63},
    {"res_add", 63, 64},       {"kernel_rotate", 64, 65}, {"res0_prec", 65, 68},
    {"opd0_prec", 68, 71},     {"opd1_const", 71, 72},    {"opd2_const", 72, 73},
    {"opd0_up_pad", 73, 77},   {"opd0_dn_pad", 77, 81},   {"opd0_lf_pad", 81, 85},
    {"opd0_rt_pad", 85, 89},   {"res_op_x_str", 89, 93},  {"res_op_y_str", 93, 97},
    {"opd3_const", 97, 98},    {"opd0_str", 98, 101},     {"res0_addr", 101, 127},
    {"intr_en", 127, 128},     {"opd0_x_ins0", 128, 132}, {"opd0_y_ins0", 132, 136},
    {"opd1_x_ins0", 136, 140}, {"opd1_y_ins0", 140, 144}, {"opd0_n_str", 144, 160},
    {"res0_n", 160, 176},      {"res0_c", 176, 192},      {"res0_h", 192, 208},
    {"res0_w", 208, 224},      {"opd0_c", 224, 240},      {"opd0_h", 240, 256},
    {"opd0_w", 256, 272},      {"opd1_h", 272, 288},      {"opd1_w", 288, 304},
    {"opd0_c_str", 304, 320},  {"opd0_addr", 320, 352},   {"opd1_addr", 352, 384},
    {"opd2_addr", 384, 416},   {"res1_addr", 416, 448},   {"opd3_addr", 448, 480},
    {"opd0_h_str", 480, 496},  {"opd0_w_str", 496, 512}};

// sPorD_reg (512 bits), from bit 50.
constexpr Field kShortPordBody[] = {
    {"kernel_rotate", 50, 51}, {"opd0_sign", 51, 52},      {"opd1_sign", 52, 53},
    {"pad_mode", 53, 55},      {"cmd_id_en", 55, 59},      {"pwr_step", 59, 63},
    {"opd1_const", 63, 64},    {"opd2_const", 64, 65},     {"opd3_const", 65, 66},
    {"res0_prec", 66, 69},     {"opd0_prec", 69, 72},      {"opd0_x_ins0", 72, 76},
    {"opd0_y_ins0", 76, 80},   {"opd1_x_ins0", 80, 84},    {"opd1_y_ins0", 84, 88},
    {"opd0_up_pad", 88, 92},   {"opd0_dn_pad", 92, 96},    {"opd0_lf_pad", 96, 100},
    {"opd0_rt_pad", 100, 104}, {"res_op_x_str", 104, 108}, {"res_op_y_str", 108, 112},
    {"opd2_n_str", 112, 115},  {"rsvd5", 115, 126},        {"opd2_sign", 126, 127},
    {"intr_en", 127, 128},     {"res0_n", 128, 144},       {"res0_c", 144, 160},
    {"res0_h", 160, 176},      {"res0_w", 176, 192},       {"opd0_h", 192, 208},
    {"opd0_w", 208, 224},      {"opd1_h", 224, 240},       {"opd1_w", 240, 256},
    {"res0_addr", 256, 288},   {"opd0_addr", 288, 320},    {"opd1_addr", 320, 352},
    {"opd2_addr", 352, 384},   {"res1_addr", 384, 416},    {"opd3_addr", 416, 448},
    {"rsvd6", 448, 512}};

// sMM_reg (384 bits), from bit 50.
constexpr Field kShortMmBody[] = {
    {"res_add", 50, 51},     {"left_tran", 51, 52},   {"opd0_const", 52, 53},
    {"opd2_const", 53, 54},  {"rsvd0", 54, 55},       {"cmd_id_en", 55, 59},
    {"pwr_step", 59, 63},    {"intr_en", 63, 64},     {"opd0_sign", 64, 65},
    {"opd1_sign", 65, 66},   {"opd2_sign", 66, 67},   {"res0_prec", 67, 70},
    {"opd0_prec", 70, 73},   {"opd2_n_str", 73, 76},  {"rsvd1", 76, 96},
    {"rsvd2", 96, 112},      {"res0_c", 112, 128},    {"res0_w", 128, 144},
    {"opd0_n", 144, 160},    {"opd0_c", 160, 176},    {"opd0_w", 176, 192},
    {"rsvd3", 192, 208},     {"opd1_w", 208, 224},    {"res0_addr", 224, 256},
    {"opd0_addr", 256, 288}, {"opd1_addr", 288, 320}, {"opd2_addr", 320, 352},
    {"opd3_addr", 352, 384}};

// sMM2_reg (256 bits), from bit 50.
constexpr Field kShortMm2Body[] = {
    {"opd0_sign", 50, 51},    {"opd1_sign", 51, 52},   {"res0_prec", 52, 55},
    {"cmd_id_en", 55, 59},    {"pwr_step", 59, 63},    {"opd2_const", 63, 64},
    {"res0_c", 64, 80},       {"res0_w", 80, 96},      {"opd1_c", 96, 112},
    {"opd1_w", 112, 128},     {"opd0_prec", 128, 131}, {"opd0_const", 131, 132},
    {"opd1_const", 132, 133}, {"res_add", 133, 134},   {"res0_addr", 134, 159},
    {"intr_en", 159, 160},    {"opd0_addr", 160, 192}, {"opd1_addr", 192, 224},
    {"opd2_addr", 224, 256}};

// sAR_reg (512 bits), from bit 50.
constexpr Field kShortArBody[] = {
    {"opd0_const", 50, 51},   {"opd1_const", 51, 52},   {"opd2_const", 52, 53},
    {"tsk_opd_num", 53, 55},  {"cmd_id_en", 55, 59},    {"pwr_step", 59, 63},
    {"intr_en", 63, 64},      {"res0_prec", 64, 67},    {"opd0_prec", 67, 70},
    {"opd1_prec", 70, 73},    {"opd2_prec", 73, 76},    {"opd0_sign", 76, 77},
    {"opd1_sign", 77, 78},    {"res0_str", 78, 81},     {"opd0_str", 81, 84},
    {"opd1_str", 84, 87},     {"opd2_n_str", 87, 90},   {"rsvd0", 90, 96},
    {"res0_n", 96, 112},      {"res0_c", 112, 128},     {"res0_h", 128, 144},
    {"res0_w", 144, 160},     {"res0_addr", 160, 192},  {"opd0_addr", 192, 224},
    {"opd1_addr", 224, 256},  {"opd2_addr", 256, 288},  {"res0_n_str", 288, 304},
    {"res0_c_str", 304, 320}, {"opd0_n_str", 320, 336}, {"opd0_c_str", 336, 352},
    {"opd1_n_str", 352, 368}, {"opd1_c_str", 368, 384}, {"res0_h_str", 384, 404},
    {"res0_w_str", 404, 424}, {"opd0_h_str", 424, 444}, {"opd2_sign", 444, 445},
    {"rsvd1", 445, 448},      {"opd0_w_str", 448, 468}, {"opd1_h_str", 468, 488},
    {"opd1_w_str", 488, 508}, {"rsvd2", 508, 512}};

// sRQ_sDQ_reg (256 bits), from bit 50.
constexpr Field kShortRqDqBody[] = {
    {"opd0_sign", 50, 51},  {"opd2_sign", 51, 52},   {"res0_prec", 52, 55}, {"cmd_id_en", 55, 59},
    {"pwr_step", 59, 63},   {"opd1_const", 63, 64},  {"opd0_prec", 64, 67}, {"opd2_n_str", 67, 73},
    {"res0_addr", 73, 100}, {"opd0_addr", 100, 127}, {"intr_en", 127, 128}, {"res0_n", 128, 144},
    {"res0_c", 144, 160},   {"res0_h", 160, 176},    {"res0_w", 176, 192},  {"opd1_addr", 192, 224},
    {"opd2_addr", 224, 256}};

// sTRANS_sBC_reg (256 bits), from bit 50.
constexpr Field kShortTransBcBody[] = {
    {"res0_prec", 50, 53},   {"rsvd0", 53, 55},      {"cmd_id_en", 55, 59}, {"pwr_step", 59, 63},
    {"intr_en", 63, 64},     {"res0_n", 64, 80},     {"res0_c", 80, 96},    {"res0_h", 96, 112},
    {"res0_w", 112, 128},    {"opd0_c", 128, 144},   {"opd0_w", 144, 160},  {"rsvd2", 160, 192},
    {"res0_addr", 192, 224}, {"opd0_addr", 224, 256}};

// sSG_reg (384 bits), from bit 50.
constexpr Field kShortSgBody[] = {
    {"opd3_const", 50, 51},  {"intr_en", 51, 52},     {"opd0_str", 52, 55},
    {"cmd_id_en", 55, 59},   {"pwr_step", 59, 63},    {"opd2_const", 63, 64},
    {"res0_n", 64, 80},      {"res0_c", 80, 96},      {"res0_h", 96, 112},
    {"res0_w", 112, 128},    {"opd0_h", 128, 144},    {"opd0_w", 144, 160},
    {"opd1_c", 160, 176},    {"opd1_w", 176, 192},    {"res0_prec", 192, 195},
    {"res0_addr", 195, 224}, {"opd0_prec", 224, 227}, {"opd0_addr", 227, 256},
    {"opd1_prec", 256, 259}, {"opd1_addr", 259, 288}, {"opd2_addr", 288, 320},
    {"res1_addr", 320, 352}, {"opd3_addr", 352, 384}};

// sSGL_reg (384 bits), from bit 50.
constexpr Field kShortSglBody[] = {
    {"rsvd0", 50, 53},       {"opd3_const", 53, 54},  {"intr_en", 54, 55},
    {"cmd_id_en", 55, 59},   {"pwr_step", 59, 63},    {"opd2_const", 63, 64},
    {"res0_prec", 64, 67},   {"opd1_prec", 67, 70},   {"opd0_str", 70, 73},
    {"rsvd1", 73, 80},       {"res0_n", 80, 96},      {"res0_c", 96, 112},
    {"res0_h", 112, 128},    {"res0_w", 128, 144},    {"opd0_h", 144, 160},
    {"res0_addr", 160, 192}, {"opd0_addr", 192, 224}, {"opd1_addr", 224, 256},
    {"opd2_addr", 256, 288}, {"res1_addr", 288, 320}, {"rsvd2", 320, 384}};

// sSFU_reg (256 bits), from bit 50.
constexpr Field kShortSfuBody[] = {
    {"rsvd0", 50, 55},      {"cmd_id_en", 55, 59},   {"pwr_step", 59, 63},
    {"intr_en", 63, 64},    {"res0_prec", 64, 67},   {"opd0_prec", 67, 70},
    {"opd2_n_str", 70, 72}, {"rsvd3", 72, 80},       {"res0_n", 80, 96},
    {"res0_c", 96, 112},    {"res0_h", 112, 128},    {"res0_w", 128, 144},
    {"opd1_n", 144, 160},   {"res0_addr", 160, 192}, {"opd0_addr", 192, 224},
    {"opd1_addr", 224, 256}};

// sLIN_reg (256 bits), from bit 50.
constexpr Field kShortLinBody[] = {
    {"opd1_const", 50, 51},  {"opd2_const", 51, 52},  {"res0_prec", 52, 55},
    {"cmd_id_en", 55, 59},   {"pwr_step", 59, 63},    {"intr_en", 63, 64},
    {"res0_n", 64, 80},      {"res0_c", 80, 96},      {"res0_h", 96, 112},
    {"res0_w", 112, 128},    {"res0_addr", 128, 160}, {"opd0_addr", 160, 192},
    {"opd1_addr", 192, 224}, {"opd2_addr", 224, 256}};

// sCMP_reg (384 bits), from bit 50.
constexpr Field kShortCmpBody[] = {
    {"opd0_const", 50, 51},  {"opd1_const", 51, 52},  {"opd2_const", 52, 53},
    {"opd3_const", 53, 54},  {"rsvd0", 54, 55},       {"cmd_id_en", 55, 59},
    {"pwr_step", 59, 63},    {"intr_en", 63, 64},     {"opd0_prec", 64, 67},
    {"opd2_prec", 67, 70},   {"opd0_str", 70, 73},    {"opd1_str", 73, 76},
    {"rsvd1", 76, 127},      {"opd0_sign", 127, 128}, {"res0_n", 128, 144},
    {"res0_c", 144, 160},    {"res0_h", 160, 176},    {"res0_w", 176, 192},
    {"res0_addr", 192, 224}, {"res1_addr", 224, 256}, {"opd0_addr", 256, 288},
    {"opd1_addr", 288, 320}, {"opd2_addr", 320, 352}, {"opd3_addr", 352, 384}};

// sVC_reg (384 bits), from bit 50.
constexpr Field kShortVcBody[] = {
    {"opd0_sign", 50, 51}, {"opd1_sign", 51, 52},  {"opd2_n_str", 52, 55},  {"cmd_id_en", 55, 59},
    {"pwr_step", 59, 63},  {"intr_en", 63, 64},    {"res0_prec", 64, 67},   {"opd0_prec", 67, 70},
    {"opd1_prec", 70, 73}, {"res0_addr", 73, 105}, {"rsvd1", 105, 128},     {"opd0_addr", 128, 160},
    {"rsvd2", 160, 176},   {"res0_c", 176, 192},   {"res0_w", 192, 208},    {"opd0_c", 208, 224},
    {"opd0_w", 224, 240},  {"opd1_w", 240, 256},   {"opd1_addr", 256, 288}, {"opd2_addr", 288, 320},
    {"rsvd3", 320, 384}};

// sSEG_reg (128 bits), from bit 50.
constexpr Field kShortSegBody[] = {
    {"rsvd0", 50, 52},   {"res0_prec", 52, 55}, {"cmd_id_en", 55, 59}, {"pwr_step", 59, 63},
    {"intr_en", 63, 64}, {"res0_c", 64, 80},    {"res0_w", 80, 96},    {"res0_addr", 96, 128}};

}  // namespace

std::vector<Form> tiu_forms() {
  const std::initializer_list<FieldRun> long_form = {run(kTiuHead), run(kTiuLongBody)};
  constexpr Engine kTiu = Engine::kTiu;
  return {
      // The long forms (cmd_short 0), 1024 bits each.
      assemble("CONV", 1024, kTiu, "target_1684x/regdef.py CONV_reg", long_form),
      assemble("PorD", 1024, kTiu, "target_1684x/regdef.py PorD_reg", long_form),
      assemble("MM", 1024, kTiu, "target_1684x/regdef.py MM_reg", long_form),
      assemble("MM2", 1024, kTiu, "target_1684x/regdef.py MM2_reg", long_form),
      assemble("AR", 1024, kTiu, "target_1684x/regdef.py AR_reg", long_form),
      assemble("RQ&DQ", 1024, kTiu, "target_1684x/regdef.py RQ_DQ_reg", long_form),
      assemble("TRANS&BC", 1024, kTiu, "target_1684x/regdef.py TRANS_BC_reg", long_form),
      assemble("SG", 1024, kTiu, "target_1684x/regdef.py SG_reg", long_form),
      assemble("SGL", 1024, kTiu, "target_1684x/regdef.py SGL_reg", long_form),
      assemble("SFU", 1024, kTiu, "target_1684x/regdef.py SFU_reg", long_form),
      assemble("LIN", 1024, kTiu, "target_1684x/regdef.py LIN_reg", long_form),
      assemble("CMP", 1024, kTiu, "target_1684x/regdef.py CMP_reg", long_form),
      assemble("VC", 1024, kTiu, "target_1684x/regdef.py VC_reg", long_form),
      assemble("SEG", 1024, kTiu, "target_1684x/regdef.py SEG_reg", long_form),
      // SYS and LAR take one form whatever bit 0 holds.
      assemble("SYSID", 128, kTiu, "target_1684x/regdef.py SYSID_reg", {run(kSysIdFields)}),
      assemble("LAR", 128, kTiu, "target_1684x/regdef.py LAR_reg", {run(kLarFields)}),
      // The short forms (cmd_short 1).
      assemble("sCONV", 512, kTiu, "target_1684x/regdef.py sCONV_reg",
               {run(kTiuHead), run(kShortConvBody)}),
      assemble("sPorD", 512, kTiu, "target_1684x/regdef.py sPorD_reg",
               {run(kTiuHead), run(kShortPordBody)}),
      assemble("sMM", 384, kTiu, "target_1684x/regdef.py sMM_reg",
               {run(kTiuHead), run(kShortMmBody)}),
      assemble("sMM2", 256, kTiu, "target_1684x/regdef.py sMM2_reg",
               {run(kTiuHead), run(kShortMm2Body)}),
      assemble("sAR", 512, kTiu, "target_1684x/regdef.py sAR_reg",
               {run(kTiuHead), run(kShortArBody)}),
      assemble("sRQ&sDQ", 256, kTiu, "target_1684x/regdef.py sRQ_sDQ_reg",
               {run(kTiuHead), run(kShortRqDqBody)}),
      assemble("sTRANS&sBC", 256, kTiu, "target_1684x/regdef.py sTRANS_sBC_reg",
               {run(kTiuHead), run(kShortTransBcBody)}),
      assemble("sSG", 384, kTiu, "target_1684x/regdef.py sSG_reg",
               {run(kTiuHead), run(kShortSgBody)}),
      assemble("sSGL", 384, kTiu, "target_1684x/regdef.py sSGL_reg",
               {run(kTiuHead), run(kShortSglBody)}),
      assemble("sSFU", 256, kTiu, "target_1684x/regdef.py sSFU_reg",
               {run(kTiuHead), run(kShortSfuBody)}),
      assemble("sLIN", 256, kTiu, "target_1684x/regdef.py sLIN_reg",
               {run(kTiuHead), run(kShortLinBody)}),
      assemble("sCMP", 384, kTiu, "target_1684x/regdef.py sCMP_reg",
               {run(kTiuHead), run(kShortCmpBody)}),
      assemble("sVC", 384, kTiu, "target_1684x/regdef.py sVC_reg",
               {run(kTiuHead), run(kShortVcBody)}),
      assemble("sSEG", 128, kTiu, "target_1684x/regdef.py sSEG_reg",
               {run(kTiuHead), run(kShortSegBody)}),
  };
}

}  // namespace tpuc::bm1684x::isa::tables
