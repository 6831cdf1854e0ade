// Damaged, truncated and foreign .bmodel files: each is one tpuc::Error naming the file and what
// is wrong, never a crash. Header damage is done on the bytes; table damage by unpacking the
// FlatBuffer with the schema's object API, changing a field and packing it again.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "bmodel_generated.h"
#include "chip/bm1684x/bmodel/bmodel.h"
#include "ir/diagnostics.h"
#include "tests/chip/bm1684x/bmodel/samples.h"
#include "tests/support/errors.h"

using namespace tpuc::bm1684x::bmodel;
using namespace tpuc::bm1684x::bmodel::testing;
using tpuc::testing::error_of;

namespace {

void set_le(std::string& bytes, size_t at, uint64_t value, int count) {
  for (int i = 0; i < count; ++i) bytes[at + i] = static_cast<char>(value >> (8 * i));
}

// Whether `text` contains `part`; on failure, says both.
::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string error_in(const std::string& bytes) {
  return error_of([&] { parse_bmodel(bytes, "bad.bmodel"); });
}

// `file` with the FlatBuffer `fbb` built in place of its own: the same blob, the header's
// flatbuffers_size updated.
std::string with_flatbuffer(const std::string& file, const flatbuffers::FlatBufferBuilder& fbb) {
  std::string out = file.substr(0, 64);
  set_le(out, 8, fbb.GetSize(), 4);
  out.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  out += file.substr(64 + read_le(file, 8, 4));
  return out;
}

// `file` with its FlatBuffer unpacked, changed and packed again.
std::string rebuilt(const std::string& file, const std::function<void(fb::ModelT&)>& change) {
  const std::vector<uint64_t> storage = flatbuffer_of(file);
  std::unique_ptr<fb::ModelT> model = fb::UnPackModel(storage.data());
  change(*model);
  flatbuffers::FlatBufferBuilder fbb;
  fb::FinishModelBuffer(fbb, fb::Model::Pack(fbb, model.get()));
  return with_flatbuffer(file, fbb);
}

fb::NetParameterT& stage_of(fb::ModelT& m) { return *m.net[0]->parameter[0]; }
fb::SubNetT& subnet_of(fb::ModelT& m) { return *stage_of(m).sub_net[0]; }
fb::CmdGroupT& group_of(fb::ModelT& m) { return *subnet_of(m).cmd_group[0]; }

// A FlatBuffer built field by field, with or without fields the schema requires (the object API
// always writes them). Everything present, it is a model whose stage has no subnet.
std::unique_ptr<flatbuffers::FlatBufferBuilder> hand_built(bool chip, bool net, bool inputs) {
  using flatbuffers::Offset;
  auto fbb = std::make_unique<flatbuffers::FlatBufferBuilder>();
  const auto tensors = fbb->CreateVector(std::vector<Offset<fb::Tensor>>{});
  fb::NetParameterBuilder stage_builder(*fbb);
  if (inputs) stage_builder.add_input_tensor(tensors);
  stage_builder.add_output_tensor(tensors);
  const Offset<fb::NetParameter> stage = stage_builder.Finish();
  const auto stages = fbb->CreateVector(std::vector<Offset<fb::NetParameter>>{stage});
  const Offset<fb::Net> one_net = fb::CreateNet(*fbb, fbb->CreateString("n"), 0, 0, stages);
  const auto nets = fbb->CreateVector(std::vector<Offset<fb::Net>>{one_net});
  const auto type = fbb->CreateString("B");
  const auto version = fbb->CreateString("2.2");
  const auto time = fbb->CreateString("");
  const auto chip_name = fbb->CreateString("BM1684X");
  fb::ModelBuilder model(*fbb);
  model.add_type(type);
  model.add_version(version);
  model.add_time(time);
  if (chip) model.add_chip(chip_name);
  if (net) model.add_net(nets);
  fb::FinishModelBuffer(*fbb, model.Finish());
  return fbb;
}

const std::string& tiny() {
  static const std::string bytes = serialize_bmodel(tiny_model());
  return bytes;
}

}  // namespace

TEST(BadBmodel, TheUntouchedSamplesAreRead) {
  EXPECT_EQ(error_in(tiny()), "no error");
  EXPECT_EQ(error_in(rebuilt(tiny(), [](fb::ModelT&) {})), "no error");
}

TEST(BadBmodel, TruncatedAnywhere) {
  const std::string& file = tiny();
  const size_t flatbuffer_end = 64 + read_le(file, 8, 4);
  EXPECT_TRUE(contains(error_in(file.substr(0, 0)), "bad.bmodel: not a .bmodel: 0 bytes"));
  EXPECT_TRUE(contains(error_in(file.substr(0, 3)), "no room for its magic"));
  for (size_t cut : {4, 20, 63}) {
    EXPECT_TRUE(contains(error_in(file.substr(0, cut)),
                         "truncated: " + std::to_string(cut) + " bytes, shorter than the 64-byte"));
  }
  for (size_t cut : {size_t(64), size_t(100), flatbuffer_end - 1}) {
    EXPECT_TRUE(contains(error_in(file.substr(0, cut)),
                         "flatbuffers_size " + std::to_string(flatbuffer_end - 64) +
                             " runs past the end of the file in a file of " + std::to_string(cut)));
  }
  for (size_t cut : {flatbuffer_end, flatbuffer_end + 100, file.size() - 1}) {
    EXPECT_TRUE(contains(error_in(file.substr(0, cut)),
                         "truncated: the header's binary_size 259 runs past the end"));
  }
}

TEST(BadBmodel, HeaderDamage) {
  std::string magic = tiny();
  magic[0] = char(0xFF);
  EXPECT_EQ(error_in(magic), "bad.bmodel: not a .bmodel: magic 0xFF55AAFF, expected 0xFF55AAEE");
  EXPECT_TRUE(contains(error_in("PK\3\4 a zip file, not a model"), "not a .bmodel: magic"));

  std::string header_size = tiny();
  set_le(header_size, 4, 65, 4);
  EXPECT_TRUE(contains(error_in(header_size), "header_size is 65, expected 64"));

  std::string huge_flatbuffer = tiny();
  set_le(huge_flatbuffer, 8, 0xFFFFFFFF, 4);
  EXPECT_TRUE(contains(error_in(huge_flatbuffer), "flatbuffers_size 4294967295 runs past"));

  std::string huge_blob = tiny();  // 64 + fb + binary_size would wrap around 2^64
  set_le(huge_blob, 12, ~uint64_t(0), 8);
  EXPECT_TRUE(contains(error_in(huge_blob), "binary_size 18446744073709551615 runs past"));

  EXPECT_TRUE(contains(error_in(tiny() + "x"),
                       "1 bytes after the blob, which the header says ends at byte"));
}

TEST(BadBmodel, FlatBufferThatFailsVerification) {
  const std::string verification = "the FlatBuffer fails verification";
  std::string root = tiny();
  set_le(root, 64, 0xFFFFFF00, 4);  // the root table's offset points far outside
  EXPECT_TRUE(contains(error_in(root), verification));

  // The FlatBuffer cut short by 8 bytes that the blob takes: the sizes agree, the tables do not.
  std::string short_flatbuffer = tiny();
  set_le(short_flatbuffer, 8, read_le(tiny(), 8, 4) - 8, 4);
  set_le(short_flatbuffer, 12, 259 + 8, 8);
  EXPECT_TRUE(contains(error_in(short_flatbuffer), verification));

  // Required fields missing: the chip's name, the net list, a stage's input tensors.
  EXPECT_TRUE(
      contains(error_in(with_flatbuffer(tiny(), *hand_built(false, true, true))), verification));
  EXPECT_TRUE(
      contains(error_in(with_flatbuffer(tiny(), *hand_built(true, false, true))), verification));
  EXPECT_TRUE(
      contains(error_in(with_flatbuffer(tiny(), *hand_built(true, true, false))), verification));
  EXPECT_EQ(error_in(with_flatbuffer(tiny(), *hand_built(true, true, true))),
            "bad.bmodel: net 'n' stage 0 has no sub_net");
}

TEST(BadBmodel, EveryFlippedFlatBufferByteIsAnErrorOrAModel) {
  const std::string& file = tiny();
  const size_t flatbuffer_end = 64 + read_le(file, 8, 4);
  size_t errors = 0;
  for (size_t at = 64; at < flatbuffer_end; ++at) {
    for (uint8_t flip : {0x01, 0x80, 0xFF}) {
      std::string damaged = file;
      damaged[at] = static_cast<char>(damaged[at] ^ flip);
      if (error_in(damaged) != "no error") ++errors;
    }
  }
  EXPECT_GT(errors, 0u);
}

TEST(BadBmodel, BinaryRangeOutsideTheBlob) {
  // On the bytes: the TIU binary's start, found through the generated accessors, moved past the
  // blob.
  std::string file = tiny();
  const std::vector<uint64_t> storage = flatbuffer_of(file);
  const auto* base = reinterpret_cast<const uint8_t*>(storage.data());
  const fb::Binary* binary = fb::GetModel(base)
                                 ->net()
                                 ->Get(0)
                                 ->parameter()
                                 ->Get(0)
                                 ->sub_net()
                                 ->Get(0)
                                 ->cmd_group()
                                 ->Get(0)
                                 ->binary_bdc();
  set_le(file, 64 + (reinterpret_cast<const uint8_t*>(binary) - base), uint64_t(1) << 40, 8);
  EXPECT_TRUE(contains(error_in(file),
                       "net 'tiny' stage 0 subnet 0 cmd_group 0 binary_bdc: "
                       "range [1099511627776, +128) lies outside the 259-byte "
                       "blob"));

  // A start and size whose sum wraps around 2^64.
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(),
                                        [](fb::ModelT& m) {
                                          stage_of(m).coeff_mem->binary_coeff =
                                              std::make_unique<fb::Binary>(~uint64_t(0), 2);
                                        })),
                       "coeff_mem binary_coeff: range [18446744073709551615, +2) lies outside"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(),
                                        [](fb::ModelT& m) {
                                          subnet_of(m).cmd_group[0]->binary_gdma =
                                              std::make_unique<fb::Binary>(200, 128);
                                        })),
                       "binary_gdma: range [200, +128) lies outside the 259-byte blob"));
}

TEST(BadBmodel, MissingTablesTpucNeeds) {
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { m.net[0]->parameter.clear(); })),
               "bad.bmodel: net 'tiny' has no parameter"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).sub_net.clear(); })),
               "net 'tiny' stage 0 has no sub_net"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).cmd_group.clear(); })),
               "subnet 0 (TPU) has no cmd_group"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).subnet_mode = 1; })),
               "subnet 0 (CPU) has no cpu_param"));
  EXPECT_TRUE(contains(
      error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).input_tensor[0]->shape.clear(); })),
      "net 'tiny' stage 0 input tensor 'x' has no shape"));
  EXPECT_TRUE(contains(
      error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).coeff_mem->check_code = {}; })),
      "coeff_mem check_code is 0 bytes, not a 32-byte SHA-256"));
}

TEST(BadBmodel, CommandGroupsThatDisagree) {
  EXPECT_TRUE(contains(
      error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).cmd_group[0]->bdc_num = 2; })),
      "net 'tiny' stage 0 cmd_group 0 differs from the same group in its subnet"));
  // The same sizes over other bytes of the blob.
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(),
                                        [](fb::ModelT& m) {
                                          stage_of(m).cmd_group[0]->binary_bdc =
                                              std::make_unique<fb::Binary>(0, 128);
                                        })),
                       "cmd_group 0 differs from the same group in its subnet"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).cmd_group.clear(); })),
               "stage 0 cmd_group lists 0 groups, its TPU subnets 1"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { group_of(m).bdc_cmd_byte = 64; })),
               "binary_bdc: 128 bytes, but the group's cmd_byte field says 64"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(),
                                        [](fb::ModelT& m) {
                                          group_of(m).binary_bdc =
                                              std::make_unique<fb::Binary>(3, 16);
                                          group_of(m).bdc_cmd_byte = 16;
                                        })),
                       "binary_bdc: 16 bytes, not padded to a multiple of 128"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { group_of(m).binary_gdma.reset(); })),
               "binary_gdma: 1 commands but no bytes"));
}

TEST(BadBmodel, ValuesTheRuntimeWouldRejectOrMisread) {
  std::string coefficient = tiny();
  coefficient[64 + read_le(coefficient, 8, 4)] = 'A';  // "abc" → "Abc"
  EXPECT_TRUE(contains(error_in(coefficient),
                       "coeff_mem check_code is not the SHA-256 of its 3 coefficient bytes"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).id = 5; })),
                       "subnet 0 has id 5; the runtime requires its index or -1"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).next_subnet_ids = {9}; })),
               "subnet 0 names subnet 9 as the next, of 1"));
  EXPECT_TRUE(
      contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).subnet_mode = 3; })),
               "subnet 0 has mode 3 (control flow), which tpuc does not read"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { stage_of(m).is_dynamic = 1; })),
                       "stage 0 is dynamic"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(), [](fb::ModelT& m) { m.neuron_size = 16; })),
                       "stage 0 ctx_size 8192 exceeds the model's neuron_size 16"));
  EXPECT_TRUE(contains(error_in(rebuilt(tiny(),
                                        [](fb::ModelT& m) {
                                          auto& shapes = stage_of(m).output_tensor[0]->shape;
                                          shapes.push_back(
                                              std::make_unique<fb::ShapeT>(*shapes[0]));
                                        })),
                       "output tensor 'y' has 2 shapes (a dynamic net"));
  EXPECT_TRUE(contains(
      error_in(rebuilt(tiny(), [](fb::ModelT& m) { subnet_of(m).input_tensor[0]->name = ""; })),
      "subnet 0 input has a tensor without a name"));
}

// A FlatBuffer may point at one table many times: a small file must not make the reader copy
// without bound.
TEST(BadBmodel, OneTensorReferredToThousandsOfTimes) {
  using flatbuffers::Offset;
  flatbuffers::FlatBufferBuilder fbb;
  const Offset<fb::Shape> shape =
      fb::CreateShape(fbb, fbb.CreateVector(std::vector<uint64_t>(20000, 1)));
  const Offset<fb::Tensor> tensor =
      fb::CreateTensor(fbb, fbb.CreateString("t"), 0, 0, 0, 0,
                       fbb.CreateVector(std::vector<Offset<fb::Shape>>{shape}));
  const auto tensors = fbb.CreateVector(std::vector<Offset<fb::Tensor>>(20000, tensor));
  fb::NetParameterBuilder stage_builder(fbb);
  stage_builder.add_input_tensor(tensors);
  stage_builder.add_output_tensor(tensors);
  const Offset<fb::NetParameter> stage = stage_builder.Finish();
  const Offset<fb::Net> net =
      fb::CreateNet(fbb, fbb.CreateString("n"), 0, 0,
                    fbb.CreateVector(std::vector<Offset<fb::NetParameter>>{stage}));
  fb::FinishModelBuffer(fbb, fb::CreateModel(fbb, fbb.CreateString("B"), fbb.CreateString("2.2"),
                                             fbb.CreateString(""), fbb.CreateString("BM1684X"),
                                             fbb.CreateVector(std::vector<Offset<fb::Net>>{net})));
  EXPECT_TRUE(
      contains(error_in(with_flatbuffer(tiny(), fbb)), "refers to the same data many times over"));
}

TEST(BadBmodel, MissingFile) {
  EXPECT_TRUE(contains(error_of([] { read_bmodel("/nonexistent/model.bmodel"); }),
                       "/nonexistent/model.bmodel: cannot open"));
}
