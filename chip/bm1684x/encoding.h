// Binary form of the TIU stream, until its commands take the chip's own forms (the GDMA stream
// has: gdma_encoding.h): fixed-size little-endian records of 320 bytes, every field at a fixed
// offset in the order docs/isa.md lists, zero-padded to the record size. One field list serves
// both directions, so encoder and decoder cannot drift apart.
#pragma once
#include <string>

#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

constexpr size_t kTiuRecordBytes = 320;

std::string encode_tiu(const std::vector<TiuCommand>& commands);
// `where` names the source in errors ("model.bmodel: subnet 0 TIU stream").
std::vector<TiuCommand> decode_tiu(const std::string& bytes, const std::string& where);

}  // namespace tpuc::bm1684x
