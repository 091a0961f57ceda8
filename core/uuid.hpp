#pragma once
// UUID v4 text form shared by the store's id generator and the mock data streams.
#include <array>
#include <string>

namespace ec {

/// Sets the version (4) and RFC 4122 variant bits of `bytes` and returns the lower-case
/// 8-4-4-4-12 text.
std::string format_uuid_v4(std::array<unsigned char, 16> bytes);

}  // namespace ec
