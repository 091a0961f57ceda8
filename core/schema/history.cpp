// Checks of the declared history (history.hpp) against the entity declarations, and what is
// derived from both: the storage order of columns, the blank rule.
#include <algorithm>
#include <cstdlib>

#include "core/schema/schema.hpp"

namespace ec::schema {

int added_in(std::string_view entity, std::string_view field) {
  for (const auto& c : kChanges)
    if (c.change == Change::AddColumn && c.entity == entity && c.field == field) return c.version;
  return 0;
}

std::vector<const Field*> storage_fields(const Entity& e) {
  std::vector<const Field*> base;
  std::vector<std::pair<int, const Field*>> later;
  for (const auto& f : e.fields) {
    const int v = added_in(e.name, f.name);
    if (v > kColumnOrderBaseline)
      later.emplace_back(v, &f);
    else
      base.push_back(&f);
  }
  // In version order, declaration order within a version (a loop, not std::stable_sort: the
  // sort's instantiation was 3 KB of the browser core for a handful of fields).
  int last = 0;
  for (const auto& [v, f] : later) last = v > last ? v : last;
  for (int version = kColumnOrderBaseline + 1; version <= last; ++version)
    for (const auto& [v, f] : later)
      if (v == version) base.push_back(f);
  return base;
}

namespace {
// Checked when compiling, so that no run-time code reads kVersions: its docs and file names
// then stay out of the browser module (only the generators print them).
constexpr bool versions_in_order() {
  int expect = 1;
  for (const auto& v : kVersions) {
    if (v.version != expect++) return false;
    if (v.version >= 2 && v.pg_file.empty()) return false;
  }
  return true;
}
static_assert(versions_in_order(),
              "kVersions: 1, 2, 3… in order, each from 2 on with its PostgreSQL migration file");
}  // namespace

void check_history(const std::vector<Entity>& all) {
  for (const auto& c : kChanges) {
    if (c.version < 2 || c.version > kSchemaVersion) std::abort();
    if (c.change == Change::Rebuild) continue;
    const Entity* e = nullptr;
    for (const auto& x : all)
      if (x.name == c.entity) e = &x;
    if (e == nullptr) std::abort();
    if (c.change == Change::AddTable) continue;
    // AddIndex names a declared index of the entity; DropIndex one it no longer declares.
    if (c.change == Change::AddIndex || c.change == Change::DropIndex) {
      if ((e->index(c.field) != nullptr) != (c.change == Change::AddIndex)) std::abort();
      continue;
    }
    const Field* f = e->field(c.field);
    if (f == nullptr) std::abort();
    // ALTER TABLE … ADD COLUMN cannot fill a required column nor add a composite reference.
    if (c.change == Change::AddColumn &&
        ((!f->nullable && !f->default_value) || !f->references.empty()))
      std::abort();
  }
}

namespace {
// Decodes the next code point of well-formed UTF-8 (validated before: check_text); returns
// U+FFFD for anything else, which is never blank.
char32_t next_cp(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int n = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
  if (n < 0 || i + n >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = n == 0 ? b : b & (0x3F >> n);
  for (int k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n + 1;
  return cp;
}
}  // namespace

bool is_blank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const char32_t cp = next_cp(s, i);
    if (std::find(std::begin(kBlankCodePoints), std::end(kBlankCodePoints), cp) ==
        std::end(kBlankCodePoints))
      return false;
  }
  return true;
}

}  // namespace ec::schema
