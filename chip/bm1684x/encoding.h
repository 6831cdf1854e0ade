// Binary form of the command streams: fixed-size little-endian records (TIU 288 bytes, GDMA 144
// bytes), every field at a fixed offset in the order docs/isa.md lists, zero-padded to the record
// size. One field list serves both directions, so encoder and decoder cannot drift apart. This is
// tpuc's own layout, with full 64-bit strides: the chip's command formats are not public.
#pragma once
#include <string>

#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

constexpr size_t kTiuRecordBytes = 320;
constexpr size_t kGdmaRecordBytes = 144;

std::string encode_tiu(const std::vector<TiuCommand>& commands);
std::string encode_gdma(const std::vector<GdmaCommand>& commands);
// `where` names the source in errors ("model.tpumodel TIU stream").
std::vector<TiuCommand> decode_tiu(const std::string& bytes, const std::string& where);
std::vector<GdmaCommand> decode_gdma(const std::string& bytes, const std::string& where);

}  // namespace tpuc::bm1684x
