// One HTTP/1.1 connection: reads a request (with limits and deadlines), hands it to the Handler,
// writes the response, and repeats while the connection may be kept alive. Internal to
// server/http/ (it includes Asio); the listener is its only user.
//
// The session class itself lives in session.cc so that Beast stays out of every header.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "server/http/server_context.h"

namespace schakel::server::http {

// Takes over an accepted socket, whose executor must be a strand of its own, and serves it until
// the connection closes. Refuses (closes the socket at once) when the registry is full or the
// server is shutting down; the result says which. Thread-safe.
SessionRegistry::AddResult StartSession(boost::asio::ip::tcp::socket socket,
                                        ServerContext& context);

}  // namespace schakel::server::http
