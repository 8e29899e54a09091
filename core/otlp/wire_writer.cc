#include "core/otlp/wire_writer.h"

#include <cassert>

namespace vigil::otlp {

void WireWriter::Varint(uint32_t field, uint64_t v) {
  const uint32_t tag = MakeTag(field, WireType::kVarint);
  char* p = Grow(VarintSize(tag) + VarintSize(v));
  p = PutVarint(p, tag);
  PutVarint(p, v);
}

void WireWriter::Fixed64(uint32_t field, uint64_t v) {
  const uint32_t tag = MakeTag(field, WireType::kFixed64);
  char* p = Grow(VarintSize(tag) + 8);
  p = PutVarint(p, tag);
  PutFixed64(p, v);
}

void WireWriter::Fixed32(uint32_t field, uint32_t v) {
  const uint32_t tag = MakeTag(field, WireType::kFixed32);
  char* p = Grow(VarintSize(tag) + 4);
  p = PutVarint(p, tag);
  PutFixed32(p, v);
}

void WireWriter::String(uint32_t field, std::string_view s) {
  const uint32_t tag = MakeTag(field, WireType::kLen);
  char* p = Grow(VarintSize(tag) + VarintSize(s.size()) + s.size());
  p = PutVarint(p, tag);
  p = PutVarint(p, s.size());
  PutRaw(p, s);
}

void WireWriter::LenPrefix(uint32_t field, size_t len) {
  const uint32_t tag = MakeTag(field, WireType::kLen);
  char* p = Grow(VarintSize(tag) + VarintSize(len));
  p = PutVarint(p, tag);
  PutVarint(p, len);
}

void WireWriter::PackedVarints(uint32_t field, std::span<const uint64_t> values) {
  if (values.empty()) return;
  size_t len = 0;
  for (uint64_t v : values) len += VarintSize(v);
  LenPrefix(field, len);
  char* p = Grow(len);
  for (uint64_t v : values) p = PutVarint(p, v);
}

void WireWriter::PackedFixed64(uint32_t field, std::span<const uint64_t> values) {
  if (values.empty()) return;
  LenPrefix(field, values.size() * 8);
  char* p = Grow(values.size() * 8);
  for (uint64_t v : values) p = PutFixed64(p, v);
}

void WireWriter::PackedDoubles(uint32_t field, std::span<const double> values) {
  if (values.empty()) return;
  LenPrefix(field, values.size() * 8);
  char* p = Grow(values.size() * 8);
  for (double v : values) p = PutFixed64(p, std::bit_cast<uint64_t>(v));
}

WireWriter::Nested WireWriter::BeginNested(uint32_t field, size_t size_hint) {
  const uint32_t tag = MakeTag(field, WireType::kLen);
  char* p = Grow(VarintSize(tag));
  PutVarint(p, tag);
  Nested n{out_->size(), VarintSize(size_hint)};
  Grow(n.reserved);
  return n;
}

void WireWriter::EndNested(const Nested& n) {
  assert(out_->size() >= n.len_pos + n.reserved && "EndNested out of order");
  const size_t body_start = n.len_pos + n.reserved;
  const size_t len = out_->size() - body_start;
  const size_t need = VarintSize(len);
  if (need > n.reserved) {
    // The guess was short: open a gap once; the body moves by a few bytes.
    out_->insert(body_start, need - n.reserved, '\0');
  } else if (need < n.reserved) {
    out_->erase(n.len_pos + need, n.reserved - need);
  }
  PutVarint(out_->data() + n.len_pos, len);
}

}  // namespace vigil::otlp
