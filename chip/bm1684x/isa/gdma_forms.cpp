// The GDMA's command forms, read from tpu-mlir's python/debugger/target_1684x/regdef.py
// (sophgo/tpu-mlir 5eba2a0e; the same file in LSy3011/tpu-mlir d31e5ab4), one ctypes class per
// form, fields with their widths in bit order from bit 0; each [lo, hi) below is the running sum
// of those widths. Names are the chip's, but a name there can repeat within a form or carry a
// note, and here each must be unique and plain: the first reserved field ([29, 32), "Reserved")
// keeps its name, every later "reserved"/"Reserved" is numbered from 0 in bit order (reserved0,
// ..., Reserved4; as ../shared/reference/bmodel.md writes them), a parenthesised note is dropped
// (and kept in the comment) and any other character that is not a letter, digit or _ becomes _.
// Which cmd_type takes which form is in opcodes.cpp (from opdef.py).
#include "chip/bm1684x/isa/form_tables.h"

namespace tpuc::bm1684x::isa::tables {

namespace {

// Bits [0, 43) of every GDMA form: flags, the id, the command type and its special function.
constexpr Field kDmaHead[] = {{"intr_en", 0, 1},
                              {"stride_enable", 1, 2},
                              {"nchw_copy", 2, 3},
                              {"cmd_short", 3, 4},
                              {"decompress_enable", 4, 5},
                              {"cmd_id_en", 5, 9},
                              {"cmd_id", 9, 29},
                              {"Reserved", 29, 32},
                              {"cmd_type", 32, 36},
                              {"cmd_special_function", 36, 39},
                              {"fill_constant_en", 39, 40},
                              {"src_data_format", 40, 43}};

// Bits [43, 96) of the forms without a second data format: the dependency.
constexpr Field kDmaSync[] = {{"reserved0", 43, 64}, {"cmd_id_dep", 64, 84}, {"reserved1", 84, 96}};

// Bits [43, 96) of DMA_masked_select_reg and sDMA_masked_select__reg.
constexpr Field kDmaMaskedSelectSync[] = {{"mask_data_format", 43, 46},
                                          {"reserved0", 46, 64},
                                          {"cmd_id_dep", 64, 84},
                                          {"reserved1", 84, 96}};

// Bits [43, 96) of DMA_nonzero_reg and sDMA_nonzero_reg.
constexpr Field kDmaNonzeroSync[] = {{"index_data_format", 43, 46},
                                     {"reserved0", 46, 64},
                                     {"cmd_id_dep", 64, 84},
                                     {"reserved1", 84, 96}};

// sDMA_sys_reg's last word.
constexpr Field kDmaConstant[] = {{"constant_value", 96, 128}};

// Bits [96, 512) of DMA_tensor, DMA_general, DMA_cw_transpose, DMA_matrix, DMA_masked_select and
// DMA_nonzero: the fill constant, the strides and the sizes (in elements). DMA_general's
// src_cstride is named "src_cstride(move length)" there, DMA_nonzero's dst_nstride
// "dst_nstride（base_i）".
constexpr Field kDmaShape[] = {
    {"constant_value", 96, 128}, {"src_nstride", 128, 160}, {"src_cstride", 160, 192},
    {"src_hstride", 192, 224},   {"src_wstride", 224, 256}, {"dst_nstride", 256, 288},
    {"dst_cstride", 288, 320},   {"dst_hstride", 320, 352}, {"dst_wstride", 352, 384},
    {"src_nsize", 384, 400},     {"src_csize", 400, 416},   {"src_hsize", 416, 432},
    {"src_wsize", 432, 448},     {"dst_nsize", 448, 464},   {"dst_csize", 464, 480},
    {"dst_hsize", 480, 496},     {"dst_wsize", 496, 512}};

// Bits [512, 768) of DMA_tensor, DMA_general, DMA_cw_transpose and DMA_nonzero: 40-bit addresses
// (low 32 bits, high 8 bits) and the local-memory lane mask.
constexpr Field kDmaAddresses[] = {
    {"src_start_addr_l32", 512, 544}, {"src_start_addr_h8", 544, 552},
    {"reserved2", 552, 576},          {"dst_start_addr_l32", 576, 608},
    {"dst_start_addr_h8", 608, 616},  {"reserved3", 616, 640},
    {"Reserved4", 640, 672},          {"Reserved5", 672, 704},
    {"localmem_mask_l32", 704, 736},  {"localmem_mask_h32", 736, 768}};

// Bits [512, 768) of DMA_matrix_reg. Its address halves are named h32 / l8 where the other forms
// say l32 / h8; kept as the source names them.
constexpr Field kDmaMatrixAddresses[] = {
    {"src_start_addr_h32", 512, 544}, {"src_start_addr_l8", 544, 552},
    {"reserved2", 552, 576},          {"dst_start_addr_h32", 576, 608},
    {"dst_start_addr_l8", 608, 616},  {"reserved3", 616, 640},
    {"Reserved4", 640, 672},          {"Reserved5", 672, 704},
    {"localmem_mask_l32", 704, 736},  {"localmem_mask_h32", 736, 768}};

// Bits [512, 768) of DMA_masked_select_reg.
constexpr Field kDmaMaskedSelectAddresses[] = {
    {"src_start_addr_l32", 512, 544},  {"src_start_addr_h8", 544, 552},
    {"reserved2", 552, 576},           {"dst_start_addr_l32", 576, 608},
    {"dst_start_addr_h8", 608, 616},   {"reserved3", 616, 640},
    {"mask_start_addr_l32", 640, 672}, {"mask_start_addr_h8", 672, 704},
    {"localmem_mask_l32", 704, 736},   {"localmem_mask_h32", 736, 768}};

// Bits [96, 768) of DMA_gather_reg and DMA_scatter_reg (the same layout).
constexpr Field kDmaGatherBody[] = {{"constant_value", 96, 128},
                                    {"src_cstride", 128, 160},
                                    {"src_hstride", 160, 192},
                                    {"dst_cstride", 192, 224},
                                    {"dst_hstride", 224, 256},
                                    {"index_cstride", 256, 288},
                                    {"index_hstride", 288, 320},
                                    {"reserved2", 320, 336},
                                    {"src_csize", 336, 352},
                                    {"src_hsize", 352, 384},
                                    {"src_wsize", 384, 400},
                                    {"dst_csize", 400, 416},
                                    {"dst_hsize", 416, 448},
                                    {"dst_wsize", 448, 464},
                                    {"index_csize", 464, 480},
                                    {"index_hsize", 480, 512},
                                    {"src_start_addr_l32", 512, 544},
                                    {"src_start_addr_h8", 544, 552},
                                    {"reserved3", 552, 576},
                                    {"dst_start_addr_l32", 576, 608},
                                    {"dst_start_addr_h8", 608, 616},
                                    {"reserved4", 616, 640},
                                    {"index_start_addr_l32", 640, 672},
                                    {"index_start_addr_h8", 672, 680},
                                    {"reserve", 680, 704},
                                    {"localmem_mask_l32", 704, 736},
                                    {"localmem_mask_h32", 736, 768}};

// sDMA_general_reg (384 bits), from bit 96. "src_cstride(move length)" there.
constexpr Field kShortDmaGeneralBody[] = {
    {"constant_value", 96, 128}, {"src_cstride", 128, 160},        {"dst_csize", 160, 176},
    {"reserved2", 176, 192},     {"src_start_addr_l32", 192, 224}, {"src_start_addr_h8", 224, 232},
    {"reserved3", 232, 256},     {"dst_start_addr_l32", 256, 288}, {"dst_start_addr_h8", 288, 296},
    {"reserved4", 296, 320},     {"localmem_mask_l32", 320, 352},  {"localmem_mask_h32", 352, 384}};

// sDMA_masked_select__reg (512 bits), from bit 96.
constexpr Field kShortDmaMaskedSelectBody[] = {
    {"src_nsize", 96, 112},           {"src_csize", 112, 128}, {"src_hsize", 128, 144},
    {"src_wsize", 144, 160},          {"dst_nsize", 160, 176}, {"dst_csize", 176, 192},
    {"dst_hsize", 192, 208},          {"dst_wsize", 208, 224}, {"src_start_addr_l32", 224, 256},
    {"src_start_addr_h8", 256, 264},  {"reserved2", 264, 288}, {"dst_start_addr_l32", 288, 320},
    {"dst_start_addr_h8", 320, 328},  {"reserved3", 328, 352}, {"mask_start_addr_l32", 352, 384},
    {"mask_start_addr_h8", 384, 416}, {"reserved4", 416, 448}, {"reserved5", 448, 480},
    {"reserved6", 480, 512}};

// sDMA_matrix_reg (512 bits), from bit 96. Its names pair two registers
// ("src_hstride/dst_hstride"); the "/" becomes "_".
constexpr Field kShortDmaMatrixBody[] = {{"src_hstride_dst_hstride", 96, 128},
                                         {"dst_nstride_src_nstride", 128, 160},
                                         {"dst_cstride_src_cstride", 160, 192},
                                         {"src_hsize_dst_hsize", 192, 208},
                                         {"src_wsize_dst_wsize", 208, 224},
                                         {"dst_nsize_src_nsize", 224, 240},
                                         {"dst_csize_src_csize", 240, 256},
                                         {"dst_wsize_src_wsize", 256, 272},
                                         {"reserved2", 272, 288},
                                         {"src_start_addr_l32", 288, 320},
                                         {"src_start_addr_h8", 320, 328},
                                         {"reserved3", 328, 352},
                                         {"dst_start_addr_l32", 352, 384},
                                         {"dst_start_addr_h8", 384, 392},
                                         {"reserved4", 392, 416},
                                         {"reserved5", 416, 448},
                                         {"localmem_mask_l32", 448, 480},
                                         {"localmem_mask_h32", 480, 512}};

// sDMA_nonzero_reg (384 bits), from bit 96. dst_nstride is "dst_nstride（base_i）" there.
constexpr Field kShortDmaNonzeroBody[] = {
    {"dst_nstride", 96, 128},        {"src_nsize", 128, 144}, {"src_csize", 144, 160},
    {"src_hsize", 160, 176},         {"src_wsize", 176, 192}, {"src_start_addr_l32", 192, 224},
    {"src_start_addr_h8", 224, 232}, {"reserved2", 232, 256}, {"dst_start_addr_l32", 256, 288},
    {"dst_start_addr_h8", 288, 296}, {"reserved3", 296, 320}, {"reserved4", 320, 352},
    {"reserved5", 352, 384}};

}  // namespace

std::vector<Form> gdma_forms() {
  const std::initializer_list<FieldRun> tensor_form = {run(kDmaHead), run(kDmaSync), run(kDmaShape),
                                                       run(kDmaAddresses)};
  const std::initializer_list<FieldRun> gather_form = {run(kDmaHead), run(kDmaSync),
                                                       run(kDmaGatherBody)};
  constexpr Engine kGdma = Engine::kGdma;
  return {
      // The long forms (cmd_short 0), 768 bits each. DMA_tensor is "DMA_tensor（0x000）" there.
      assemble("DMA_tensor", 768, kGdma, "target_1684x/regdef.py DMA_tensor_0x000__reg",
               tensor_form),
      assemble("DMA_matrix", 768, kGdma, "target_1684x/regdef.py DMA_matrix_reg",
               {run(kDmaHead), run(kDmaSync), run(kDmaShape), run(kDmaMatrixAddresses)}),
      assemble("DMA_masked_select", 768, kGdma, "target_1684x/regdef.py DMA_masked_select_reg",
               {run(kDmaHead), run(kDmaMaskedSelectSync), run(kDmaShape),
                run(kDmaMaskedSelectAddresses)}),
      assemble("DMA_general", 768, kGdma, "target_1684x/regdef.py DMA_general_reg", tensor_form),
      assemble("DMA_cw_transpose", 768, kGdma, "target_1684x/regdef.py DMA_cw_transpose_reg",
               tensor_form),
      assemble("DMA_nonzero", 768, kGdma, "target_1684x/regdef.py DMA_nonzero_reg",
               {run(kDmaHead), run(kDmaNonzeroSync), run(kDmaShape), run(kDmaAddresses)}),
      assemble("DMA_gather", 768, kGdma, "target_1684x/regdef.py DMA_gather_reg", gather_form),
      assemble("DMA_scatter", 768, kGdma, "target_1684x/regdef.py DMA_scatter_reg", gather_form),
      // The short forms (cmd_short 1). sDMA_masked_select is "sDMA_masked_select " there.
      assemble("sDMA_matrix", 512, kGdma, "target_1684x/regdef.py sDMA_matrix_reg",
               {run(kDmaHead), run(kDmaSync), run(kShortDmaMatrixBody)}),
      assemble("sDMA_masked_select", 512, kGdma, "target_1684x/regdef.py sDMA_masked_select__reg",
               {run(kDmaHead), run(kDmaMaskedSelectSync), run(kShortDmaMaskedSelectBody)}),
      assemble("sDMA_general", 384, kGdma, "target_1684x/regdef.py sDMA_general_reg",
               {run(kDmaHead), run(kDmaSync), run(kShortDmaGeneralBody)}),
      assemble("sDMA_nonzero", 384, kGdma, "target_1684x/regdef.py sDMA_nonzero_reg",
               {run(kDmaHead), run(kDmaNonzeroSync), run(kShortDmaNonzeroBody)}),
      assemble("sDMA_sys", 128, kGdma, "target_1684x/regdef.py sDMA_sys_reg",
               {run(kDmaHead), run(kDmaSync), run(kDmaConstant)}),
  };
}

}  // namespace tpuc::bm1684x::isa::tables
