#include "server/http/request_parser.h"

#include <boost/beast/http/error.hpp>

namespace schakel::server::http {

namespace beast_http = boost::beast::http;

RequestParser::RequestParser(std::size_t header_limit, std::size_t body_limit) {
  constexpr std::size_t kMaxHeaderLimit = 0xffffffffu;  // Beast's limit is 32 bits wide
  this->header_limit(
      static_cast<std::uint32_t>(header_limit < kMaxHeaderLimit ? header_limit : kMaxHeaderLimit));
  this->body_limit(static_cast<std::uint64_t>(body_limit));
  request_.headers.reserve(8);
}

void RequestParser::on_request_impl(verb /*method*/, string_view method_str, string_view target,
                                    int version, error_code& /*ec*/) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                     error_code& ec) {
  ec = beast_http::error::bad_version;  // never called for a request parser
}

void RequestParser::on_field_impl(field name, string_view name_string, string_view value,
                                  error_code& /*ec*/) {
  if (header_done_) return;  // a chunked trailer
  if (name == field::host) ++host_count_;
  if (name == field::transfer_encoding) has_transfer_encoding_ = true;
  if (name == field::expect && EqualsIgnoreCase({value.data(), value.size()}, "100-continue")) {
    expects_continue_ = true;
  }
  request_.headers.push_back({std::string(name_string.data(), name_string.size()),
                              std::string(value.data(), value.size())});
}

void RequestParser::on_header_impl(error_code& ec) {
  header_done_ = true;
  // RFC 9112 section 6.3: a request whose Transfer-Encoding does not end in chunked has no
  // knowable length. Beast would read it as bodiless and parse the body as the next request.
  if (has_transfer_encoding_ && !chunked()) ec = beast_http::error::bad_transfer_encoding;
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code& /*ec*/) {
  // Beast has already checked Content-Length against the body limit. Reserve no more than a
  // modest amount up front: a client may announce a large body and then stall, on many
  // connections at once.
  constexpr std::uint64_t kMaxReserve = std::uint64_t{256} * 1024;
  if (content_length) {
    request_.body.reserve(
        static_cast<std::size_t>(*content_length < kMaxReserve ? *content_length : kMaxReserve));
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& /*ec*/) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                         error_code& /*ec*/) {
  // Beast checks the running total of chunk sizes against the body limit.
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                              error_code& /*ec*/) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code& /*ec*/) {}

}  // namespace schakel::server::http
