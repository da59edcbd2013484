// A Beast HTTP/1.1 request parser that fills an http::Request directly, so a request is not first
// built as a beast::http::message and then copied field by field. Beast does the parsing (start
// line, fields, Content-Length vs chunked, limits); this class only stores what it reports.
// Internal to server/http/ (it includes Beast): only session.cc uses it.
//
// One parser per request; not reusable. Not thread-safe (used on the session's strand).
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "server/http/message.h"

namespace schakel::server::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Limits as in ServerOptions: header_limit covers the request line and the fields;
  // body_limit the decoded body (Content-Length beyond it fails at once with body_limit).
  RequestParser(std::size_t header_limit, std::size_t body_limit);

  // The request as parsed so far; method and target are set once the request line was read.
  const Request& request() const { return request_; }
  // Moves the request out; call once, after is_done().
  Request Release() { return std::move(request_); }

  int http_version() const { return version_; }  // 10 or 11 (other values: see session.cc)
  bool expects_continue() const { return expects_continue_; }
  int host_count() const { return host_count_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  Request request_;
  int version_ = 11;
  int host_count_ = 0;
  bool expects_continue_ = false;
  bool has_transfer_encoding_ = false;
  bool header_done_ = false;  // later fields are chunked trailers: not merged into the headers
};

}  // namespace schakel::server::http
