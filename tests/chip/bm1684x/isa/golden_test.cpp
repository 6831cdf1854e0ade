// Commands whose bytes were worked out by hand from the bit layouts (regdef.py, as restated in
// ../shared/reference/bmodel.md §3), not by the encoder: bit i is bit i % 8 of byte i / 8.
#include <gtest/gtest.h>

#include "chip/bm1684x/isa/stream.h"

using namespace tpuc::bm1684x::isa;

namespace {

std::string bytes_of(std::initializer_list<int> values, size_t size) {
  std::string bytes(size, '\0');
  size_t i = 0;
  for (int v : values) bytes[i++] = static_cast<char>(v);
  return bytes;
}

}  // namespace

// TIU SYS END, cmd_id 5 (SYSID, 16 bytes):
//   cmd_id 5 in bits 1-20:          5 << 1 = 0x0a                   → byte 0 = 0x0a
//   tsk_typ 15 in bits 41-44:       byte 5, bits 1-4: 15 << 1 = 0x1e
//   tsk_eu_typ 31 in bits 45-49:    byte 5, bits 5-7: 0xe0; byte 6, bits 0-1: 0x03
//                                   → byte 5 = 0x1e | 0xe0 = 0xfe, byte 6 = 0x03
//   everything else (rsvd0, cmd_id_dep, cmd_id_en, ...) 0.
TEST(IsaGolden, TiuSysEnd) {
  const std::string expected = bytes_of({0x0a, 0, 0, 0, 0, 0xfe, 0x03}, 16);
  EXPECT_EQ(end_command(Engine::kTiu, 5).encode(), expected);
}

// GDMA sDMA_sys END, cmd_id 5 (16 bytes):
//   cmd_short 1 in bit 3:           0x08
//   cmd_id_en 1 in bits 5-8:        0x20                            → byte 0 = 0x28
//   cmd_id 5 in bits 9-28:          5 << 9 = 0xa00                  → byte 1 = 0x0a
//   cmd_type 6 in bits 32-35:       byte 4 = 0x06
//   cmd_special_function 0, cmd_id_dep 0, the rest 0.
TEST(IsaGolden, GdmaSysEnd) {
  const std::string expected = bytes_of({0x28, 0x0a, 0, 0, 0x06}, 16);
  EXPECT_EQ(end_command(Engine::kGdma, 5).encode(), expected);
}

// sAR arith.add (64 bytes): cmd_short 1, cmd_id 2, cmd_id_dep 3, tsk_typ 3, tsk_eu_typ 2,
// res0_addr 0x12345678.
//   cmd_short 1 in bit 0, cmd_id 2 in bits 1-20:   1 | 2 << 1 = 0x05        → byte 0
//   cmd_id_dep 3 in bits 21-40:   bit 21 = byte 2 bit 5, bit 22 = byte 2 bit 6 → byte 2 = 0x60
//   tsk_typ 3 in bits 41-44:      byte 5 bits 1-2 = 0x06
//   tsk_eu_typ 2 in bits 45-49:   bit 46 = byte 5 bit 6 = 0x40             → byte 5 = 0x46
//   res0_addr in bits 160-191:    bytes 20-23 = 78 56 34 12
TEST(IsaGolden, ShortArithAdd) {
  Command add(form_named("sAR"));
  add.set("cmd_short", 1).set("cmd_id", 2).set("cmd_id_dep", 3).set("tsk_typ", 3);
  add.set("tsk_eu_typ", 2).set("res0_addr", 0x12345678);
  std::string expected = bytes_of({0x05, 0, 0x60, 0, 0, 0x46}, 64);
  expected[20] = 0x78;
  expected[21] = 0x56;
  expected[22] = 0x34;
  expected[23] = 0x12;
  EXPECT_EQ(add.encode(), expected);
}

// An empty TIU stream: END with cmd_id 1 (byte 0 = 1 << 1), zero-padded to 128 bytes.
TEST(IsaGolden, EmptyTiuStream) {
  EXPECT_EQ(encode_stream(Engine::kTiu, {}), bytes_of({0x02, 0, 0, 0, 0, 0xfe, 0x03}, 128));
}
