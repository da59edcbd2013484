// put_patients: stores Patients p1..pN with PUT over keep-alive connections, for benchmarks that
// need a fixed data set (wrk runs for a duration, not a count). Prints the rate.
//   put_patients HOST PORT COUNT CONNECTIONS
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::string PatientBody(const std::string& id) {
  // The same ~1.5 KB Patient as bench/lua/patient.lua.
  return R"j({"resourceType":"Patient","id":")j" + id +
         R"j(","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Benchmark patient )j" +
         id +
         R"j(, a synthetic record used to measure read and write throughput of the server.</div>"},)j"
         R"j("identifier":[{"use":"official","system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999990007"},)j"
         R"j({"system":"urn:oid:2.16.840.1.113883.2.4.6.3","value":"123456782"}],"active":true,)j"
         R"j("name":[{"use":"official","family":"Jansen","given":["Anna","Maria","Johanna"],"prefix":["Mw."]},)j"
         R"j({"use":"usual","given":["Annie"]}],)j"
         R"j("telecom":[{"system":"phone","value":"+31 30 123 4567","use":"home"},)j"
         R"j({"system":"phone","value":"+31 6 12345678","use":"mobile"},)j"
         R"j({"system":"email","value":"anna.jansen@example.org","use":"home"}],)j"
         R"j("gender":"female","birthDate":"1961-04-12",)j"
         R"j("address":[{"use":"home","type":"physical","line":["Lindelaan 1"],"city":"Utrecht",)j"
         R"j("district":"Utrecht","postalCode":"3581 AB","country":"NL","period":{"start":"1999-06-01"}},)j"
         R"j({"use":"old","line":["Oude Gracht 12"],"city":"Utrecht","postalCode":"3511 AA","country":"NL",)j"
         R"j("period":{"start":"1985-01-01","end":"1999-05-31"}}],)j"
         R"j("maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",)j"
         R"j("code":"M","display":"Married"}]},)j"
         R"j("contact":[{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131",)j"
         R"j("code":"C","display":"Emergency Contact"}]}],"name":{"family":"Jansen","given":["Kees"]},)j"
         R"j("telecom":[{"system":"phone","value":"+31 6 87654321"}]}],)j"
         R"j("communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"nl-NL",)j"
         R"j("display":"Dutch (Netherlands)"}]},"preferred":true}],)j"
         R"j("generalPractitioner":[{"reference":"Organization/huisartsen-de-linde","display":"Huisartsenpraktijk De Linde"}],)j"
         R"j("managingOrganization":{"reference":"Organization/huisartsen-de-linde"}})j";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: put_patients HOST PORT COUNT CONNECTIONS\n");
    return 2;
  }
  const std::string host = argv[1];
  const std::string port = argv[2];
  const long count = std::atol(argv[3]);
  const int connections = std::atoi(argv[4]);
  std::atomic<long> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(tcp::resolver(io).resolve(host, port));
        beast::flat_buffer buffer;
        for (long i = t + 1; i <= count; i += connections) {
          const std::string id = "p" + std::to_string(i);
          http::request<http::string_body> req{http::verb::put, "/fhir/Patient/" + id, 11};
          req.set(http::field::host, host);
          req.set(http::field::content_type, "application/fhir+json");
          req.set("Prefer", "return=minimal");
          req.body() = PatientBody(id);
          req.prepare_payload();
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          if (res.result_int() != 200 && res.result_int() != 201) {
            if (failures++ < 3)
              std::fprintf(stderr, "%s: HTTP %d %s\n", id.c_str(), res.result_int(),
                           res.body().c_str());
          }
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection %d: %s\n", t, e.what());
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("stored %ld Patients in %.1f s (%.0f/s), %ld failures\n", count, seconds,
              count / seconds, failures.load());
  return failures == 0 ? 0 : 1;
}
