#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/path/fhirpath.h"

namespace schakel::fhir::path {
namespace {

constexpr std::string_view kPatient = R"({
  "resourceType": "Patient", "id": "p1", "active": true,
  "birthDate": "1974-12-25",
  "_birthDate": {"extension": [{"url": "http://example.org/birthTime",
                                "valueDateTime": "1974-12-25T14:35:45-05:00"}]},
  "name": [{"use": "official", "family": "Chalmers", "given": ["Peter", "James"]},
           {"use": "usual", "given": ["Jim"]}],
  "gender": "male",
  "multipleBirthInteger": 2,
  "contained": [{"resourceType": "Organization", "id": "o1", "name": "Acme"}],
  "managingOrganization": {"reference": "#o1"}
})";

constexpr std::string_view kObservation = R"({
  "resourceType": "Observation", "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
  "effectiveDateTime": "2024-03-05T10:00:00Z",
  "valueQuantity": {"value": 185.50, "unit": "lbs", "system": "http://unitsofmeasure.org",
                    "code": "[lb_av]"}
})";

constexpr std::string_view kBundle = R"({
  "resourceType": "Bundle", "type": "collection",
  "entry": [
    {"fullUrl": "http://example.org/Patient/p1",
     "resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}},
    {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                  "code": {"text": "x"}, "subject": {"reference": "Patient/p1"}}}
  ]
})";

class FhirPathEvaluatorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::shared_ptr<const definitions::Registry>> r =
        definitions::Registry::Load(SCHAKEL_RESOURCE_DIR);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    registry_ = new std::shared_ptr<const definitions::Registry>(std::move(r).value());
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  static const definitions::Registry& registry() { return **registry_; }

  static json::Value Json(std::string_view text) {
    Result<json::Value> v = json::Parse(text);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : json::Value();
  }

  EvaluationContext Context() const {
    EvaluationContext context;
    context.registry = &registry();
    DateTimeValue now;
    now.year = 2026;
    now.month = 11;
    now.day = 23;
    now.hour = 13;
    now.precision = 7;
    now.has_zone = true;
    context.now = now;
    return context;
  }

  // "Type:value" per item, joined by " | "; complex values as "Type:{}".
  static std::string Show(const Collection& items) {
    std::string out;
    for (const Item& item : items) {
      if (!out.empty()) out += " | ";
      out += TypeName(item) + ":" + ItemToString(item, registry()).value_or("{}");
    }
    return out;
  }

  Result<std::string> Run(std::string_view resource, std::string_view expression) const {
    json::Value value = Json(resource);
    Result<Expression> e = Expression::Parse(expression);
    if (!e.ok()) return e.status();
    Result<Collection> result = e->Evaluate(value, Context());
    if (!result.ok()) return result.status();
    return Show(*result);
  }

  struct Case {
    std::string_view resource;
    const char* expression;
    const char* expected;
  };
  void RunCases(const std::vector<Case>& cases) const {
    for (const Case& c : cases) {
      Result<std::string> out = Run(c.resource, c.expression);
      ASSERT_TRUE(out.ok()) << c.expression << ": " << out.status().ToString();
      EXPECT_EQ(*out, c.expected) << c.expression;
    }
  }

 private:
  static inline std::shared_ptr<const definitions::Registry>* registry_ = nullptr;
};

TEST_F(FhirPathEvaluatorTest, NavigatesTypedElements) {
  RunCases({
      {kPatient, "Patient.name.given", "string:Peter | string:James | string:Jim"},
      {kPatient, "name.family", "string:Chalmers"},
      {kPatient, "Patient.name[1].given", "string:Jim"},
      {kPatient, "Patient.birthDate", "date:1974-12-25"},
      {kPatient, "Patient.gender", "code:male"},
      {kPatient, "Patient.name.first()", "HumanName:{}"},
      {kPatient, "Observation.status", ""},
      {kPatient, "Patient.multipleBirth", "integer:2"},
      {kPatient, "Patient.multipleBirth is integer", "Boolean:true"},
      {kPatient, "Patient.contained.name", "string:Acme"},
      {kPatient, "Patient.contained.ofType(Organization).id", "id:o1"},
      {kPatient, "Patient.contained.first() is DomainResource", "Boolean:true"},
      {kObservation, "Observation.value", "Quantity:185.5 '[lb_av]'"},
      {kObservation, "Observation.value.ofType(Quantity).unit", "string:lbs"},
      {kObservation, "Observation.value.value", "decimal:185.50"},
      {kObservation, "(Observation.value as Quantity).code", "code:[lb_av]"},
      {kObservation, "Observation.value is Quantity", "Boolean:true"},
      {kObservation, "Observation.value is Period", "Boolean:false"},
      {kObservation, "Observation.effective > @2024-03-05T09:00:00Z", "Boolean:true"},
      {kObservation, "Observation.value = 185.5 '[lb_av]'", "Boolean:true"},
      {kBundle, "Bundle.entry.resource.ofType(Patient).gender", "code:female"},
      {kBundle, "Bundle.entry.resource.ofType(Observation).subject.resolve().gender",
       "code:female"},
      {kPatient, "Patient.managingOrganization.resolve().name", "string:Acme"},
      {kPatient, "%resource.id", "id:p1"},
      {kPatient, "%context.gender", "code:male"},
      {kPatient, "%ucum", "String:http://unitsofmeasure.org"},
  });
}

TEST_F(FhirPathEvaluatorTest, ReadsPrimitiveExtensions) {
  RunCases({
      {kPatient, "Patient.birthDate.extension('http://example.org/birthTime').value",
       "dateTime:1974-12-25T14:35:45-05:00"},
      {kPatient, "Patient.birthDate.hasValue()", "Boolean:true"},
      {kPatient, "Patient.birthDate.getValue()", "Date:1974-12-25"},
      {kPatient, "Patient.name.first().hasValue()", "Boolean:false"},
      {kPatient, "Patient.birthDate.children().count()", "Integer:1"},
      {kPatient, "Patient.name.first().descendants().count()", "Integer:4"},
  });
}

TEST_F(FhirPathEvaluatorTest, Existence) {
  RunCases({
      {kPatient, "Patient.name.exists()", "Boolean:true"},
      {kPatient, "Patient.name.exists(use = 'nickname')", "Boolean:false"},
      {kPatient, "Patient.link.empty()", "Boolean:true"},
      {kPatient, "Patient.name.all(given.exists())", "Boolean:true"},
      {kPatient, "(true | false).allTrue()", "Boolean:false"},
      {kPatient, "(true | false).anyTrue()", "Boolean:true"},
      {kPatient, "{}.allFalse()", "Boolean:true"},
      {kPatient, "(false).anyFalse()", "Boolean:true"},
      {kPatient, "Patient.name.given.count()", "Integer:3"},
      {kPatient, "(1 | 1 | 2).count()", "Integer:2"},
      {kPatient, "(1).combine(1).distinct().count()", "Integer:1"},
      {kPatient, "(1).combine(1).isDistinct()", "Boolean:false"},
      {kPatient, "(1 | 2).subsetOf(1 | 2 | 3)", "Boolean:true"},
      {kPatient, "(1 | 2).supersetOf(3)", "Boolean:false"},
  });
}

TEST_F(FhirPathEvaluatorTest, FilteringSubsettingCombining) {
  RunCases({
      {kPatient, "Patient.name.where(use = 'usual').given", "string:Jim"},
      {kPatient, "Patient.name.select(given.first())", "string:Peter | string:Jim"},
      {kPatient, "Patient.name.given.where($index > 0)", "string:James | string:Jim"},
      {kPatient, "Patient.name.given.first().single()", "string:Peter"},
      {kPatient, "Patient.name.given.first()", "string:Peter"},
      {kPatient, "Patient.name.given.last()", "string:Jim"},
      {kPatient, "Patient.name.given.tail().count()", "Integer:2"},
      {kPatient, "Patient.name.given.skip(2)", "string:Jim"},
      {kPatient, "Patient.name.given.take(1)", "string:Peter"},
      {kPatient, "(1 | 2 | 3).intersect(2 | 3 | 4)", "Integer:2 | Integer:3"},
      {kPatient, "(1 | 2 | 3).exclude(2)", "Integer:1 | Integer:3"},
      {kPatient, "(1 | 2).union(2 | 3)", "Integer:1 | Integer:2 | Integer:3"},
      {kPatient, "(1 | 2).combine(2)", "Integer:1 | Integer:2 | Integer:2"},
      {kPatient, "(1 | 2 | 3).aggregate($this + $total, 0)", "Integer:6"},
      {kPatient, "Patient.repeat(contained).id", "id:o1"},
  });
}

TEST_F(FhirPathEvaluatorTest, OperatorsAndLogic) {
  RunCases({
      {kPatient, "1 + 2 * 3", "Integer:7"},
      {kPatient, "7 / 2", "Decimal:3.5"},
      {kPatient, "7 div 2", "Integer:3"},
      {kPatient, "7 mod 2", "Integer:1"},
      {kPatient, "1 / 0", ""},
      {kPatient, "1.5 + 1", "Decimal:2.5"},
      {kPatient, "'a' + 'b'", "String:ab"},
      {kPatient, "'a' & {}", "String:a"},
      {kPatient, "-(3)", "Integer:-3"},
      {kPatient, "true and {}", ""},
      {kPatient, "false and {}", "Boolean:false"},
      {kPatient, "true or {}", "Boolean:true"},
      {kPatient, "{} implies true", "Boolean:true"},
      {kPatient, "false implies {}", "Boolean:true"},
      {kPatient, "true xor true", "Boolean:false"},
      {kPatient, "{} = 1", ""},
      {kPatient, "(1 | 2) = (1 | 2)", "Boolean:true"},
      {kPatient, "1 = 1.0", "Boolean:true"},
      {kPatient, "'ABC' ~ 'abc'", "Boolean:true"},
      {kPatient, "1.01 ~ 1.0", "Boolean:true"},
      {kPatient, "@2012-04-15 = @2012-04-15T10:00:00", ""},
      {kPatient, "@2012 < @2013-01", "Boolean:true"},
      {kPatient, "@2012-01 < @2012-02-15", "Boolean:true"},
      {kPatient, "@2012-01 < @2012-01-15", ""},
      {kPatient, "@2012-04-15T10:00:00+02:00 = @2012-04-15T08:00:00Z", "Boolean:true"},
      {kPatient, "@T10:00 < @T10:00:01", ""},
      {kPatient, "Patient.birthDate < @1980", "Boolean:true"},
      {kPatient, "Patient.birthDate + 1 year", "Date:1975-12-25"},
      {kPatient, "@2020-01-31 + 1 month", "Date:2020-02-29"},
      {kPatient, "@2020-01-01T10:00:00Z - 90 minutes", "DateTime:2020-01-01T08:30:00Z"},
      {kPatient, "1 'kg' = 1000 'g'", "Boolean:true"},
      {kPatient, "7 days = 1 week", "Boolean:true"},
      {kPatient, "1 year = 1 'a'", ""},
      {kPatient, "'b' in ('a' | 'b')", "Boolean:true"},
      {kPatient, "('a' | 'b') contains 'c'", "Boolean:false"},
      {kPatient, "1 is Integer and 1 is System.Integer and 1.is(Decimal).not()", "Boolean:true"},
      {kPatient, "Patient.active is boolean and (Patient.active is Boolean).not()", "Boolean:true"},
      {kPatient, "Patient.gender is string", "Boolean:true"},
      {kPatient, "Patient.gender as string", ""},
  });
}

TEST_F(FhirPathEvaluatorTest, ConversionAndStringsAndMath) {
  RunCases({
      {kPatient, "iif(Patient.active, 'yes', 'no')", "String:yes"},
      {kPatient, "iif({}, 'yes')", ""},
      {kPatient, "'true'.toBoolean()", "Boolean:true"},
      {kPatient, "'12'.toInteger() + 1", "Integer:13"},
      {kPatient, "'1.5'.toDecimal()", "Decimal:1.5"},
      {kPatient, "'x'.convertsToInteger()", "Boolean:false"},
      {kPatient, "1.50.toString()", "String:1.50"},
      {kPatient, "'2020-01-02'.toDate()", "Date:2020-01-02"},
      {kPatient, "'2020-01-02T10:00:00Z'.toDateTime()", "DateTime:2020-01-02T10:00:00Z"},
      {kPatient, "'10:00'.toTime()", "Time:10:00"},
      {kPatient, "'5 \\'mg\\''.toQuantity()", "Quantity:5 'mg'"},
      {kPatient, "'4 days'.toQuantity() = 4 days", "Boolean:true"},
      {kPatient, "'abcdef'.indexOf('cd')", "Integer:2"},
      {kPatient, "'abcdef'.substring(1, 2)", "String:bc"},
      {kPatient, "'abcdef'.startsWith('ab') and 'abcdef'.endsWith('ef')", "Boolean:true"},
      {kPatient, "'abc'.contains('b')", "Boolean:true"},
      {kPatient, "'aBc'.upper() + 'aBc'.lower()", "String:ABCabc"},
      {kPatient, "'a.b.c'.replace('.', '-')", "String:a-b-c"},
      {kPatient, "'abc123'.matches('[a-z]+[0-9]+')", "Boolean:true"},
      {kPatient, "'abc123'.replaceMatches('[0-9]', 'x')", "String:abcxxx"},
      {kPatient, "'abc'.length()", "Integer:3"},
      {kPatient, "'ab'.toChars()", "String:a | String:b"},
      {kPatient, "(-5).abs()", "Integer:5"},
      {kPatient, "1.1.ceiling()", "Integer:2"},
      {kPatient, "1.9.floor()", "Integer:1"},
      {kPatient, "(-1.9).truncate()", "Integer:-1"},
      {kPatient, "3.14159.round(2)", "Decimal:3.14"},
      {kPatient, "16.sqrt()", "Decimal:4"},
      {kPatient, "2.power(10)", "Integer:1024"},
      {kPatient, "100.log(10)", "Decimal:2"},
      {kPatient, "1.exp().ln()", "Decimal:1"},
      {kPatient, "today()", "Date:2026-11-23"},
      {kPatient, "now() > @2026-01-01T00:00:00Z", "Boolean:true"},
      {kPatient, "Patient.name.trace('n').count()", "Integer:2"},
  });
}

TEST_F(FhirPathEvaluatorTest, ReflectionOrderingBoundariesEncoding) {
  RunCases({
      {kPatient, "1.type().name + '/' + Patient.active.type().namespace", "String:Integer/FHIR"},
      {kPatient, "Patient.name.given.sort()", "string:James | string:Jim | string:Peter"},
      {kPatient, "(1 | 3 | 2).sort(-$this)", "Integer:3 | Integer:2 | Integer:1"},
      {kPatient, "Patient.name.sort(family).first().use", "code:usual"},
      {kPatient, "1.58700.precision()", "Integer:5"},
      {kPatient, "@2014-01-05T10:30.precision()", "Integer:12"},
      {kPatient, "1.587.lowBoundary()", "Decimal:1.58650000"},
      {kPatient, "(-1.587).highBoundary(2)", "Decimal:-1.58"},
      {kPatient, "120.highBoundary(2)", "Decimal:120.50"},
      {kPatient, "0.0.lowBoundary(2)", "Decimal:-0.05"},
      {kPatient, "1.587.lowBoundary(29)", ""},
      {kPatient, "@2014.highBoundary(8)", "Date:2014-12-31"},
      {kPatient, "@2014-02.highBoundary(8)", "Date:2014-02-28"},
      {kPatient, "@2014-01-01T08:05.lowBoundary(17)", "DateTime:2014-01-01T08:05:00.000+14:00"},
      {kPatient, "@T10:30.highBoundary(9)", "Time:10:30:59.999"},
      {kPatient, "'test'.encode('base64') + 'test'.encode('hex')", "String:dGVzdA==74657374"},
      {kPatient, "'dGVzdA=='.decode('base64')", "String:test"},
      {kPatient, "'<a>'.escape('html')", "String:&lt;a&gt;"},
      {kPatient, "1 'cm'.comparable(1 '[in_i]') and 1 'cm'.comparable(1 's').not()",
       "Boolean:true"},
  });
}

TEST_F(FhirPathEvaluatorTest, BoundsRegularExpressions) {
  // The matcher recurses per character: subjects are bounded (and this one stays on the stack,
  // sanitizers included).
  const std::string subject(4000, 'a');
  Result<std::string> ok = Run(kPatient, "'" + subject + "'.matches('^(a|b)*$')");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, "Boolean:true");
  const std::string too_long(5000, 'a');
  Result<std::string> refused = Run(kPatient, "'" + too_long + "'.matches('a')");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("too long"), std::string_view::npos);
}

TEST_F(FhirPathEvaluatorTest, ExternalConstants) {
  json::Value patient = Json(kPatient);
  EvaluationContext context = Context();
  context.variables["limit"] = Collection{Item::Integer(1)};
  Result<Expression> e = Expression::Parse("Patient.name.given.take(%limit)");
  ASSERT_TRUE(e.ok());
  Result<Collection> out = e->Evaluate(patient, context);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Show(*out), "string:Peter");
}

TEST_F(FhirPathEvaluatorTest, ErrorsAreStatuses) {
  struct Case {
    const char* expression;
    Code code;
    const char* message;
  } cases[] = {
      {"Patient.name.given.single()", Code::kUnprocessable, "offset 19: single() on"},
      {"Patient.name.given + 'x'", Code::kUnprocessable, "expected a single item"},
      {"1 < 'a'", Code::kUnprocessable, "cannot compare"},
      {"%nope", Code::kUnprocessable, "unknown variable %nope"},
      {"Patient.frobnicate()", Code::kUnprocessable, "unknown function frobnicate()"},
      {"'a'.substring()", Code::kUnprocessable, "takes 1 to 2 arguments"},
      {"iif('x', 1, 2)", Code::kUnprocessable, "must be a Boolean"},
      {"1.is(Nonsense)", Code::kUnprocessable, "unknown type"},
      {"'a'.matches('(')", Code::kUnprocessable, "invalid regular expression"},
      {"Patient.gender.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')",
       Code::kNotSupported, "memberOf"},
      {"Patient.name +", Code::kInvalidInput, "end of expression"},
  };
  for (const Case& c : cases) {
    Result<std::string> out = Run(kPatient, c.expression);
    ASSERT_FALSE(out.ok()) << c.expression << " gave " << *out;
    EXPECT_EQ(out.status().code(), c.code) << c.expression << ": " << out.status().ToString();
    EXPECT_NE(out.status().message().find(c.message), std::string_view::npos)
        << c.expression << ": " << out.status().message();
  }
}

TEST_F(FhirPathEvaluatorTest, BoundsCollectionGrowth) {
  json::Value patient = Json(kPatient);
  EvaluationContext context = Context();
  context.limits.max_items = 10;
  Result<Expression> e = Expression::Parse("Patient.descendants()");
  ASSERT_TRUE(e.ok());
  Result<Collection> out = e->Evaluate(patient, context);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issues()[0].type, IssueType::kTooCostly);
  // repeat() over a projection that keeps producing new items stops at the bound.
  Result<Expression> growing = Expression::Parse("1.repeat($this + 1)");
  ASSERT_TRUE(growing.ok());
  Result<Collection> grown = growing->Evaluate(patient, context);
  ASSERT_FALSE(grown.ok());
  EXPECT_EQ(grown.status().issues()[0].type, IssueType::kTooCostly);
  // Nested iteration stays within max_items but not within max_steps.
  context.limits.max_items = 100'000;
  context.limits.max_steps = 200;
  Result<Expression> nested = Expression::Parse(
      "Patient.descendants().select(%resource.descendants().select(%resource.descendants()))");
  ASSERT_TRUE(nested.ok());
  Result<Collection> slow = nested->Evaluate(patient, context);
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.status().message().find("steps"), std::string_view::npos);
}

TEST_F(FhirPathEvaluatorTest, RendersResultsAsJson) {
  json::Value patient = Json(kPatient);
  Result<Expression> e = Expression::Parse("Patient.name.given.first() | 1 | 2.50 | name[1]");
  ASSERT_TRUE(e.ok());
  Result<Collection> out = e->Evaluate(patient, Context());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::Serialize(ResultToJson(*out, registry())),
            R"([{"type":"string","value":"Peter"},{"type":"System.Integer","value":1},)"
            R"({"type":"System.Decimal","value":2.50},)"
            R"({"type":"HumanName","value":{"use":"usual","given":["Jim"]}}])");
}

TEST_F(FhirPathEvaluatorTest, EvaluatesConcurrently) {
  json::Value patient = Json(kPatient);
  Result<Expression> e = Expression::Parse("Patient.name.where(use = 'official').given.count()");
  ASSERT_TRUE(e.ok());
  EvaluationContext context = Context();
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Result<Collection> out = e->Evaluate(patient, context);
        if (out.ok() && out->size() == 1 && (*out)[0].integer == 2) ++ok[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int n : ok) EXPECT_EQ(n, 200);
}

}  // namespace
}  // namespace schakel::fhir::path
