// Block (one markdown document per finished episode) and Highlight (a user's marked passage,
// quoting the block's exact text at UTF-16 offsets, as the browser's Selection API counts).
#include <algorithm>

#include "core/json/codec.hpp"
#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"

namespace ec::mock {

namespace {

const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                           "Friday", "Saturday", "Sunday"};
const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};
const char* kBullets[] = {"", "", "", "✅ ", "📈 ", "⚠️ "};

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

struct Body {
  std::string text;
  std::vector<std::pair<size_t, size_t>> quotable;  // byte [begin, end) of sentences worth quoting
};

Body compose(Rng& r, const EpisodeM& e, const ProjectM& pr) {
  const auto& t = corpus::kTopics[pr.topic];
  const Instant local = e.scheduled + static_cast<Instant>(pr.zone->offset_at(e.scheduled)) * 1000;
  const int64_t day = floor_div(local, kDay);
  const CivilDate d = civil_from_days(day);
  const std::string date = std::string(kWeekdays[weekday_from_days(day)]) + " " +
                           std::to_string(d.day) + " " + kMonthNames[d.month - 1] + " " +
                           std::to_string(d.year);
  std::vector<const char*> points = t.points;
  r.shuffle(points);
  size_t next_point = 0;
  auto point = [&] { return std::string(points[next_point++ % points.size()]); };
  Body b;
  auto quoted = [&](const std::string& s) {
    b.quotable.emplace_back(b.text.size(), b.text.size() + s.size());
    b.text += s;
  };
  b.text = "# " + e.title + "\n\n*" + date + " · " + pr.name + "*\n\n";
  b.text += corpus::fill(corpus::fill(corpus::fill(r.pick(corpus::kIntros), "project", pr.name),
                                      "date", date),
                         "point", point()) +
            "\n\n";
  std::vector<const char*> sections = t.sections;
  r.shuffle(sections);
  b.text += std::string("## ") + sections[0] + "\n\n";
  quoted(corpus::fill(r.pick(corpus::kParagraphs), "point", point()));
  b.text += "\n\n";
  const int64_t bullets = r.range(2, 4);
  for (int64_t k = 0; k < bullets; ++k) {
    b.text += std::string("- ") + r.pick(kBullets);
    quoted(capitalised(point()));
    b.text += "\n";
  }
  b.text += std::string("\n## ") + sections[1] + "\n\n";
  quoted(corpus::fill(r.pick(corpus::kParagraphs), "point", point()));
  const std::string first = capitalised(point());
  const std::string second = capitalised(point());
  b.text += "\n\n1. " + first + "\n2. " + second + "\n\n## Further reading\n\n";
  for (const auto& l : t.links) b.text += std::string("- [") + l.text + "](" + l.url + ")\n";
  b.text += std::string("\n> ") + r.pick(corpus::kClosings) + "\n";
  return b;
}

}  // namespace

void generate_content(Plan& p, Writer& w) {
  Rng rb = p.rng("Block");
  Rng rh = p.rng("Highlight");
  IdStream block_ids = p.ids("Block"), highlight_ids = p.ids("Highlight");
  const uint64_t highlight_rate = p.size == Size::Large ? 12 : p.size == Size::Small ? 5 : 2;

  w.phase("Block");
  Table bt(w, "Block");
  Table ht(w, "Highlight");
  const size_t b_id = bt.col("id"), b_org = bt.col("organizationId"), b_ep = bt.col("episodeId"),
               b_content = bt.col("content"), b_c = bt.col("createdAt"), b_u = bt.col("updatedAt");
  const size_t h_id = ht.col("id"), h_org = ht.col("organizationId"), h_ep = ht.col("episodeId"),
               h_block = ht.col("blockId"), h_user = ht.col("userId"),
               h_start = ht.col("startOffset"), h_end = ht.col("endOffset"),
               h_quote = ht.col("quote"), h_note = ht.col("note"), h_c = ht.col("createdAt"),
               h_u = ht.col("updatedAt"), h_da = ht.col("deletedAt"), h_db = ht.col("deletedBy");
  struct Pending {
    Row row;
    size_t org, user;
  };
  std::vector<Pending> highlights;
  uint64_t finished = 0;
  for (const auto& e : p.episodes) finished += e.generated ? 1 : 0;
  block_ids.reserve_sorted(finished);
  for (auto& e : p.episodes) {
    if (!e.generated) continue;
    const ProjectM& pr = p.projects[e.project];
    Body body = compose(rb, e, pr);
    const std::string block_id = block_ids.next();
    Row r = bt.row();
    r[b_id] = block_id;
    r[b_org] = p.orgs[pr.org].id;
    r[b_ep] = e.id;
    r[b_content] = body.text;
    r[b_c] = *e.generated;
    r[b_u] = *e.generated;
    bt.insert(r);

    // Readers highlight a sentence or two of some episodes.
    const Instant end = std::min(pr.ended.value_or(p.now), p.now);
    if (!rh.chance(1, highlight_rate) || end - *e.generated < kHour) continue;
    const int64_t n = rh.range(1, 2);
    const auto& org_users = p.orgs[pr.org].users;
    for (int64_t k = 0; k < n; ++k) {
      const auto [qb, qe] = body.quotable[rh.below(body.quotable.size())];
      const std::string quote = body.text.substr(qb, qe - qb);
      const auto start =
          static_cast<int64_t>(codec::utf16_length(std::string_view(body.text).substr(0, qb)));
      const size_t user = org_users[rh.below(org_users.size())];
      const Instant at =
          *e.generated +
          rh.range(10, std::max<int64_t>(11, (end - *e.generated) / kMinute - 1)) * kMinute;
      Row h = ht.row();
      h[h_org] = p.orgs[pr.org].id;
      h[h_ep] = e.id;
      h[h_block] = block_id;
      h[h_user] = p.users[user].id;
      h[h_start] = start;
      h[h_end] = start + static_cast<int64_t>(codec::utf16_length(quote));
      h[h_quote] = quote;
      if (rh.chance(2, 5)) h[h_note] = std::string(rh.pick(corpus::kHighlightNotes));
      h[h_c] = at;
      h[h_u] = at;
      if (rh.chance(1, 30) && end - at > 2 * kHour) {
        h[h_da] = at + kHour;
        h[h_db] = p.users[user].id;
        h[h_u] = at + kHour;
      }
      highlights.push_back({std::move(h), pr.org, user});
    }
  }
  w.phase("Highlight");
  highlight_ids.reserve_sorted(highlights.size());
  for (auto& h : highlights) {
    h.row[h_id] = highlight_ids.next();
    ht.insert(h.row);
    const json j = ht.to_json(h.row);
    json created = j;
    created["deletedAt"] = nullptr;
    created["deletedBy"] = nullptr;
    const Instant at = std::get<int64_t>(h.row[h_c]);
    p.add_audit(h.org, h.user, "create", "Highlight", j["id"], create_changes(ht.entity(), created),
                at);
    p.add_event(h.user, "highlight.created",
                {{"highlightId", j["id"]}, {"episodeId", j["episodeId"]}}, at);
    if (!j["deletedAt"].is_null())
      p.add_audit(h.org, h.user, "delete", "Highlight", j["id"],
                  {{"deletedAt", {{"before", nullptr}, {"after", j["deletedAt"]}}}}, at + kHour);
  }
}

}  // namespace ec::mock
