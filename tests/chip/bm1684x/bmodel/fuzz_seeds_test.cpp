// Writes the seed corpus of the .bmodel fuzz target (tests/fuzz/bmodel_fuzzer.cpp): files the
// writer makes and damaged copies of them. Disabled: run it by hand with TPUC_BMODEL_SEEDS set to
// the folder to fill (tests/fuzz/bmodel_corpus), then let the fuzzer grow and merge the corpus.
#include <gtest/gtest.h>

#include <cstdlib>

#include "chip/bm1684x/bmodel/bmodel.h"
#include "ir/files.h"
#include "tests/chip/bm1684x/bmodel/samples.h"

using namespace tpuc::bm1684x::bmodel;
using namespace tpuc::bm1684x::bmodel::testing;

TEST(BmodelFuzzSeeds, DISABLED_WriteFuzzSeeds) {
  const char* folder = std::getenv("TPUC_BMODEL_SEEDS");
  ASSERT_NE(folder, nullptr) << "set TPUC_BMODEL_SEEDS to the corpus folder";
  const std::string tiny = serialize_bmodel(tiny_model());
  const std::string two = serialize_bmodel(two_subnet_model());
  const auto save = [&](const std::string& name, const std::string& bytes) {
    tpuc::write_file_atomic(std::string(folder) + "/seed-" + name, bytes);
  };
  save("tiny.bmodel", tiny);
  save("two-subnets.bmodel", two);
  save("tiny-header-only", tiny.substr(0, 64));
  save("tiny-half", tiny.substr(0, tiny.size() / 2));
  std::string magic = tiny;
  magic[3] = 0;
  save("tiny-magic", magic);
  // A byte of the FlatBuffer's tables and one of the blob, changed.
  std::string table = two;
  table[64 + 40] = static_cast<char>(table[64 + 40] ^ 0x5A);
  save("two-table-byte", table);
  std::string blob = two;
  blob[blob.size() - 200] = static_cast<char>(blob[blob.size() - 200] ^ 0x01);
  save("two-blob-byte", blob);
}
