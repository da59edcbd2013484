#include "server/http/wire.h"

#include <gtest/gtest.h>

#include <string>

namespace schakel::server::http {
namespace {

TEST(HttpWireTest, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(CurrentHttpDate().size(), 29u);
}

TEST(HttpWireTest, PathOfDropsQueryAndFragment) {
  const struct {
    const char* target;
    const char* path;
  } cases[] = {
      {"/fhir/Patient", "/fhir/Patient"},
      {"/fhir/Patient?identifier=123", "/fhir/Patient"},
      {"/fhir/Patient?", "/fhir/Patient"},
      {"/fhir/Patient#x", "/fhir/Patient"},
      {"?only=query", ""},
      {"*", "*"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(PathOf(c.target), c.path) << c.target;
}

TEST(HttpWireTest, ValidatesFieldNamesAndValues) {
  EXPECT_TRUE(IsValidFieldName("Content-Type"));
  EXPECT_TRUE(IsValidFieldName("X-Request-Id"));
  EXPECT_TRUE(IsValidFieldName("a!#$%&'*+-.^_`|~9"));
  EXPECT_FALSE(IsValidFieldName(""));
  EXPECT_FALSE(IsValidFieldName("Bad Name"));
  EXPECT_FALSE(IsValidFieldName("Bad:Name"));
  EXPECT_FALSE(IsValidFieldName("Bad\r\nName"));
  EXPECT_TRUE(IsValidFieldValue(""));
  EXPECT_TRUE(IsValidFieldValue("W/\"1\", text\twith tab"));
  EXPECT_TRUE(IsValidFieldValue("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidFieldValue("a\r\nSet-Cookie: x=1"));
  EXPECT_FALSE(IsValidFieldValue("a\nb"));
  EXPECT_FALSE(IsValidFieldValue(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidFieldValue("a\x7f"));
}

TEST(HttpWireTest, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(299), "");
}

TEST(HttpWireTest, AppendsResponseHead) {
  Response response;
  response.status = 201;
  response.headers = {{"Content-Type", "application/fhir+json"},
                      {"Location", "/fhir/Patient/1/_history/1"},
                      {"content-length", "999"},     // ours wins
                      {"Connection", "keep-alive"},  // ours wins
                      {"Transfer-Encoding", "chunked"},
                      {"X-Bad", "a\r\nb"},  // dropped
                      {"Bad Name", "x"}};   // dropped
  response.body = "{}";
  ResponseHead head;
  head.content_length = 2;
  head.close = true;
  head.server = "Schakel";
  head.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  std::string out = "stale";
  out.clear();
  EXPECT_EQ(AppendResponseHead(response, head, out), 2);
  EXPECT_EQ(out,
            "HTTP/1.1 201 Created\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Server: Schakel\r\n"
            "Content-Type: application/fhir+json\r\n"
            "Location: /fhir/Patient/1/_history/1\r\n"
            "Content-Length: 2\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(HttpWireTest, NoContentLengthWithoutBody) {
  const struct {
    int status;
    bool has_length;
  } cases[] = {{200, true}, {204, false}, {304, false}, {404, true}, {500, true}};
  for (const auto& c : cases) {
    Response response;
    response.status = c.status;
    ResponseHead head;
    head.keep_alive = true;
    std::string out;
    EXPECT_EQ(AppendResponseHead(response, head, out), 0);
    EXPECT_EQ(out.find("Content-Length: 0\r\n") != std::string::npos, c.has_length) << out;
    EXPECT_NE(out.find("Connection: keep-alive\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("Date:"), std::string::npos) << out;  // empty date: omitted
  }
}

}  // namespace
}  // namespace schakel::server::http
