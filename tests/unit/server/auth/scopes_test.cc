#include "server/auth/scopes.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace schakel::server::auth {
namespace {

ScopeSet MustParse(std::string_view text) {
  fhir::Result<ScopeSet> parsed = ScopeSet::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ScopeSet();
}

constexpr Permissions kCruds = Permissions::All();
constexpr Permissions kRs = Permissions::Of({Permission::kRead, Permission::kSearch});
constexpr Permissions kCud =
    Permissions::Of({Permission::kCreate, Permission::kUpdate, Permission::kDelete});

TEST(ScopeParse, ClinicalScopesInBothSyntaxes) {
  struct Case {
    std::string_view text;
    ScopeContext context;
    std::string_view type;
    Permissions permissions;
  };
  const Case cases[] = {
      // SMART 1.0
      {"patient/Observation.read", ScopeContext::kPatient, "Observation", kRs},
      {"user/Patient.write", ScopeContext::kUser, "Patient", kCud},
      {"system/*.*", ScopeContext::kSystem, "*", kCruds},
      {"patient/*.read", ScopeContext::kPatient, "*", kRs},
      // SMART 2.x
      {"patient/Observation.rs", ScopeContext::kPatient, "Observation", kRs},
      {"user/*.cruds", ScopeContext::kUser, "*", kCruds},
      {"system/Patient.cud", ScopeContext::kSystem, "Patient", kCud},
      {"patient/Condition.r", ScopeContext::kPatient, "Condition",
       Permissions::Of({Permission::kRead})},
      {"patient/Condition.s", ScopeContext::kPatient, "Condition",
       Permissions::Of({Permission::kSearch})},
      {"patient/Condition.cs", ScopeContext::kPatient, "Condition",
       Permissions::Of({Permission::kCreate, Permission::kSearch})},
      {"user/MedicationRequest.d", ScopeContext::kUser, "MedicationRequest",
       Permissions::Of({Permission::kDelete})},
  };
  for (const Case& c : cases) {
    ScopeSet set = MustParse(c.text);
    ASSERT_EQ(set.clinical().size(), 1U) << c.text;
    const ClinicalScope& scope = set.clinical()[0];
    EXPECT_EQ(scope.context, c.context) << c.text;
    EXPECT_EQ(scope.resource_type, c.type) << c.text;
    EXPECT_EQ(scope.permissions, c.permissions) << c.text;
    EXPECT_FALSE(scope.restriction) << c.text;
    EXPECT_EQ(scope.text, c.text);
    EXPECT_EQ(set.ToString(), c.text);
  }
}

TEST(ScopeParse, InvalidClinicalScopesAreErrorsNamingTheScope) {
  const std::string_view cases[] = {
      "patient/Observation.foo",
      "patient/.read",
      "nobody/Patient.read",
      "nobody/*.rs",
      "patient/Observation.",
      "patient/Observation",
      "patient/",
      "patient/Observation.sr",      // out of order
      "patient/Observation.rr",      // repeated
      "patient/Observation.cruds.",  // trailing dot
      "patient/Observation.x",
      "patient/Observation.READ",
      "patient/observation.read",  // type names are capitalized
      "patient/Obser-vation.read",
      "patient/**.read",
      "user/*.read?category=x",  // restriction needs v2 permissions
      "user/*.*?category=x",
      "patient/Observation.rs?",  // empty restriction
      "patient/Observation.rs?category",
      "patient/Observation.rs?=x",
      "patient/Observation.rs?category=",
      "patient/Observation.rs?a=1&",
      "patient/Observation.rs?a=1&&b=2",
      "patient/Observation.rs?a=%zz",
      "patient/Observation.rs?a=%4",
  };
  for (std::string_view text : cases) {
    fhir::Result<ScopeSet> parsed = ScopeSet::Parse(std::string("openid ") + std::string(text));
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), fhir::Code::kInvalidInput) << text;
    EXPECT_NE(parsed.status().message().find("\"" + std::string(text) + "\""),
              std::string_view::npos)
        << parsed.status().message();
  }
}

TEST(ScopeParse, FlagsAndUnknownScopes) {
  ScopeSet set = MustParse(
      "openid fhirUser profile launch launch/patient launch/encounter offline_access "
      "online_access https://example.org/custom launch/location foo/bar.baz urn:x:y "
      // Contexts are lowercase: this is no clinical scope at all.
      "Patient/Observation.read");
  for (std::string_view flag :
       {kScopeOpenId, kScopeFhirUser, kScopeProfile, kScopeLaunch, kScopeLaunchPatient,
        kScopeLaunchEncounter, kScopeOfflineAccess, kScopeOnlineAccess}) {
    EXPECT_TRUE(set.Has(flag)) << flag;
  }
  EXPECT_FALSE(set.Has("launch/location"));
  EXPECT_FALSE(set.Has("OpenID"));
  EXPECT_EQ(set.flags().size(), 8U);
  EXPECT_EQ(set.unknown(),
            (std::vector<std::string>{"https://example.org/custom", "launch/location",
                                      "foo/bar.baz", "urn:x:y", "Patient/Observation.read"}));
  EXPECT_TRUE(set.clinical().empty());
}

TEST(ScopeParse, Restrictions) {
  ScopeSet set = MustParse(
      "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/"
      "observation-category|laboratory&code=%7Cabc patient/Condition.rs");
  ASSERT_EQ(set.clinical().size(), 2U);
  const ClinicalScope& observation = set.clinical()[0];
  ASSERT_TRUE(observation.restriction);
  EXPECT_EQ(observation.restriction->query,
            "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory&"
            "code=%7Cabc");
  ASSERT_EQ(observation.restriction->params.size(), 2U);
  EXPECT_EQ(observation.restriction->params[0].first, "category");
  EXPECT_EQ(observation.restriction->params[0].second,
            "http://terminology.hl7.org/CodeSystem/observation-category|laboratory");
  EXPECT_EQ(observation.restriction->params[1].first, "code");
  EXPECT_EQ(observation.restriction->params[1].second, "|abc");
  EXPECT_FALSE(set.clinical()[1].restriction);
  // '+' is a literal plus, as in a date with a time zone.
  ScopeSet plus = MustParse("patient/Observation.rs?date=ge2020-01-01T00:00:00+01:00");
  EXPECT_EQ(plus.clinical()[0].restriction->params[0].second, "ge2020-01-01T00:00:00+01:00");
}

TEST(ScopeParse, WhitespaceAndDuplicates) {
  ScopeSet set = MustParse("  openid   patient/*.rs openid  patient/*.rs launch ");
  EXPECT_EQ(set.ToString(), "openid patient/*.rs launch");
  EXPECT_EQ(set.clinical().size(), 1U);
  // Empty and all-space strings are the empty set.
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("   ").empty());
  // Only spaces separate scopes.
  for (std::string_view text : {"openid\tlaunch", "openid\nlaunch", "openid\r\nlaunch",
                                "openid\xc2\xa0launch", "open\"id", "open\\id", "\x7f"}) {
    fhir::Result<ScopeSet> parsed = ScopeSet::Parse(text);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), fhir::Code::kInvalidInput);
  }
}

TEST(ScopeParse, Limits) {
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "x" + std::to_string(i) + " ";
  EXPECT_TRUE(ScopeSet::Parse(hundred).ok());
  EXPECT_FALSE(ScopeSet::Parse(hundred + "one-more").ok());
  // Duplicates count too: the bound is on work, not on the result.
  std::string repeated;
  for (int i = 0; i < 101; ++i) repeated += "openid ";
  EXPECT_FALSE(ScopeSet::Parse(repeated).ok());

  const std::string longest = "x" + std::string(kMaxScopeStringLength - 1, 'y');
  EXPECT_TRUE(ScopeSet::Parse(longest).ok());
  fhir::Result<ScopeSet> too_long = ScopeSet::Parse(longest + "y");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), fhir::Code::kInvalidInput);
}

TEST(ScopeGrants, ByContextTypeAndPermission) {
  ScopeSet set = MustParse("patient/Observation.rs user/*.r system/Patient.write openid");
  ASSERT_TRUE(set.Grants(ScopeContext::kPatient, "Observation", Permission::kRead));
  EXPECT_TRUE(set.Grants(ScopeContext::kPatient, "Observation", Permission::kRead)->unrestricted);
  EXPECT_FALSE(set.Grants(ScopeContext::kPatient, "Observation", Permission::kUpdate));
  EXPECT_FALSE(set.Grants(ScopeContext::kPatient, "Condition", Permission::kRead));
  // `*` covers every type.
  EXPECT_TRUE(set.Grants(ScopeContext::kUser, "Condition", Permission::kRead));
  EXPECT_FALSE(set.Grants(ScopeContext::kUser, "Condition", Permission::kSearch));
  EXPECT_TRUE(set.Grants(ScopeContext::kSystem, "Patient", Permission::kCreate));
  EXPECT_TRUE(set.Grants(ScopeContext::kSystem, "Patient", Permission::kDelete));
  EXPECT_FALSE(set.Grants(ScopeContext::kSystem, "Patient", Permission::kRead));
  // Any context.
  EXPECT_TRUE(set.Grants(std::nullopt, "Condition", Permission::kRead));
  EXPECT_TRUE(set.Grants(std::nullopt, "Patient", Permission::kUpdate));
  EXPECT_FALSE(set.Grants(std::nullopt, "Condition", Permission::kDelete));

  EXPECT_TRUE(set.HasContext(ScopeContext::kPatient));
  EXPECT_TRUE(set.HasContext(ScopeContext::kUser));
  EXPECT_TRUE(set.HasContext(ScopeContext::kSystem));
  EXPECT_FALSE(MustParse("patient/*.rs").HasContext(ScopeContext::kSystem));
}

TEST(ScopeGrants, RestrictionsAreOredUnlessOneScopeIsUnrestricted) {
  ScopeSet set = MustParse(
      "patient/Observation.rs?category=laboratory patient/Observation.r?category=vital-signs "
      "patient/Observation.s?category=laboratory");
  std::optional<Grant> read = set.Grants(ScopeContext::kPatient, "Observation", Permission::kRead);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->unrestricted);
  ASSERT_EQ(read->restrictions.size(), 2U);
  EXPECT_EQ(read->restrictions[0].query, "category=laboratory");
  EXPECT_EQ(read->restrictions[1].query, "category=vital-signs");
  // The same restriction from two scopes is listed once.
  std::optional<Grant> search =
      set.Grants(ScopeContext::kPatient, "Observation", Permission::kSearch);
  ASSERT_TRUE(search);
  ASSERT_EQ(search->restrictions.size(), 1U);

  ScopeSet wider = MustParse("patient/Observation.rs?category=laboratory patient/*.r");
  read = wider.Grants(ScopeContext::kPatient, "Observation", Permission::kRead);
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->unrestricted);
  EXPECT_TRUE(read->restrictions.empty());
}

TEST(ScopeSubset, ClinicalScopes) {
  struct Case {
    std::string_view requested;
    std::string_view granted;
    bool subset;
  };
  const Case cases[] = {
      {"", "", true},
      {"", "patient/*.rs", true},
      {"patient/Observation.rs", "patient/Observation.rs", true},
      {"patient/Observation.r", "patient/Observation.rs", true},
      {"patient/Observation.read", "patient/Observation.rs", true},
      {"patient/Observation.rs", "patient/Observation.read", true},
      {"patient/Observation.rs", "patient/*.rs", true},
      {"patient/*.rs", "patient/Observation.rs", false},
      {"patient/Observation.rs", "patient/Observation.r", false},
      {"patient/Observation.cruds", "patient/Observation.rs", false},
      // Permissions may come from several granted scopes.
      {"patient/*.*", "patient/*.read patient/*.write", true},
      {"patient/Observation.rs", "patient/Observation.r patient/*.s", true},
      // Contexts never stand in for one another.
      {"user/Observation.rs", "patient/Observation.rs", false},
      {"patient/Observation.rs", "user/*.cruds system/*.cruds", false},
      // Restrictions: unrestricted covers restricted, not the other way round.
      {"patient/Observation.rs?category=laboratory", "patient/Observation.rs", true},
      {"patient/Observation.rs?category=laboratory", "patient/*.rs", true},
      {"patient/Observation.rs", "patient/Observation.rs?category=laboratory", false},
      {"patient/Observation.rs?category=laboratory", "patient/Observation.rs?category=laboratory",
       true},
      {"patient/Observation.rs?category=%6Caboratory", "patient/Observation.rs?category=laboratory",
       true},
      {"patient/Observation.rs?category=vital-signs", "patient/Observation.rs?category=laboratory",
       false},
      // Flags must be granted too; unknown scopes are not compared.
      {"openid fhirUser", "openid fhirUser patient/*.rs", true},
      {"offline_access", "online_access", false},
      {"patient/*.rs offline_access", "patient/*.rs", false},
      {"patient/*.rs something-else", "patient/*.rs", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MustParse(c.requested).IsSubsetOf(MustParse(c.granted)), c.subset)
        << c.requested << " <= " << c.granted;
  }
}

TEST(ScopeSubset, DetectsEscalationOnRefresh) {
  const ScopeSet granted = MustParse("launch/patient openid fhirUser patient/Observation.rs");
  EXPECT_TRUE(MustParse("patient/Observation.rs").IsSubsetOf(granted));
  EXPECT_TRUE(MustParse("patient/Observation.r openid").IsSubsetOf(granted));
  EXPECT_FALSE(MustParse("patient/Observation.rs patient/Condition.rs").IsSubsetOf(granted));
  EXPECT_FALSE(MustParse("patient/Observation.cruds").IsSubsetOf(granted));
  EXPECT_FALSE(MustParse("patient/*.rs").IsSubsetOf(granted));
  EXPECT_FALSE(MustParse("user/Observation.rs").IsSubsetOf(granted));
  EXPECT_FALSE(MustParse("offline_access").IsSubsetOf(granted));
}

TEST(ScopeNarrowed, KeepsWhatIsAllowed) {
  struct Case {
    std::string_view requested;
    std::string_view allowed;
    std::string_view narrowed;
  };
  const Case cases[] = {
      {"openid fhirUser launch/patient patient/*.read offline_access",
       "openid fhirUser launch/patient patient/*.rs",
       "openid fhirUser launch/patient patient/*.read"},
      {"patient/Observation.rs", "patient/*.cruds", "patient/Observation.rs"},
      {"patient/*.cruds", "patient/*.rs", "patient/*.rs"},
      {"patient/*.*", "patient/*.read", "patient/*.rs"},
      {"patient/*.rs", "patient/Observation.rs patient/Condition.r",
       "patient/Observation.rs patient/Condition.r"},
      {"patient/*.rs", "patient/*.rs?category=laboratory", "patient/*.rs?category=laboratory"},
      {"patient/Observation.rs?category=laboratory", "patient/*.cruds",
       "patient/Observation.rs?category=laboratory"},
      {"patient/Observation.rs?category=vital-signs", "patient/*.rs?category=laboratory", ""},
      {"user/*.rs", "patient/*.cruds", ""},
      {"system/*.rs", "system/*.read system/Patient.rs", "system/*.rs"},
      // A narrower allowed scope after a wider one adds nothing.
      {"patient/Observation.cruds", "patient/*.rs patient/Observation.r", "patient/Observation.rs"},
      {"unknown-scope openid", "openid unknown-scope", "openid"},
  };
  for (const Case& c : cases) {
    const ScopeSet requested = MustParse(c.requested);
    const ScopeSet allowed = MustParse(c.allowed);
    const ScopeSet narrowed = requested.Narrowed(allowed);
    EXPECT_EQ(narrowed.ToString(), c.narrowed) << c.requested << " / " << c.allowed;
    EXPECT_TRUE(narrowed.IsSubsetOf(allowed)) << c.requested << " / " << c.allowed;
    EXPECT_TRUE(narrowed.IsSubsetOf(requested)) << c.requested << " / " << c.allowed;
    // What comes out parses back to the same set.
    EXPECT_EQ(MustParse(narrowed.ToString()).ToString(), narrowed.ToString());
  }
}

TEST(ScopePermissions, ToString) {
  EXPECT_EQ(kCruds.ToString(), "cruds");
  EXPECT_EQ(kRs.ToString(), "rs");
  EXPECT_EQ(kCud.ToString(), "cud");
  EXPECT_EQ(Permissions().ToString(), "");
  EXPECT_TRUE(kCruds.Contains(kRs));
  EXPECT_FALSE(kRs.Contains(kCruds));
  EXPECT_TRUE((kRs & kCud).empty());
  EXPECT_EQ(kRs | kCud, kCruds);
}

}  // namespace
}  // namespace schakel::server::auth
