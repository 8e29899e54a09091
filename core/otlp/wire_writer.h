// A minimal protobuf wire-format writer for hot paths: appends fields to a caller-owned
// std::string (reused across batches, so steady state allocates nothing). Plain value; one
// thread at a time. Nothing here knows OTLP: encoders (log_encoder.h) build on it.
//
// Two ways to write a nested message:
//  - Exact size first (fastest): compute the body length with the *Size helpers, write the tag
//    and length with LenPrefix(), then the body. LogBatchEncoder does this for every record.
//  - Back-patching: BeginNested() writes the tag and reserves VarintSize(size_hint) bytes for
//    the length (1 byte without a hint); EndNested() writes the real length and, if it needs a
//    different number of bytes than reserved, shifts the body once (memmove). The output is
//    always the minimal (canonical) varint, never a padded one. Nested calls must close in
//    LIFO order.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace vigil::otlp {

static_assert(std::endian::native == std::endian::little,
              "fixed-width protobuf fields are written with memcpy; big-endian hosts need a swap");

enum class WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

constexpr uint32_t MakeTag(uint32_t field, WireType type) {
  return (field << 3) | static_cast<uint32_t>(type);
}

// Bytes a base-128 varint of `v` occupies (1..10).
constexpr size_t VarintSize(uint64_t v) {
  return static_cast<size_t>((std::bit_width(v | 1) + 6) / 7);
}

constexpr uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}

// Raw pointer writers: the caller guarantees room. Each returns the position after the write.
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline char* PutFixed64(char* p, uint64_t v) {
  std::memcpy(p, &v, 8);
  return p + 8;
}
inline char* PutFixed32(char* p, uint32_t v) {
  std::memcpy(p, &v, 4);
  return p + 4;
}
inline char* PutRaw(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Size of a whole length-delimited field (tag + length + body) with a `len`-byte body.
constexpr size_t LenFieldSize(uint32_t field, size_t len) {
  return VarintSize(MakeTag(field, WireType::kLen)) + VarintSize(len) + len;
}
constexpr size_t VarintFieldSize(uint32_t field, uint64_t v) {
  return VarintSize(MakeTag(field, WireType::kVarint)) + VarintSize(v);
}
constexpr size_t Fixed64FieldSize(uint32_t field) {
  return VarintSize(MakeTag(field, WireType::kFixed64)) + 8;
}
constexpr size_t Fixed32FieldSize(uint32_t field) {
  return VarintSize(MakeTag(field, WireType::kFixed32)) + 4;
}

class WireWriter {
 public:
  // Appends to `*out`, which must outlive the writer.
  explicit WireWriter(std::string* out) : out_(out) {}

  // Scalars. These always write, even for zero: proto3 default-skipping is the encoder's
  // choice (it matters for `optional` and oneof members, which must be written when set).
  void Varint(uint32_t field, uint64_t v);
  void Int64(uint32_t field, int64_t v) { Varint(field, static_cast<uint64_t>(v)); }
  // int32 negatives are sign-extended to 10 bytes, as the protobuf spec requires.
  void Int32(uint32_t field, int32_t v) { Varint(field, static_cast<uint64_t>(int64_t{v})); }
  void Bool(uint32_t field, bool v) { Varint(field, v ? 1 : 0); }
  void SInt32(uint32_t field, int32_t v) { Varint(field, ZigZag32(v)); }
  void SInt64(uint32_t field, int64_t v) { Varint(field, ZigZag64(v)); }
  void Fixed64(uint32_t field, uint64_t v);
  void SFixed64(uint32_t field, int64_t v) { Fixed64(field, static_cast<uint64_t>(v)); }
  void Double(uint32_t field, double v) { Fixed64(field, std::bit_cast<uint64_t>(v)); }
  void Fixed32(uint32_t field, uint32_t v);

  // string and bytes fields share one wire form.
  void String(uint32_t field, std::string_view s);
  void Bytes(uint32_t field, std::string_view b) { String(field, b); }

  // Packed repeated scalars (proto3's default form). Nothing is written for an empty list.
  void PackedVarints(uint32_t field, std::span<const uint64_t> values);
  void PackedFixed64(uint32_t field, std::span<const uint64_t> values);
  void PackedDoubles(uint32_t field, std::span<const double> values);

  // Tag and length of a length-delimited field whose `len` body bytes the caller writes next.
  void LenPrefix(uint32_t field, size_t len);
  // Appends bytes as they are (e.g. a pre-encoded body after LenPrefix).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  struct Nested {
    size_t len_pos;   // offset of the reserved length bytes
    size_t reserved;  // how many bytes were reserved there
  };
  Nested BeginNested(uint32_t field, size_t size_hint = 0);
  void EndNested(const Nested& n);

  std::string& out() { return *out_; }
  size_t size() const { return out_->size(); }

 private:
  // Grows the string by `n` bytes and returns a pointer to the first new byte.
  char* Grow(size_t n) {
    size_t old = out_->size();
    out_->resize(old + n);
    return out_->data() + old;
  }

  std::string* out_;
};

}  // namespace vigil::otlp
