// Forwarder: where the receiver hands logs and spans it accepted, to be sent on unaltered (the
// OTLP exporters implement it). Implementations must be thread-safe and must never block: the
// receiver calls them on its loop threads while a client waits for the answer.
#pragma once

#include <cstddef>
#include <string>

#include "core/send/exporter.h"

namespace vigil::receive {

// Whether a body could be forwarded. kFull passes (the queues drain); kNever does not: the body
// is larger than a destination's whole queue, so waiting would not help.
enum class ForwardRoom { kYes, kFull, kNever };

class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Whether any destination takes `signal`; when not, the receiver skips serializing.
  virtual bool Wants(send::Signal signal) const = 0;
  // Sets room for one `bytes`-byte body aside in the queue of every destination of `signal`
  // (kYes), or sets nothing aside (kFull, kNever). The receiver reserves before accepting a
  // request, so a full queue becomes a 503 the client retries, and what it accepted cannot be
  // crowded out by concurrent requests before Forward.
  virtual ForwardRoom Reserve(send::Signal signal, size_t bytes) = 0;
  // Queues `body`, a serialized Export{Logs,Trace}ServiceRequest holding `items` records or
  // spans, for every destination of `signal`, into the room Reserve(signal, body.size()) set
  // aside. Without a reservation a destination whose queue is full drops and counts it.
  virtual void Forward(send::Signal signal, std::string body, size_t items) = 0;
};

}  // namespace vigil::receive
