#include <gtest/gtest.h>

#include <string>

#include "fhir/search/extract.h"

namespace schakel::fhir::search {
namespace {

TEST(NormalizeStringTest, FoldsCaseAccentsAndWhitespace) {
  struct Case {
    std::string_view in, out;
  };
  const Case cases[] = {
      {"", ""},
      {"Jansen", "jansen"},
      {"MÜLLER", "muller"},
      {"Müller", "muller"},
      {"  Élodie \t\n Núñez  ", "elodie nunez"},
      {"Straße", "strasse"},
      {"Łódź", "lodz"},
      {"Ærøskøbing", "aeroskobing"},
      {"Œuvre", "oeuvre"},
      {"ĲSSEL", "ijssel"},
      {"Þór Ðið", "thor did"},
      {"Çağlar Şahin", "caglar sahin"},
      {"Dvořák", "dvorak"},
      {"ÀÁÂÃÄÅàáâãäåÿŸ", "aaaaaaaaaaaayy"},
      {"e\xCC\x81tude", "etude"},  // e + combining acute (decomposed form)
      {"van\xC2\xA0"
       "Dam",
       "van dam"},                       // no-break space
      {"5 × 3 ÷ 2", "5 × 3 ÷ 2"},        // not letters: kept
      {"Αθήνα Москва", "Αθήνα Москва"},  // other scripts are kept as they are
      {"O'Brien-Smith", "o'brien-smith"},
      {"a\xFF"
       "b",
       "a\xFF"
       "b"},  // not UTF-8: bytes kept
  };
  for (const Case& c : cases) EXPECT_EQ(NormalizeString(c.in), c.out) << c.in;
}

TEST(NormalizeStringTest, IsIdempotent) {
  for (std::string_view s : {"Müller", " A  b ", "Straße", "ĳ"}) {
    const std::string once = NormalizeString(s);
    EXPECT_EQ(NormalizeString(once), once) << s;
  }
}

}  // namespace
}  // namespace schakel::fhir::search
