// The GDMA stream in the chip's own encoding (isa/): every copy and fill tpuc emits is one
// DMA_tensor command, and the stream ends with the chip's sDMA_sys END. A copy whose source holds
// one channel for all of the destination's (a table loaded into every lane) is DMA_tensor's
// broadcast form (cmd_special_function 3, as tpu-mlir writes dma.tensor.broadcast); a fill is
// DMA_tensor with fill_constant_en, the constant's bits in constant_value.
//
// Addresses are the GDMA's own: DDR at its address (40 bits), local memory at kGdmaLocalBase +
// lane · lane_bytes + the lane-relative address (BM1684X.h's LOCAL_MEM_START_ADDR and memmap;
// ../shared/reference/bmodel.md §1). Sizes are 16-bit and strides 32-bit fields, in elements.
#pragma once
#include <string>
#include <vector>

#include "chip/bm1684x/isa.h"
#include "chip/bm1684x/isa/command.h"

namespace tpuc::bm1684x {

constexpr uint64_t kGdmaLocalBase = 0x08000000;

// One command (not END) as a DMA_tensor; an Error naming the field a size, stride or address does
// not fit.
isa::Command to_dma(const GdmaCommand& c, uint64_t lane_bytes);
// Back from a DMA_tensor command; an Error for a form or function tpuc does not run.
GdmaCommand from_dma(const isa::Command& c, uint64_t lane_bytes, uint32_t lanes);

// `commands` end with GdmaOp::End (its id is the stream's END's cmd_id).
std::string encode_gdma_stream(const std::vector<GdmaCommand>& commands, uint64_t lane_bytes);
// `where` names the stream in errors ("model.bmodel: subnet 0 GDMA stream").
std::vector<GdmaCommand> decode_gdma_stream(const std::string& bytes, uint64_t lane_bytes,
                                            uint32_t lanes, const std::string& where);

}  // namespace tpuc::bm1684x
