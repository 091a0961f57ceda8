#include "core/mock/rng.hpp"

#include <algorithm>

#include "core/uuid.hpp"

namespace ec::mock {

std::string uuid_from(uint64_t a, uint64_t b) {
  std::array<unsigned char, 16> bytes;
  for (int i = 0; i < 8; ++i) {  // big-endian, so numeric order of (a, b) is text order
    bytes[i] = static_cast<unsigned char>(a >> (56 - i * 8));
    bytes[8 + i] = static_cast<unsigned char>(b >> (56 - i * 8));
  }
  return format_uuid_v4(bytes);
}

std::pair<uint64_t, uint64_t> IdStream::raw(uint64_t n) const {
  uint64_t a = mix64(key_ ^ mix64(2 * n));
  uint64_t b = mix64(key_ + mix64(2 * n + 1));
  // The bits uuid_from overwrites, set here already so that numeric order = text order.
  a = (a & ~0x000000000000f000ULL) | 0x0000000000004000ULL;
  b = (b & ~0xc000000000000000ULL) | 0x8000000000000000ULL;
  return {a, b};
}

void IdStream::reserve_sorted(uint64_t n) {
  pool_.erase(pool_.begin(), pool_.begin() + static_cast<std::ptrdiff_t>(pos_));
  pos_ = 0;
  for (uint64_t i = 0; i < n; ++i) pool_.push_back(raw(counter_++));
  std::sort(pool_.begin(), pool_.end());
}

}  // namespace ec::mock
