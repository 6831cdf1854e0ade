// Command streams: the heads identify forms where every form puts them, a mixed stream of forms
// of different lengths round-trips, and each way a stream can be wrong is an error naming the
// command and its byte offset.
#include "chip/bm1684x/isa/stream.h"

#include <gtest/gtest.h>

#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x::isa;
using tpuc::testing::error_of;

namespace {

// A TIU command of this form and (tsk_typ, tsk_eu_typ) with a few operand fields set.
Command tiu(std::string_view form, unsigned tsk_typ, unsigned eu, uint64_t cmd_id) {
  Command c(form_named(form));
  if (c.has("cmd_short")) c.set("cmd_short", form[0] == 's' ? 1 : 0);
  c.set("tsk_typ", tsk_typ).set("tsk_eu_typ", eu);
  if (c.has("cmd_id")) c.set("cmd_id", cmd_id).set("cmd_id_dep", cmd_id * 3 % 7);
  if (c.has("res0_addr")) c.set("res0_addr", 0x1000 + cmd_id);
  if (c.has("res0_c")) c.set("res0_c", 64);
  return c;
}

Command gdma(std::string_view form, unsigned cmd_type, unsigned function, uint64_t cmd_id) {
  Command c(form_named(form));
  c.set("cmd_short", form[0] == 's' ? 1 : 0).set("cmd_id_en", 1).set("cmd_id", cmd_id);
  c.set("cmd_type", cmd_type).set("cmd_special_function", function).set("cmd_id_dep", 2);
  if (c.has("src_start_addr_l32")) c.set("src_start_addr_l32", 0x8000000 + cmd_id);
  return c;
}

std::vector<Command> mixed_tiu() {
  return {tiu("sCONV", 0, 0, 1),   tiu("sAR", 3, 15, 2),  tiu("sRQ&sDQ", 4, 1, 3),
          tiu("CONV", 0, 1, 4),    tiu("sMM2", 2, 5, 5),  tiu("sTRANS&sBC", 5, 3, 6),
          tiu("sSG", 6, 5, 7),     tiu("sSGL", 6, 17, 8), tiu("SYSID", 15, 30, 9),
          tiu("sPorD", 1, 4, 10),  tiu("AR", 3, 2, 11),   tiu("sSFU", 9, 13, 12),
          tiu("sCMP", 13, 22, 13), tiu("sVC", 14, 2, 14), tiu("sLIN", 10, 1, 15),
          tiu("sMM", 2, 1, 16)};
}

std::vector<Command> mixed_gdma() {
  return {gdma("DMA_tensor", 0, 3, 1), gdma("sDMA_general", 3, 0, 2),
          gdma("DMA_matrix", 1, 1, 3), gdma("sDMA_matrix", 1, 0, 4),
          gdma("DMA_gather", 7, 0, 5), gdma("sDMA_nonzero", 5, 0, 6),
          gdma("sDMA_sys", 6, 1, 7),   gdma("DMA_general", 3, 1, 8)};
}

// The stream decodes to the commands, then the engine's END with the next cmd_id.
void expect_stream_round_trip(Engine engine, const std::vector<Command>& commands) {
  const std::string bytes = encode_stream(engine, commands);
  EXPECT_EQ(bytes.size() % kStreamAlignment, 0u);
  const std::vector<Command> decoded = decode_stream(engine, bytes, "test");
  ASSERT_EQ(decoded.size(), commands.size() + 1);
  for (size_t i = 0; i < commands.size(); ++i) EXPECT_EQ(decoded[i], commands[i]) << i;
  EXPECT_EQ(decoded.back(), end_command(engine, commands.size() + 1));
  EXPECT_TRUE(is_end(decoded.back()));
}

// The decoded stream's error for these bytes.
std::string tiu_error(const std::string& bytes) {
  return error_of([&] { decode_stream(Engine::kTiu, bytes, "t"); });
}

std::string with_byte(std::string bytes, size_t at, char value) {
  bytes[at] = value;
  return bytes;
}

}  // namespace

TEST(IsaStream, MixedTiuStreamRoundTrips) { expect_stream_round_trip(Engine::kTiu, mixed_tiu()); }

TEST(IsaStream, MixedGdmaStreamRoundTrips) {
  expect_stream_round_trip(Engine::kGdma, mixed_gdma());
  EXPECT_FALSE(is_end(mixed_gdma()[6]));  // dma.sys.nop is a SYS command but not END
}

TEST(IsaStream, IdentifiesFormsByShortBitTypeAndSubtype) {
  EXPECT_EQ(identify(Engine::kTiu, tiu("sMM", 2, 1, 1).encode()).form->name, "sMM");
  EXPECT_EQ(identify(Engine::kTiu, tiu("sMM2", 2, 4, 1).encode()).form->name, "sMM2");
  EXPECT_EQ(identify(Engine::kTiu, tiu("MM2", 2, 6, 1).encode()).form->name, "MM2");
  EXPECT_EQ(identify(Engine::kTiu, tiu("sSGL", 6, 18, 1).encode()).form->name, "sSGL");
  // SYS whatever bit 0 holds.
  EXPECT_EQ(identify(Engine::kTiu, tiu("SYSID", 15, 31, 1).set("rsvd0", 1).encode()).form->name,
            "SYSID");
  EXPECT_EQ(identify(Engine::kGdma, gdma("DMA_tensor", 0, 6, 1).encode()).form->name, "DMA_tensor");
  const Identified no_short =
      identify(Engine::kGdma, gdma("DMA_tensor", 0, 0, 1).set("cmd_short", 1).encode());
  EXPECT_EQ(no_short.form, nullptr);
  EXPECT_EQ(no_short.problem, "DMA_tensor has no short form (cmd_short 1)");
}

TEST(IsaStream, UnknownTypesAreErrorsNamingTheCommand) {
  const std::string bytes = encode_stream(Engine::kTiu, mixed_tiu());
  // Command 2 (sAR) starts at byte 64: its tsk_typ is bits 41-44, bits 1-4 of byte 69.
  const char tsk_typ_11 = static_cast<char>((bytes[69] & ~0x1e) | (11 << 1));
  EXPECT_EQ(tiu_error(with_byte(bytes, 69, tsk_typ_11)),
            "t: command 2 at byte 64: unknown tsk_typ 11");
  // tsk_eu_typ 17 of AR is a hole in opdef.py's list: bits 45-49 = 0b10001.
  std::vector<Command> commands = mixed_tiu();
  commands[1].set("tsk_eu_typ", 17);
  const std::string eu_17 = error_of([&] { encode_stream(Engine::kTiu, commands); });
  EXPECT_EQ(eu_17,
            "TIU stream: command 2 (sAR): its head names unknown tsk_eu_typ 17 for tsk_typ 3 (AR), "
            "so it would not decode as itself");
  std::string unknown_eu = bytes;
  unknown_eu[69] = static_cast<char>((bytes[69] & 0x1f) | (1 << 5));  // eu low bits 001
  unknown_eu[70] = static_cast<char>((bytes[70] & ~0x03) | 0x02);     // eu high bits 10
  EXPECT_EQ(tiu_error(unknown_eu),
            "t: command 2 at byte 64: unknown tsk_eu_typ 17 for tsk_typ 3 (AR)");
  // GDMA cmd_type 9 of the first command (bits 32-35: byte 4).
  const std::string gdma_bytes = encode_stream(Engine::kGdma, mixed_gdma());
  const char cmd_type_9 = static_cast<char>((gdma_bytes[4] & 0xf0) | 9);
  EXPECT_EQ(
      error_of([&] { decode_stream(Engine::kGdma, with_byte(gdma_bytes, 4, cmd_type_9), "g"); }),
      "g: command 1 at byte 0: unknown cmd_type 9");
}

TEST(IsaStream, TruncatedCommandIsAnError) {
  const std::string bytes = encode_stream(Engine::kTiu, {tiu("sCONV", 0, 0, 1)});
  EXPECT_EQ(tiu_error(bytes.substr(0, 40)),
            "t: command 1 at byte 0: truncated sCONV command: it is 64 bytes, 40 are left");
  EXPECT_EQ(
      tiu_error(bytes.substr(0, 3)),
      "t: command 1 at byte 0: truncated command: 3 bytes left, too few for TIU command's head");
}

TEST(IsaStream, MissingEndIsAnError) {
  const std::string one = tiu("sCONV", 0, 0, 1).encode();
  EXPECT_EQ(tiu_error(one),
            "t: command 2 at byte 64: missing END: the stream ends after 1 commands");
  EXPECT_EQ(
      tiu_error(one + std::string(64, '\0')),
      "t: command 2 at byte 64: missing END: the stream ends after 1 commands and zero bytes");
  EXPECT_EQ(tiu_error(""), "t: command 1 at byte 0: missing END: the stream ends after 0 commands");
}

TEST(IsaStream, BytesAfterEndAreErrors) {
  const std::string bytes = encode_stream(Engine::kTiu, {tiu("sCONV", 0, 0, 1)});
  // sCONV (64 bytes) then END (16 bytes) ends at byte 80; the padding runs to 128.
  EXPECT_EQ(tiu_error(with_byte(bytes, 100, 1)),
            "t: command 2 at byte 64: nonzero byte at byte 100 after END: only zero padding may "
            "follow it");
  EXPECT_EQ(tiu_error(bytes + std::string(128, '\0')),
            "t: command 2 at byte 64: END ends at byte 80, so the stream is 128 bytes with its "
            "padding to a multiple of 128, not 256");
  EXPECT_EQ(tiu_error(bytes.substr(0, 96)),
            "t: command 2 at byte 64: END ends at byte 80, so the stream is 128 bytes with its "
            "padding to a multiple of 128, not 96");
}

TEST(IsaStream, CmdIdNotCountingIsAnError) {
  std::string bytes = encode_stream(Engine::kTiu, {tiu("sCONV", 0, 0, 1), tiu("sAR", 3, 2, 2)});
  bytes[64] = static_cast<char>(bytes[64] ^ (2 << 1) ^ (3 << 1));  // sAR's cmd_id 2 → 3
  EXPECT_EQ(tiu_error(bytes),
            "t: command 2 at byte 64: cmd_id 3, expected 2 (commands count 1, 2, 3, ...)");
}

TEST(IsaStream, EncoderRefusesWhatWouldNotDecode) {
  const auto error = [](Engine engine, const std::vector<Command>& commands) {
    return error_of([&] { encode_stream(engine, commands); });
  };
  EXPECT_EQ(error(Engine::kTiu, {gdma("DMA_tensor", 0, 0, 1)}),
            "TIU stream: command 1 (DMA_tensor): a GDMA command");
  EXPECT_EQ(error(Engine::kTiu, {tiu("sAR", 3, 2, 2)}),
            "TIU stream: command 1 (sAR): cmd_id 2, expected 1 (commands count 1, 2, 3, ...)");
  EXPECT_EQ(error(Engine::kTiu, {end_command(Engine::kTiu, 1)}),
            "TIU stream: command 1 (SYSID): an END command: encode_stream appends the END itself");
  EXPECT_EQ(
      error(Engine::kTiu, {tiu("sAR", 2, 1, 1)}),
      "TIU stream: command 1 (sAR): its head names form sMM, so it would not decode as itself");
  EXPECT_EQ(error(Engine::kTiu, {tiu("LAR", 7, 0, 1)}),
            "TIU stream: command 1 (LAR): the form has no cmd_id to number it by");
}

// identify() reads cmd_short, the type and the subtype at fixed bits: every form of the engine
// that has these fields has them there (SYSID's bit 0 is rsvd0, LAR's opd0_w_str).
TEST(IsaForms, TheHeadIsWhereEveryFormPutsIt) {
  for (const Form& form : all_forms()) {
    const Head& h = head(form.engine);
    for (const Field& expected : {h.short_bit, h.type, h.subtype}) {
      const auto i = form.index_of(expected.name);
      if (!i) continue;
      EXPECT_EQ(form.fields[*i].lo, expected.lo) << form.name << " " << expected.name;
      EXPECT_EQ(form.fields[*i].hi, expected.hi) << form.name << " " << expected.name;
    }
    EXPECT_TRUE(form.index_of(h.type.name) && form.index_of(h.subtype.name)) << form.name;
    const bool has_short_bit = form.index_of("cmd_short").has_value();
    EXPECT_EQ(has_short_bit, form.name != "SYSID" && form.name != "LAR") << form.name;
  }
}
