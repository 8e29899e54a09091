#include "core/otlp/json/bytes_text.h"

#include <cstdint>

namespace vigil::otlp {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // '-' and '_' are the URL-safe alphabet
  if (c == '/' || c == '_') return 63;
  return -1;
}

// A printable rendering of one input byte for error messages.
std::string Printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string("'") + c + "'";
  return "byte 0x" + std::string(1, kHexDigits[u >> 4]) + kHexDigits[u & 0xF];
}

}  // namespace

void AppendHex(std::string_view bytes, std::string* out) {
  const size_t at = out->size();
  out->resize(at + 2 * bytes.size());
  char* p = out->data() + at;
  for (char b : bytes) {
    const auto u = static_cast<unsigned char>(b);
    *p++ = kHexDigits[u >> 4];
    *p++ = kHexDigits[u & 0xF];
  }
}

bool DecodeHexId(std::string_view text, size_t want_bytes, std::string* out, std::string* error) {
  if (text.size() != 2 * want_bytes) {
    *error = "expected " + std::to_string(2 * want_bytes) + " hex digits, got " +
             std::to_string(text.size()) + " characters";
    return false;
  }
  out->resize(want_bytes);
  for (size_t i = 0; i < want_bytes; ++i) {
    const int hi = HexValue(text[2 * i]);
    const int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? 2 * i : 2 * i + 1;
      *error = "expected " + std::to_string(2 * want_bytes) + " hex digits, got " +
               Printable(text[bad]) + " at index " + std::to_string(bad);
      return false;
    }
    (*out)[i] = static_cast<char>((hi << 4) | lo);
  }
  return true;
}

void AppendBase64(std::string_view bytes, std::string* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  out->reserve(out->size() + (n + 2) / 3 * 4);
  for (; n >= 3; n -= 3, in += 3) {
    const uint32_t v = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    out->push_back(kBase64[v >> 18]);
    out->push_back(kBase64[(v >> 12) & 63]);
    out->push_back(kBase64[(v >> 6) & 63]);
    out->push_back(kBase64[v & 63]);
  }
  if (n > 0) {
    const uint32_t v = (uint32_t{in[0]} << 16) | (n == 2 ? uint32_t{in[1]} << 8 : 0);
    out->push_back(kBase64[v >> 18]);
    out->push_back(kBase64[(v >> 12) & 63]);
    out->push_back(n == 2 ? kBase64[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

bool DecodeBase64(std::string_view text, std::string* out, std::string* error) {
  // Padding is optional, but when present it must complete the last group of four.
  size_t len = text.size();
  size_t pad = 0;
  while (len > 0 && text[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (pad > 0 && text.size() % 4 != 0) {
    *error = "bad base64 padding";
    return false;
  }
  if (len % 4 == 1) {
    *error = "base64 text of " + std::to_string(len) + " characters is truncated";
    return false;
  }
  out->clear();
  out->reserve(len / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    const int v = Base64Value(text[i]);
    if (v < 0) {
      *error = "expected base64, got " + Printable(text[i]) + " at index " + std::to_string(i);
      return false;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

}  // namespace vigil::otlp
