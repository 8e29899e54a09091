// Forwarder: where the receiver hands logs and spans it accepted, to be sent on unaltered (the
// OTLP exporters implement it). Implementations must be thread-safe and must never block: the
// receiver calls them on its loop threads while a client waits for the answer.
#pragma once

#include <cstddef>
#include <string>

#include "core/send/exporter.h"

namespace vigil::receive {

// Whether a body can be forwarded now. kFull passes (the queues drain); kNever does not: the
// body is larger than a destination's whole queue, so waiting would not help.
enum class ForwardRoom { kYes, kFull, kNever };

class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Whether any destination takes `signal`; when not, the receiver skips serializing.
  virtual bool Wants(send::Signal signal) const = 0;
  // Whether every destination of `signal` would queue a `bytes`-byte body now. The receiver asks
  // before accepting a request, so that a full queue becomes a 503 the client retries instead of
  // a drop after a 200. Advisory: concurrent requests may fill the room between the check and
  // Forward, and what then does not fit is dropped and counted as before.
  virtual ForwardRoom Room(send::Signal signal, size_t bytes) const = 0;
  // Queues `body`, a serialized Export{Logs,Trace}ServiceRequest holding `items` records or
  // spans, for every destination of `signal`. Drops (queue full) are the forwarder's to count.
  virtual void Forward(send::Signal signal, std::string body, size_t items) = 0;
};

}  // namespace vigil::receive
