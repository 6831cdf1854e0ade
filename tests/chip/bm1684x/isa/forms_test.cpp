// The form tables: every form's fields tile its width, and the forms and widths are the chip's.
#include "chip/bm1684x/isa/forms.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x::isa;
using tpuc::testing::error_of;

TEST(IsaForms, EveryFormTilesItsWidthExactly) {
  for (const Form& form : all_forms()) EXPECT_EQ(tiling_problem(form), "") << form.name;
}

TEST(IsaForms, TilingProblemsAreFound) {
  Form form;
  form.name = "test";
  form.bits = 16;
  form.fields = {{"a", 0, 4}, {"b", 6, 16}};
  EXPECT_EQ(tiling_problem(form), "test: field b [6, 16) leaves bits [4, 6) uncovered");
  form.fields = {{"a", 0, 8}, {"b", 6, 16}};
  EXPECT_EQ(tiling_problem(form), "test: field b [6, 16) overlaps the field before it");
  form.fields = {{"a", 0, 8}, {"b", 8, 12}};
  EXPECT_EQ(tiling_problem(form), "test: the fields cover 12 bits, the form has 16");
  form.fields = {{"a", 0, 8}, {"a", 8, 16}};
  EXPECT_EQ(tiling_problem(form), "test: field a [8, 16) repeats a name");
  form.bits = 12;
  EXPECT_EQ(tiling_problem(form), "test: width 12 is not a positive whole number of bytes");
}

// The widths of ../shared/reference/bmodel.md §4 (from regdef.py).
TEST(IsaForms, TheChipsFormsWithTheirWidths) {
  const std::map<std::string, unsigned> expected = {{"CONV", 1024},
                                                    {"PorD", 1024},
                                                    {"MM", 1024},
                                                    {"MM2", 1024},
                                                    {"AR", 1024},
                                                    {"RQ&DQ", 1024},
                                                    {"TRANS&BC", 1024},
                                                    {"SG", 1024},
                                                    {"SGL", 1024},
                                                    {"SFU", 1024},
                                                    {"LIN", 1024},
                                                    {"CMP", 1024},
                                                    {"VC", 1024},
                                                    {"SEG", 1024},
                                                    {"SYSID", 128},
                                                    {"LAR", 128},
                                                    {"sCONV", 512},
                                                    {"sPorD", 512},
                                                    {"sMM", 384},
                                                    {"sMM2", 256},
                                                    {"sAR", 512},
                                                    {"sRQ&sDQ", 256},
                                                    {"sTRANS&sBC", 256},
                                                    {"sSG", 384},
                                                    {"sSGL", 384},
                                                    {"sSFU", 256},
                                                    {"sLIN", 256},
                                                    {"sCMP", 384},
                                                    {"sVC", 384},
                                                    {"sSEG", 128},
                                                    {"DMA_tensor", 768},
                                                    {"DMA_matrix", 768},
                                                    {"DMA_masked_select", 768},
                                                    {"DMA_general", 768},
                                                    {"DMA_cw_transpose", 768},
                                                    {"DMA_nonzero", 768},
                                                    {"DMA_gather", 768},
                                                    {"DMA_scatter", 768},
                                                    {"sDMA_matrix", 512},
                                                    {"sDMA_masked_select", 512},
                                                    {"sDMA_general", 384},
                                                    {"sDMA_nonzero", 384},
                                                    {"sDMA_sys", 128}};
  std::map<std::string, unsigned> actual;
  for (const Form& form : all_forms()) {
    EXPECT_TRUE(actual.emplace(std::string(form.name), form.bits).second) << form.name;
    EXPECT_EQ(form.engine, form.name.find("DMA") == form.name.npos ? Engine::kTiu : Engine::kGdma)
        << form.name;
    EXPECT_NE(form.source.find("regdef.py"), form.source.npos) << form.name;
  }
  EXPECT_EQ(actual, expected);
}

TEST(IsaForms, UnknownFormIsAnError) {
  EXPECT_EQ(&form_named("sAR"), find_form("sAR"));
  EXPECT_EQ(find_form("sXX"), nullptr);
  EXPECT_NE(error_of([] { form_named("sXX"); }).find("unknown BM1684X command form 'sXX'"),
            std::string::npos);
}
