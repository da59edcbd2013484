// put_search_data: stores a generated R4 data set for the search benchmark (bench/search.sh) with
// PUT over keep-alive connections, and prints the load rate as it goes.
//
//   put_search_data load HOST PORT PATIENTS CONNECTIONS
//   put_search_data codes       the Observation codes, one "TIER CODE COUNT" line each, where
//                               COUNT is how many Observations get it for PATIENTS=10000
//
// For PATIENTS = P the set is (P = 10,000 gives 100,200 resources):
//   Organization/org1..org{P/100}    a practice with an AGB-like identifier;
//   Practitioner/prac1..prac{P/100}  a GP with a name and an AGB-like identifier;
//   Patient/p1..p{P}                 BSN identifier
//   http://fhir.nl/fhir/NamingSystem/bsn|{900000000+N}
//                                    (9 digits, not 11-proof), name, gender, birthDate,
//                                    generalPractitioner and managingOrganization;
//   Observation/obs1..obs{8P}        subject Patient/p{(i-1)%P+1} (8 per patient), one of 20 LOINC
//                                    codes (below), effectiveDateTime spread evenly over
//                                    2010-2024, valueQuantity in UCUM units;
//   MedicationStatement/ms1..ms{P}   subject Patient/p{(i-1)%P+1} (one per patient), an ATC code,
//                                    effectiveDateTime, informationSource a Practitioner.
// The codes are skewed so that one token search has many matches and the others few: 8867-4
// (heart rate) is 65% of the Observations (52,000 of 80,000: the `_summary=count` target needs a
// query with >= 50,000 matches), four vital signs share 25%, and 15 laboratory codes share 10%
// (~530 each). Every value comes from a hash of the resource's number, so the data set is the same
// on every run whatever the order the connections store it in.
//
// bench/search.sh loads the Synthea bundles in ../shared/fhir/synthea/ after this set, with
// synthea_r4: they are STU3 (Synthea v2.4), which the server (R4) rightly rejects, so synthea_r4
// converts them to R4 first with the table of mappings in synthea_convert.h.
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// A deterministic pseudo-random number for (stream, i): splitmix64.
std::uint64_t Hash(std::uint64_t stream, std::uint64_t i) {
  std::uint64_t z = stream * 0x9E3779B97F4A7C15ULL + i + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Code {
  const char* tier;  // popular, medium or rare
  const char* code;
  const char* display;
  const char* category;  // vital-signs or laboratory
  const char* ucum;
  double low, high;  // value range
  int decimals;
};

// Tier shares: popular 6500/10000, medium 2500/10000 split evenly over 4, rare 1000/10000 over 15.
constexpr Code kCodes[] = {
    {"popular", "8867-4", "Heart rate", "vital-signs", "/min", 45, 130, 0},
    {"medium", "8480-6", "Systolic blood pressure", "vital-signs", "mm[Hg]", 95, 190, 0},
    {"medium", "8462-4", "Diastolic blood pressure", "vital-signs", "mm[Hg]", 55, 115, 0},
    {"medium", "29463-7", "Body weight", "vital-signs", "kg", 3, 140, 1},
    {"medium", "8302-2", "Body height", "vital-signs", "cm", 50, 200, 0},
    {"rare", "39156-5", "Body mass index (BMI) [Ratio]", "vital-signs", "kg/m2", 15, 45, 1},
    {"rare", "8310-5", "Body temperature", "vital-signs", "Cel", 35.5, 40.5, 1},
    {"rare", "9279-1", "Respiratory rate", "vital-signs", "/min", 10, 30, 0},
    {"rare", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "vital-signs", "%",
     85, 100, 0},
    {"rare", "2339-0", "Glucose [Mass/volume] in Blood", "laboratory", "mg/dL", 60, 300, 0},
    {"rare", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "laboratory", "mg/dL", 120,
     320, 0},
    {"rare", "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "laboratory", "mg/dL",
     25, 100, 0},
    {"rare", "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay",
     "laboratory", "mg/dL", 50, 220, 0},
    {"rare", "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "laboratory", "mg/dL", 40,
     500, 0},
    {"rare", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "laboratory", "%", 4, 12, 1},
    {"rare", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "laboratory", "mg/dL", 0.4, 3,
     2},
    {"rare", "718-7", "Hemoglobin [Mass/volume] in Blood", "laboratory", "g/dL", 8, 18, 1},
    {"rare", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "laboratory", "10*3/uL",
     2, 20, 1},
    {"rare", "777-3", "Platelets [#/volume] in Blood by Automated count", "laboratory", "10*3/uL",
     100, 450, 0},
    {"rare", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "laboratory", "mmol/L", 3, 6,
     1},
};
constexpr int kMedium = 4;
constexpr int kRare = 15;

const Code& ObservationCode(long i) {
  const std::uint64_t h = Hash(1, static_cast<std::uint64_t>(i)) % 10000;
  if (h < 6500) return kCodes[0];
  if (h < 9000) return kCodes[1 + (h - 6500) * kMedium / 2500];
  return kCodes[1 + kMedium + (h - 9000) * kRare / 1000];
}

struct Medication {
  const char* atc;
  const char* display;
  const char* dosage;
};

constexpr Medication kMedications[] = {
    {"C10AA05", "atorvastatine", "1 maal per dag 1 tablet"},
    {"C10AA01", "simvastatine", "1 maal per dag 1 tablet, 's avonds"},
    {"A10BA02", "metformine", "2 maal per dag 1 tablet"},
    {"C09AA02", "enalapril", "1 maal per dag 1 tablet"},
    {"C07AB02", "metoprolol", "1 maal per dag 1 tablet"},
    {"B01AC06", "acetylsalicylzuur", "1 maal per dag 1 tablet"},
    {"A02BC01", "omeprazol", "1 maal per dag 1 capsule, voor het ontbijt"},
    {"C03CA01", "furosemide", "1 maal per dag 1 tablet, 's ochtends"},
    {"R03AC02", "salbutamol", "zo nodig 1-2 inhalaties"},
    {"N02BE01", "paracetamol", "zo nodig 3 maal per dag 2 tabletten"},
};

constexpr const char* kFamilies[] = {
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker",   "Janssen",
    "Visser",  "Smit",   "Meijer",   "de Boer",      "Mulder",   "de Groot", "Bos",
    "Vos",     "Peters", "Hendriks", "van Leeuwen",  "Dekker",   "Brouwer"};
constexpr const char* kGivenFemale[] = {"Anna", "Emma",  "Julia", "Sophie", "Maria",
                                        "Tess", "Sanne", "Lotte", "Eva",    "Fenna"};
constexpr const char* kGivenMale[] = {"Jan",  "Daan", "Sem",   "Lucas", "Pieter",
                                      "Kees", "Bram", "Thijs", "Luuk",  "Willem"};

template <typename T, std::size_t N>
const T& Pick(const T (&items)[N], std::uint64_t h) {
  return items[h % N];
}

// "YYYY-MM-DDThh:mm:ss+01:00" for a moment spread evenly over 2010-01-01..2024-12-31.
std::string DateTime(std::uint64_t h) {
  // Days since 2010-01-01 (15 years, 5479 days), then the civil date.
  long days = static_cast<long>(h % 5479);
  int year = 2010;
  while (true) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int length = leap ? 366 : 365;
    if (days < length) break;
    days -= length;
    ++year;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int month_days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  while (days >= month_days[month]) days -= month_days[month++];
  const std::uint64_t t = h >> 20;
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:00+01:00", year, month + 1,
                static_cast<int>(days) + 1, static_cast<int>(7 + t % 11),
                static_cast<int>((t >> 8) % 60));
  return buffer;
}

std::string Decimal(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

struct Counts {
  long organizations, practitioners, patients, observations, statements;
  long Total() const {
    return organizations + practitioners + patients + observations + statements;
  }
};

Counts CountsFor(long patients) {
  const long hundredth = patients / 100 > 0 ? patients / 100 : 1;
  return {hundredth, hundredth, patients, 8 * patients, patients};
}

std::string OrganizationBody(long n) {
  const std::string id = "org" + std::to_string(n);
  return R"j({"resourceType":"Organization","id":")j" + id +
         R"j(","identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/agb-z","value":")j" +
         std::to_string(1000000 + n) +
         R"j("}],"active":true,"type":[{"coding":[{"system":)j"
         R"j("http://nictiz.nl/fhir/NamingSystem/organization-type","code":"Z3","display":)j"
         R"j("Huisartspraktijk"}]}],"name":"Huisartsenpraktijk )j" +
         Pick(kFamilies, Hash(2, n)) + " " + std::to_string(n) +
         R"j(","address":[{"line":["Dorpsstraat )j" + std::to_string(n) +
         R"j("],"city":"Utrecht","country":"NL"}]})j";
}

std::string PractitionerBody(long n) {
  const std::string id = "prac" + std::to_string(n);
  const std::uint64_t h = Hash(3, n);
  return R"j({"resourceType":"Practitioner","id":")j" + id +
         R"j(","identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/agb-z","value":")j" +
         std::to_string(2000000 + n) +
         R"j("}],"active":true,"name":[{"use":"official","family":")j" + Pick(kFamilies, h) +
         R"j(","given":[")j" + Pick(kGivenMale, h >> 8) +
         R"j("],"prefix":["dr."]}],"gender":"male"})j";
}

std::string PatientBody(long n, long practices) {
  const std::string id = "p" + std::to_string(n);
  const std::uint64_t h = Hash(4, n);
  const bool female = h % 2 == 0;
  const std::string given = female ? Pick(kGivenFemale, h >> 8) : Pick(kGivenMale, h >> 8);
  const std::string family = Pick(kFamilies, h >> 16);
  const long practice = static_cast<long>((h >> 24) % practices) + 1;
  // Born 1930..2020, any month, days 1..28 (so every date exists).
  char birth[16];
  std::snprintf(birth, sizeof birth, "%04d-%02d-%02d", 1930 + static_cast<int>((h >> 32) % 91),
                1 + static_cast<int>((h >> 40) % 12), 1 + static_cast<int>((h >> 48) % 28));
  return R"j({"resourceType":"Patient","id":")j" + id +
         R"j(","identifier":[{"use":"official","system":"http://fhir.nl/fhir/NamingSystem/bsn","value":")j" +
         std::to_string(900000000 + n) +
         R"j("}],"active":true,"name":[{"use":"official","family":")j" + family +
         R"j(","given":[")j" + given + R"j("]}],"telecom":[{"system":"phone","value":"+31 6 )j" +
         std::to_string(10000000 + n) + R"j(","use":"mobile"}],"gender":")j" +
         (female ? "female" : "male") + R"j(","birthDate":")j" + birth +
         R"j(","address":[{"use":"home","line":["Lindelaan )j" + std::to_string(n % 200 + 1) +
         R"j("],"city":"Utrecht","postalCode":"3581 AB","country":"NL"}],)j"
         R"j("generalPractitioner":[{"reference":"Practitioner/prac)j" +
         std::to_string(practice) +
         R"j("}],"managingOrganization":{"reference":"Organization/org)j" +
         std::to_string(practice) + R"j("}})j";
}

std::string ObservationBody(long n, long patients) {
  const std::string id = "obs" + std::to_string(n);
  const Code& code = ObservationCode(n);
  const std::uint64_t h = Hash(6, n);
  const double value = code.low + (code.high - code.low) * static_cast<double>(h % 10001) / 10000;
  return R"j({"resourceType":"Observation","id":")j" + id +
         R"j(","status":"final","category":[{"coding":[{"system":)j"
         R"j("http://terminology.hl7.org/CodeSystem/observation-category","code":")j" +
         code.category + R"j("}]}],"code":{"coding":[{"system":"http://loinc.org","code":")j" +
         code.code + R"j(","display":")j" + code.display +
         R"j("}]},"subject":{"reference":"Patient/p)j" + std::to_string((n - 1) % patients + 1) +
         R"j("},"effectiveDateTime":")j" + DateTime(Hash(7, n)) +
         R"j(","valueQuantity":{"value":)j" + Decimal(value, code.decimals) + R"j(,"unit":")j" +
         code.ucum + R"j(","system":"http://unitsofmeasure.org","code":")j" + code.ucum +
         R"j("}})j";
}

std::string MedicationStatementBody(long n, long patients, long practitioners) {
  const std::string id = "ms" + std::to_string(n);
  const std::uint64_t h = Hash(8, n);
  const Medication& m = Pick(kMedications, h);
  return R"j({"resourceType":"MedicationStatement","id":")j" + id + R"j(","status":")j" +
         ((h >> 8) % 3 == 0 ? "completed" : "active") +
         R"j(","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":")j" +
         m.atc + R"j(","display":")j" + m.display + R"j("}],"text":")j" + m.display +
         R"j("},"subject":{"reference":"Patient/p)j" + std::to_string((n - 1) % patients + 1) +
         R"j("},"effectiveDateTime":")j" + DateTime(Hash(9, n)) +
         R"j(","informationSource":{"reference":"Practitioner/prac)j" +
         std::to_string(static_cast<long>((h >> 16) % practitioners) + 1) +
         R"j("},"dosage":[{"text":")j" + m.dosage + R"j("}]})j";
}

// The j-th resource of the load, in order: Organizations, Practitioners, Patients, Observations,
// MedicationStatements (so that what a resource refers to is mostly stored before it).
void Resource(const Counts& c, long j, std::string& path, std::string& body) {
  if (j < c.organizations) {
    path = "/fhir/Organization/org" + std::to_string(j + 1);
    body = OrganizationBody(j + 1);
    return;
  }
  j -= c.organizations;
  if (j < c.practitioners) {
    path = "/fhir/Practitioner/prac" + std::to_string(j + 1);
    body = PractitionerBody(j + 1);
    return;
  }
  j -= c.practitioners;
  if (j < c.patients) {
    path = "/fhir/Patient/p" + std::to_string(j + 1);
    body = PatientBody(j + 1, c.organizations);
    return;
  }
  j -= c.patients;
  if (j < c.observations) {
    path = "/fhir/Observation/obs" + std::to_string(j + 1);
    body = ObservationBody(j + 1, c.patients);
    return;
  }
  j -= c.observations;
  path = "/fhir/MedicationStatement/ms" + std::to_string(j + 1);
  body = MedicationStatementBody(j + 1, c.patients, c.practitioners);
}

int PrintCodes() {
  long counts[std::size(kCodes)] = {};
  for (long i = 1; i <= 80000; ++i) ++counts[&ObservationCode(i) - kCodes];
  for (std::size_t k = 0; k < std::size(kCodes); ++k) {
    std::printf("%s %s %ld\n", kCodes[k].tier, kCodes[k].code, counts[k]);
  }
  return 0;
}

int Load(const std::string& host, const std::string& port, long patients, int connections) {
  const Counts counts = CountsFor(patients);
  const long total = counts.Total();
  std::printf(
      "loading %ld resources: %ld Organizations, %ld Practitioners, %ld Patients, "
      "%ld Observations, %ld MedicationStatements (%d connections)\n",
      total, counts.organizations, counts.practitioners, counts.patients, counts.observations,
      counts.statements, connections);
  std::fflush(stdout);
  std::atomic<long> next{0};
  std::atomic<long> done{0};
  std::atomic<long> failures{0};
  std::atomic<bool> finished{false};
  std::mutex report_mutex;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  std::thread progress([&] {
    long last_done = 0;
    double last_time = 0;
    while (!finished) {
      for (int k = 0; k < 50 && !finished; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (finished) break;
      const long now_done = done;
      const double now_time = elapsed();
      std::printf("  %7ld/%ld stored, %.0f resources/s now, %.0f/s overall\n", now_done, total,
                  (now_done - last_done) / (now_time - last_time), now_done / now_time);
      std::fflush(stdout);
      last_done = now_done;
      last_time = now_time;
    }
  });

  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(tcp::resolver(io).resolve(host, port));
        beast::flat_buffer buffer;
        std::string path;
        std::string body;
        for (long j = next++; j < total; j = next++) {
          Resource(counts, j, path, body);
          http::request<http::string_body> req{http::verb::put, path, 11};
          req.set(http::field::host, host);
          req.set(http::field::content_type, "application/fhir+json");
          req.set("Prefer", "return=minimal");
          req.body() = body;
          req.prepare_payload();
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          if (res.result_int() != 200 && res.result_int() != 201) {
            if (failures++ < 3) {
              std::lock_guard lock(report_mutex);
              std::fprintf(stderr, "%s: HTTP %d %s\n", path.c_str(), res.result_int(),
                           res.body().c_str());
            }
          }
          ++done;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(report_mutex);
        std::fprintf(stderr, "connection %d: %s\n", t, e.what());
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  finished = true;
  progress.join();
  const double seconds = elapsed();
  std::printf("stored %ld resources in %.1f s (%.0f resources/s), %ld failures\n", total, seconds,
              total / seconds, failures.load());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "codes") == 0) return PrintCodes();
  if (argc == 6 && std::strcmp(argv[1], "load") == 0) {
    return Load(argv[2], argv[3], std::atol(argv[4]), std::atoi(argv[5]));
  }
  std::fprintf(stderr,
               "usage: put_search_data load HOST PORT PATIENTS CONNECTIONS\n"
               "       put_search_data codes\n");
  return 2;
}
