// Forwarder: where the receiver hands logs and spans it accepted, to be sent on unaltered (the
// OTLP exporters implement it). Implementations must be thread-safe and must never block: the
// receiver calls them on its loop threads while a client waits for the answer.
#pragma once

#include <cstddef>
#include <string>

#include "core/send/exporter.h"

namespace vigil::receive {

class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Whether any destination takes `signal`; when not, the receiver skips serializing.
  virtual bool Wants(send::Signal signal) const = 0;
  // Queues `body`, a serialized Export{Logs,Trace}ServiceRequest holding `items` records or
  // spans, for every destination of `signal`. Drops (queue full) are the forwarder's to count.
  virtual void Forward(send::Signal signal, std::string body, size_t items) = 0;
};

}  // namespace vigil::receive
