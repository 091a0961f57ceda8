#pragma once
// Realistic content for mock data: organizations, people, topics, titles, markdown bodies,
// chats, planning notes, memories, generation errors, LLM models and prices. Pure data.
#include <cstdint>
#include <string>
#include <vector>

namespace ec::mock::corpus {

struct OrgName {
  const char* name;  // display name, may hold accents/emoji
  const char* slug;  // ASCII slug base
};
struct Person {
  const char* display;  // as written, may be non-Latin (one right-to-left name)
  const char* ascii;    // for the e-mail address
};
struct Link {
  const char* text;
  const char* url;
};
struct Topic {
  const char* project;                 // project name
  const char* description;             // project description (markdown allowed)
  std::vector<const char*> headlines;  // episode title headlines
  std::vector<const char*> sections;   // "## …" headings
  std::vector<const char*> points;     // bullet points / facts
  std::vector<Link> links;
  std::vector<const char*> questions;  // what users ask in chat about it
};
struct GenError {
  const char* code;
  const char* message;
};
struct Model {
  const char* name;
  int64_t input_micros_per_mtok;   // micro-pounds per million input tokens
  int64_t output_micros_per_mtok;  // micro-pounds per million output tokens
};
struct Memory {
  const char* kind;  // fact | preference | instruction | context
  const char* content;
};

extern const std::vector<OrgName> kOrgNames;         // hand-written, used first
extern const std::vector<const char*> kOrgPrefixes;  // "Harbor", "Lumen", … (generated names)
extern const std::vector<const char*> kOrgSuffixes;  // "Analytics", "Studio", …
extern const std::vector<Person> kFirstNames;
extern const std::vector<Person> kLastNames;
extern const Person kRtlPerson;                // a right-to-left full name
extern const std::vector<const char*> kZones;  // IANA zones people and projects use
extern const std::vector<Topic> kTopics;
extern const std::vector<const char*> kIntros;      // "{project}" / "{date}" placeholders
extern const std::vector<const char*> kParagraphs;  // "{point}" / "{topic}" placeholders
extern const std::vector<const char*> kClosings;
extern const std::vector<const char*> kChatOpeners;  // user first messages ("{topic}", "{n}")
extern const std::vector<const char*> kChatFollowUps;
extern const std::vector<const char*> kAssistantReplies;  // "{point}", "{project}", "{n}"
extern const std::vector<const char*> kPlanningNotes;     // markdown, "{point}"
extern const std::vector<Memory> kMemories;
extern const std::vector<const char*> kHighlightNotes;
extern const std::vector<GenError> kGenErrors;
extern const std::vector<Model> kGenerationModels;  // drafting/review models
extern const Model kChatModel;
extern const Model kEmbeddingModel;

/// Exact cost in micro-pounds of a call (rounded half up).
inline int64_t cost_micros(const Model& m, int64_t input_tokens, int64_t output_tokens) {
  return (input_tokens * m.input_micros_per_mtok + output_tokens * m.output_micros_per_mtok +
          500'000) /
         1'000'000;
}

/// Replaces every "{key}" in `tpl` with `value`.
std::string fill(std::string tpl, const std::string& key, const std::string& value);

}  // namespace ec::mock::corpus
