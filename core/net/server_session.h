// Internal to core/net: one accepted HTTP/1.1 connection of an HttpServer. It reads requests
// in a keep-alive loop, dispatches them to the ServerCore and writes the replies. Owned by its
// own pending operations (shared_from_this); every step runs on the connection's strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/http_types.h"

namespace vigil::net::internal {

class ServerCore;

class ServerSession : public std::enable_shared_from_this<ServerSession> {
 public:
  ServerSession(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket socket);
  ~ServerSession();  // tells the core the connection slot is free

  void Start();
  // Closes the connection if it is waiting for a request; busy ones end after their reply.
  // Safe from any thread.
  void CloseIfIdle();

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void ReadRequest();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // Handles a failed read: replies 400/413/431 where that helps the client, else closes.
  void OnReadError(boost::beast::error_code ec);
  void Respond(HttpResponse r, bool keep_alive, bool linger);
  void OnWrite(boost::beast::error_code ec, bool keep_alive, bool linger);
  // Half-closes, then reads and discards what the client is still sending for a short while,
  // so it sees our error reply instead of a connection reset.
  void LingerClose();
  void DrainSome();
  void Close();

  std::shared_ptr<ServerCore> core_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::string remote_;
  unsigned version_ = 11;
  bool idle_ = false;  // waiting for the next request's header
  size_t drained_ = 0;
  std::vector<char> drain_buf_;
};

}  // namespace vigil::net::internal
