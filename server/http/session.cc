// One connection, after the Boost.Beast advanced server example: a session owned by
// shared_from_this() through each asynchronous call, on its own strand, with do_x/on_x pairs.
//
// States, one request at a time:
//   kIdle       waiting for the first bytes of a request (idle_timeout). Closed at once on
//   Shutdown. kReading    reading header and body (one read_timeout for both). Allowed to finish on
//   Shutdown;
//               the request is then handled and answered with `Connection: close`.
//   kHandling   the Handler has the request; no socket operation is pending, and a work guard
//               keeps the io_context running until Respond's post arrives on the strand.
//   kWriting    writing the response (read_timeout as the write deadline).
//   kLingering  after a final response: our side is shut down for sending, and we read and
//               discard what the client still sends, briefly, so that closing does not turn into
//               a TCP reset that destroys the response before the client reads it.
//   kClosed
// Pipelined requests wait in the read buffer (bounded) until the previous response is written.
#include "server/http/session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/request_parser.h"
#include "server/http/wire.h"

namespace schakel::server::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// The first read of a request asks for this much.
constexpr std::size_t kIdleReadBytes = 4096;
// The read buffer holds at most one request header plus one read; pipelined requests beyond that
// wait in the kernel (TCP flow control), not in our memory.
constexpr std::size_t kReadBufferSlack = std::size_t{64} * 1024;
// A keep-alive connection gives back a read buffer that grew beyond this.
constexpr std::size_t kKeepReadBufferBytes = std::size_t{16} * 1024;
// Lingering close: how long and how much we read and discard after a final response.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr std::size_t kLingerMaxBytes = std::size_t{256} * 1024;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

const beast::error_category& BeastHttpCategory() {
  static const beast::error_category& category =
      bhttp::make_error_code(bhttp::error::end_of_stream).category();
  return category;
}

std::string RemoteAddress(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

class Session final : public SessionControl, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerContext& context)
      : context_(context),
        strand_(socket.get_executor()),
        stream_(std::move(socket)),
        buffer_(context.options.max_header_bytes + kReadBufferSlack) {
    remote_ = RemoteAddress(stream_.socket());
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);  // best effort
  }

  ~Session() override {
    if (state_ == State::kHandling && !responded_) {
      // The application destroyed its Respond without calling it; the client sees the
      // connection close.
      context_.logger.Error("response_never_sent", {{"method", method_}, {"path", path_}});
    }
    Unregister();
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SessionRegistry::AddResult Start() {
    // Set before Add publishes the session: from then on Shutdown() may run on another thread
    // (the registry's mutex orders this write before it).
    registered_ = true;
    SessionRegistry::AddResult result = context_.sessions.Add(this, weak_from_this());
    if (result != SessionRegistry::AddResult::kAdded) {
      registered_ = false;
      state_ = State::kClosed;
      stream_.close();
      return result;
    }
    asio::post(strand_, beast::bind_front_handler(&Session::DoIdleRead, shared_from_this()));
    return result;
  }

  void Shutdown() override {
    asio::post(strand_, [self = shared_from_this()] { self->OnShutdown(); });
  }

  void ForceClose() override {
    asio::post(strand_, [self = shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };
  enum class Source { kHandler, kLastResort };

  bool Stopping() const { return shutdown_requested_ || context_.sessions.shutting_down(); }

  // --- Reading -------------------------------------------------------------------------------

  void DoIdleRead() {
    if (state_ == State::kClosed) return;
    if (Stopping()) return Close();
    state_ = State::kIdle;
    if (buffer_.capacity() > kKeepReadBufferBytes) buffer_.shrink_to_fit();
    stream_.expires_after(context_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            beast::bind_front_handler(&Session::OnIdleRead, shared_from_this()));
  }

  void OnIdleRead(beast::error_code ec, std::size_t bytes) {
    if (ec) return Fail(ec, "idle read");
    buffer_.commit(bytes);
    DropLeadingEmptyLines();
    if (buffer_.size() == 0) return DoIdleRead();
    DoReadHeader();
  }

  // RFC 9112 section 2.2: ignore empty lines before a request-line (some clients send CRLF
  // after a body). A few bytes only: this is tolerance, not a way to keep a connection busy.
  void DropLeadingEmptyLines() {
    constexpr std::size_t kMaxEmptyLineBytes = 4;
    const auto* data = static_cast<const char*>(buffer_.data().data());
    std::size_t n = 0;
    while (n < buffer_.size() && n < kMaxEmptyLineBytes && (data[n] == '\r' || data[n] == '\n')) {
      ++n;
    }
    buffer_.consume(n);
  }

  void DoReadHeader() {
    state_ = State::kReading;
    parser_.emplace(context_.options.max_header_bytes, context_.options.max_body_bytes);
    stream_.expires_after(context_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
  }

  void OnReadHeader(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return OnReadError(ec, /*in_body=*/false);
    const int version = parser_->http_version();
    if (version / 10 != 1) return SendError(505, "only HTTP/1.0 and HTTP/1.1 are supported");
    // RFC 9112 section 3.2: exactly one Host in HTTP/1.1; never more than one.
    if ((version >= 11 && parser_->host_count() != 1) || parser_->host_count() > 1) {
      return SendError(400, "a request must have exactly one Host header");
    }
    if (parser_->is_done()) return CallHandler();
    // RFC 9110 section 10.1.1. Beast has already refused a Content-Length beyond the body limit,
    // so a client never gets 100 Continue for a body we would refuse.
    if (parser_->expects_continue() && version >= 11) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
      return;
    }
    DoReadBody();
  }

  void OnContinueWritten(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return Fail(ec, "write 100 Continue");
    DoReadBody();
  }

  void DoReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
  }

  void OnReadBody(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return OnReadError(ec, /*in_body=*/true);
    CallHandler();
  }

  void OnReadError(beast::error_code ec, bool in_body) {
    if (ec == bhttp::error::header_limit || (ec == bhttp::error::buffer_overflow && !in_body)) {
      return SendError(431, "the request header is larger than " +
                                std::to_string(context_.options.max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
      return SendError(413, "the request body is larger than " +
                                std::to_string(context_.options.max_body_bytes) + " bytes");
    }
    // The client went away (before or during a request): nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return Fail(ec, "read");
    }
    if (&ec.category() == &BeastHttpCategory()) {
      return SendError(400, "malformed HTTP request: " + ec.message());
    }
    Fail(ec, "read");  // timeout, reset, cancelled by a shutdown
  }

  // --- Handling ------------------------------------------------------------------------------

  void CallHandler() {
    state_ = State::kHandling;
    read_done_ = Clock::now();
    keep_alive_ = parser_->keep_alive();
    http10_ = parser_->http_version() == 10;
    Request request = parser_->Release();
    parser_.reset();
    request.remote_address = remote_;
    method_.assign(request.method);
    path_.assign(PathOf(request.target));
    head_request_ = request.method == "HEAD";
    responded_ = false;
    ++sequence_;
    // Nothing is pending on the socket while the application works; without this, Run() could
    // return while a response is on its way from another thread.
    work_.emplace(strand_);
    try {
      context_.handler(std::move(request), MakeRespond());
    } catch (const std::exception& e) {
      HandlerFailed(e.what());
    } catch (...) {
      HandlerFailed("unknown exception");
    }
  }

  void HandlerFailed(std::string_view what) {
    context_.logger.Error("handler_exception",
                          {{"error", std::string(what)}, {"method", method_}, {"path", path_}});
    PostResponse(sequence_, MakeErrorResponse(context_, 500, "internal server error"),
                 Source::kLastResort);
  }

  // Respond may run on any thread, any time: it only posts onto the strand. The sequence number
  // ties it to its request, so a second call is recognised even after the next request started.
  Respond MakeRespond() {
    return [self = shared_from_this(), sequence = sequence_](Response response) {
      self->PostResponse(sequence, std::move(response), Source::kHandler);
    };
  }

  void PostResponse(std::uint64_t sequence, Response response, Source source) {
    asio::post(strand_, [self = shared_from_this(), sequence, source,
                         response = std::move(response)]() mutable {
      self->OnRespond(sequence, std::move(response), source);
    });
  }

  void OnRespond(std::uint64_t sequence, Response response, Source source) {
    if (sequence != sequence_ || responded_) {
      if (source == Source::kHandler) {
        context_.logger.Error("respond_called_twice", {{"remote", remote_}});
      }
      return;
    }
    responded_ = true;
    work_.reset();
    if (state_ != State::kHandling) return;  // closed by force while the application worked
    // The application may ask to close (it must not set framing headers otherwise).
    const bool close =
        !keep_alive_ || Stopping() || EqualsIgnoreCase(response.Header("Connection"), "close");
    Send(std::move(response), close);
  }

  // --- Writing -------------------------------------------------------------------------------

  // The HTTP layer's own error responses: the request was not (fully) read, so close after.
  void SendError(int status, std::string message) {
    if (parser_) {
      method_.assign(parser_->request().method);
      path_.assign(PathOf(parser_->request().target));
      head_request_ = parser_->request().method == "HEAD";
    } else {
      method_.clear();
      path_.clear();
      head_request_ = false;
    }
    parser_.reset();
    http10_ = false;
    read_done_ = Clock::now();
    Send(MakeErrorResponse(context_, status, std::move(message)), /*close=*/true);
  }

  void Send(Response response, bool close) {
    if (response.status < 200 || response.status > 999) {
      context_.logger.Error("invalid_response_status",
                            {{"status", std::to_string(response.status)}, {"path", path_}});
      response = MakeErrorResponse(context_, 500, "internal server error");
    }
    status_ = response.status;
    request_id_.assign(response.Header("X-Request-Id"));
    ResponseHead head;
    head.content_length = response.body.size();
    head.close = close;
    head.keep_alive = !close && http10_;
    head.server = context_.options.server_header;
    head.date = CurrentHttpDate();
    head_.clear();
    if (int dropped = AppendResponseHead(response, head, head_); dropped > 0) {
      context_.logger.Error("invalid_response_header",
                            {{"dropped", std::to_string(dropped)}, {"path", path_}});
    }
    body_ = std::move(response.body);
    if (head_request_ || !StatusAllowsBody(status_)) body_.clear();
    state_ = State::kWriting;
    stream_.expires_after(context_.options.read_timeout);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    LogAccess(ec);
    body_ = std::string();  // do not keep a large body alive on an idle connection
    if (ec) return Fail(ec, "write");
    if (close) return DoLinger();
    if (Stopping()) {
      // Shutdown arrived while writing a keep-alive response: the connection is idle now, so
      // close it like any idle one, unless the client already sent more (then linger, so the
      // close does not become a reset that destroys the response).
      return buffer_.size() > 0 ? DoLinger() : Close();
    }
    DropLeadingEmptyLines();
    if (buffer_.size() > 0) return DoReadHeader();  // a pipelined request is waiting
    DoIdleRead();
  }

  // --- Closing -------------------------------------------------------------------------------

  void DoLinger() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    linger_bytes_ = 0;
    stream_.expires_after(kLingerTimeout);
    DoLingerRead();
  }

  void DoLingerRead() {
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            beast::bind_front_handler(&Session::OnLingerRead, shared_from_this()));
  }

  void OnLingerRead(beast::error_code ec, std::size_t bytes) {
    linger_bytes_ += bytes;
    if (ec || linger_bytes_ > kLingerMaxBytes) return Close();  // EOF is the normal end
    DoLingerRead();
  }

  void OnShutdown() {
    shutdown_requested_ = true;
    if (state_ == State::kIdle) Close();
    // kReading may finish (within read_timeout); kHandling and kWriting end with
    // `Connection: close` or a close after the write; kLingering ends by itself.
  }

  void Fail(beast::error_code ec, std::string_view what) {
    if (ec != asio::error::operation_aborted && context_.logger.Enabled(LogLevel::kDebug)) {
      context_.logger.Debug(
          "connection_error",
          {{"what", std::string(what)}, {"error", ec.message()}, {"remote", remote_}});
    }
    Close();
  }

  void Close() {
    if (state_ == State::kClosed) return;
    if (state_ == State::kHandling && !responded_) {
      context_.logger.Warn("response_dropped", {{"method", method_}, {"path", path_}});
    }
    state_ = State::kClosed;
    stream_.close();
    work_.reset();
    Unregister();
  }

  void Unregister() {
    if (!registered_) return;
    registered_ = false;
    context_.sessions.Remove(this);
  }

  void LogAccess(beast::error_code ec) {
    if (!context_.logger.Enabled(LogLevel::kInfo)) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - read_done_);
    std::vector<LogField> fields;
    fields.reserve(9);
    fields.push_back({"method", method_});
    fields.push_back({"path", path_});
    fields.push_back({"status", std::to_string(status_)});
    fields.push_back({"bytes", std::to_string(body_.size())});
    fields.push_back({"us", std::to_string(us.count())});
    fields.push_back({"remote", remote_});
    if (!request_id_.empty()) fields.push_back({"request_id", request_id_});
    if (ec) fields.push_back({"error", ec.message()});
    if (!context_.options.access_log_warning.empty()) {
      fields.push_back({"warning", context_.options.access_log_warning});
    }
    context_.logger.Info("request", fields);
  }

  ServerContext& context_;
  const asio::any_io_executor strand_;  // the socket's executor: a strand of its own
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<asio::executor_work_guard<asio::any_io_executor>> work_;
  std::string remote_;
  State state_ = State::kIdle;
  bool registered_ = false;          // in context_.sessions
  bool shutdown_requested_ = false;  // Shutdown() arrived
  bool keep_alive_ = false;          // the current request allows keep-alive
  bool http10_ = false;              // the current request is HTTP/1.0
  bool head_request_ = false;
  bool responded_ = false;      // the current request's Respond has arrived
  std::uint64_t sequence_ = 0;  // number of the current request on this connection
  // The current request, for the access log line.
  std::string method_;
  std::string path_;
  std::string request_id_;
  int status_ = 0;
  Clock::time_point read_done_;
  // The response in flight: the head string is reused from request to request.
  std::string head_;
  std::string body_;
  std::size_t linger_bytes_ = 0;
};

}  // namespace

SessionRegistry::AddResult StartSession(tcp::socket socket, ServerContext& context) {
  auto session = std::make_shared<Session>(std::move(socket), context);
  return session->Start();
}

}  // namespace schakel::server::http
