// Commands: every field of every form set, encoded and decoded back (at 0, at its maximum, at
// seeded random values); a name the form lacks or a value too wide is an error naming both.
#include "chip/bm1684x/isa/command.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x::isa;
using tpuc::testing::error_of;

namespace {

// Sets every field by name (so each name is found) and checks the round trip through the bytes.
void expect_round_trip(const Form& form, const std::vector<uint64_t>& values) {
  Command command(form);
  for (size_t i = 0; i < form.fields.size(); ++i) command.set(form.fields[i].name, values[i]);
  const std::string bytes = command.encode();
  ASSERT_EQ(bytes.size(), form.bytes()) << form.name;
  const Command decoded = Command::decode(form, bytes);
  EXPECT_EQ(decoded, command) << form.name;
  for (size_t i = 0; i < form.fields.size(); ++i)
    EXPECT_EQ(decoded.get(form.fields[i].name), values[i])
        << form.name << " " << form.fields[i].name;
}

}  // namespace

TEST(IsaCommand, EveryFieldAtZeroRoundTrips) {
  for (const Form& form : all_forms()) {
    expect_round_trip(form, std::vector<uint64_t>(form.fields.size(), 0));
    EXPECT_EQ(Command(form).encode(), std::string(form.bytes(), '\0')) << form.name;
  }
}

TEST(IsaCommand, EveryFieldAtItsMaximumRoundTrips) {
  for (const Form& form : all_forms()) {
    std::vector<uint64_t> values;
    for (const Field& f : form.fields) values.push_back(f.max_value());
    expect_round_trip(form, values);
    Command command(form);
    for (size_t i = 0; i < values.size(); ++i) command.set_value(i, values[i]);
    // The fields tile the form, so all of them at their maximum set every bit.
    EXPECT_EQ(command.encode(), std::string(form.bytes(), '\xff')) << form.name;
  }
}

TEST(IsaCommand, SeededRandomValuesRoundTrip) {
  std::mt19937_64 random(20240615);
  for (int round = 0; round < 50; ++round) {
    for (const Form& form : all_forms()) {
      std::vector<uint64_t> values;
      for (const Field& f : form.fields) values.push_back(random() & f.max_value());
      expect_round_trip(form, values);
    }
  }
}

// One field alone set lands on its own bits and nowhere else.
TEST(IsaCommand, EachFieldOwnsItsBits) {
  for (const Form& form : all_forms()) {
    for (size_t i = 0; i < form.fields.size(); ++i) {
      Command command(form);
      command.set_value(i, form.fields[i].max_value());
      const std::string bytes = command.encode();
      for (unsigned bit = 0; bit < form.bits; ++bit) {
        const bool set = (static_cast<unsigned char>(bytes[bit / 8]) >> (bit % 8)) & 1;
        ASSERT_EQ(set, bit >= form.fields[i].lo && bit < form.fields[i].hi)
            << form.name << " " << form.fields[i].name << " bit " << bit;
      }
    }
  }
}

TEST(IsaCommand, RandomBytesDecodeAndEncodeBackUnchanged) {
  std::mt19937 random(7);
  for (const Form& form : all_forms()) {
    std::string bytes(form.bytes(), '\0');
    for (char& b : bytes) b = static_cast<char>(random() & 0xff);
    EXPECT_EQ(Command::decode(form, bytes).encode(), bytes) << form.name;
  }
}

TEST(IsaCommand, UnknownFieldIsAnErrorNamingFormAndField) {
  Command command(form_named("sAR"));
  EXPECT_EQ(error_of([&] { command.set("opd9_addr", 1); }),
            "BM1684X sAR command has no field 'opd9_addr'");
  EXPECT_EQ(error_of([&] { command.get("kernel"); }), "BM1684X sAR command has no field 'kernel'");
  EXPECT_FALSE(command.has("opd9_addr"));
  EXPECT_TRUE(command.has("res0_addr"));
}

TEST(IsaCommand, ValueTooWideIsAnErrorNamingFormAndField) {
  Command command(form_named("sAR"));
  EXPECT_EQ(error_of([&] { command.set("res0_prec", 8); }),
            "BM1684X sAR field res0_prec is 3 bits: 8 does not fit (at most 7)");
  EXPECT_EQ(error_of([&] { command.set("cmd_id", 1u << 20); }),
            "BM1684X sAR field cmd_id is 20 bits: 1048576 does not fit (at most 1048575)");
  command.set("res0_prec", 7).set("cmd_id", (1u << 20) - 1);
  EXPECT_EQ(command.get("res0_prec"), 7u);
  // A 64-bit field takes any value.
  Command long_form(form_named("CONV"));
  long_form.set("tsk_lane_num", ~uint64_t{0});
  EXPECT_EQ(long_form.get("tsk_lane_num"), ~uint64_t{0});
}

TEST(IsaCommand, ReadBitsAcrossBytes) {
  const std::string bytes = "\x34\x12\xff";
  EXPECT_EQ(read_bits(bytes, 0, 16), 0x1234u);
  EXPECT_EQ(read_bits(bytes, 4, 12), 0x23u);
  EXPECT_EQ(read_bits(bytes, 15, 17), 0x2u);
}
