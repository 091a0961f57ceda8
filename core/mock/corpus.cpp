// Content for mock data. Written to read like a product in real use: real-sounding
// organizations and people (accents, emoji, one right-to-left name), topics people actually
// subscribe to, markdown with headings, lists and links. No lorem ipsum.
#include "core/mock/corpus.hpp"

namespace ec::mock::corpus {

const std::vector<OrgName> kOrgNames = {
    {"Northwind Analytics", "northwind-analytics"},
    {"Café Lumière", "cafe-lumiere"},
    {"Kestrel Robotics", "kestrel-robotics"},
    {"Brightwater Health Trust", "brightwater-health"},
    {"Fjord & Pine Studio", "fjord-and-pine"},
    {"Müller Logistik GmbH", "muller-logistik"},
    {"São Paulo Data Co.", "sao-paulo-data"},
    {"Oakridge Public Library", "oakridge-library"},
    {"Blue Heron Ventures", "blue-heron-ventures"},
    {"Tōkyō Lantern Labs", "tokyo-lantern-labs"},
    {"Greenfield Climate 🌱", "greenfield-climate"},
    {"Orbital Coffee Roasters", "orbital-coffee"},
};

const std::vector<const char*> kOrgPrefixes = {
    "Harbor", "Lumen", "Alder", "Copperleaf", "Meridian", "Saffron", "Granite", "Willow", "Beacon", "Juniper",
    "Cobalt", "Marigold", "Sterling", "Tidewater", "Redwood", "Aurora", "Quarry", "Lantern", "Summit", "Ember"};
const std::vector<const char*> kOrgSuffixes = {
    "Analytics", "Studio", "Partners", "Health", "Labs", "Media", "Logistics", "Foundation", "Capital",
    "Consulting", "Robotics", "Publishing", "Energy", "Collective", "Works"};

const std::vector<Person> kFirstNames = {
    {"Amelia", "amelia"}, {"Oliver", "oliver"}, {"Zoë", "zoe"},       {"José", "jose"},
    {"Søren", "soren"},   {"Chloé", "chloe"},   {"Björn", "bjorn"},   {"Łukasz", "lukasz"},
    {"Siobhán", "siobhan"}, {"Aarav", "aarav"}, {"Mei", "mei"},       {"Yūki", "yuki"},
    {"Ngozi", "ngozi"},   {"Kwame", "kwame"},   {"Ana", "ana"},       {"Mateo", "mateo"},
    {"Priya", "priya"},   {"Fatima", "fatima"}, {"Hannah", "hannah"}, {"Daniel", "daniel"},
    {"Élodie", "elodie"}, {"Tomás", "tomas"},   {"Ingrid", "ingrid"}, {"Ravi", "ravi"},
    {"Grace", "grace"},   {"Noah", "noah"},     {"Lucía", "lucia"},   {"Matteo", "matteo"},
    {"Aoife", "aoife"},   {"Jonas", "jonas"},   {"Camille", "camille"}, {"Sam", "sam"}};
const std::vector<Person> kLastNames = {
    {"García", "garcia"},   {"O’Connor", "oconnor"}, {"Nakamura", "nakamura"}, {"Okafor", "okafor"},
    {"Müller", "muller"},   {"Lindqvist", "lindqvist"}, {"Kowalski", "kowalski"}, {"Patel", "patel"},
    {"Dubois", "dubois"},   {"Mensah", "mensah"},   {"Rossi", "rossi"},       {"Chen", "chen"},
    {"Fernández", "fernandez"}, {"Nguyễn", "nguyen"}, {"Brennan", "brennan"}, {"Haddad", "haddad"},
    {"Kaur", "kaur"},       {"Andersen", "andersen"}, {"Silva", "silva"},     {"Walker", "walker"},
    {"Ishikawa", "ishikawa"}, {"Novák", "novak"},   {"Thompson", "thompson"}, {"Adeyemi", "adeyemi"}};
const Person kRtlPerson = {"ليلى حداد", "layla.haddad"};

const std::vector<const char*> kZones = {
    "Europe/London",    "Europe/Paris",       "Europe/Berlin",   "America/New_York", "America/Los_Angeles",
    "America/Chicago",  "America/Sao_Paulo",  "Asia/Tokyo",      "Asia/Kolkata",     "Asia/Kathmandu",
    "Australia/Sydney", "America/St_Johns",   "Africa/Lagos",    "Europe/Dublin",    "Pacific/Auckland",
    "Asia/Singapore",   "Australia/Lord_Howe", "America/Santiago", "UTC"};

const std::vector<Topic> kTopics = {
    {"AI Research Digest",
     "A weekly digest of **machine-learning papers** worth reading, with one-paragraph summaries and why they "
     "matter for our product.",
     {"Small models catch up on reasoning", "What changed in retrieval this week", "Agents that plan before they act",
      "Evaluations we can actually trust", "Long context: hype vs. results", "Distillation goes mainstream",
      "Multimodal benchmarks get harder", "Cheaper inference, same quality"},
     {"Papers worth your time", "Why it matters for us", "Benchmarks and numbers", "Open questions"},
     {"a 3B-parameter model matched a 70B baseline on grade-school maths after targeted distillation",
      "retrieval-augmented pipelines cut hallucinated citations by roughly a third in the reported evals",
      "the new evaluation suite separates memorisation from reasoning with held-out problem variants",
      "speculative decoding halves latency without changing outputs",
      "mixture-of-experts routing is now stable enough for production fine-tuning",
      "synthetic data helps most when it is filtered by a stronger verifier model",
      "context windows above 200k tokens still lose facts placed in the middle",
      "quantised 4-bit weights keep 98 % of the accuracy on our internal tasks"},
     {{"arXiv listing for cs.CL", "https://arxiv.org/list/cs.CL/recent"},
      {"Papers with Code leaderboard", "https://paperswithcode.com/sota"},
      {"Our evaluation notes", "https://wiki.northwind.example/ml/evals"}},
     {"Which of these papers should we try first?", "Can you explain the distillation result in plain words?",
      "Is the long-context finding relevant to our support bot?"}},
    {"Competitor Watch: Payments",
     "What our competitors in **European payments** shipped, priced and announced — every Monday and Thursday.",
     {"Instant payouts arrive in three new markets", "Pricing changes across the board", "A new player in open banking",
      "Fraud tooling becomes the battleground", "Checkout conversion claims, examined", "Partnership season"},
     {"Launches", "Pricing", "Hiring signals", "What we should do"},
     {"one rival cut its card fee to 1.2 % + 20p for SMEs in the UK",
      "a competitor launched instant SEPA payouts in Spain, Portugal and Italy",
      "three job postings mention a new risk-scoring team in Dublin",
      "the largest player now bundles invoicing for free on annual plans",
      "an open-banking start-up raised €40 m to build pay-by-bank at checkout",
      "two rivals announced a shared fraud-signal network"},
     {{"PSD3 proposal (European Commission)", "https://finance.ec.europa.eu/publications"},
      {"Internal pricing tracker", "https://docs.northwind.example/pricing-tracker"}},
     {"How does the fee change compare with ours?", "Which launch is the biggest threat?"}},
    {"Engineering Changelog",
     "A readable summary of what the platform team merged, deployed and rolled back.",
     {"Faster builds and a quieter pager", "Database upgrade, done", "Feature flags cleaned up",
      "The queue rewrite lands", "Dependency updates and one surprise", "Observability week"},
     {"Shipped", "Incidents", "Tech debt paid", "Next up"},
     {"CI time dropped from 18 to 11 minutes after caching the dependency layer",
      "PostgreSQL 16 is live on all clusters with no downtime",
      "42 stale feature flags were removed from the web app",
      "the schedule queue now uses leases and fencing tokens",
      "one incident: a bad config push caused 7 minutes of 5xx errors on the EU edge",
      "p95 API latency is down to 180 ms after the connection-pool fix"},
     {{"Runbook: deploys", "https://runbooks.kestrel.example/deploys"},
      {"Incident review template", "https://wiki.kestrel.example/incident-review"}},
     {"What caused the incident exactly?", "Can you list the flags we removed?"}},
    {"Customer Feedback Roundup",
     "Themes from support tickets, NPS comments and sales calls, with quotes and counts.",
     {"Onboarding friction, in their words", "What power users ask for", "Billing questions spike",
      "Mobile app praise and pain", "Why trials did not convert", "The export feature, again"},
     {"Top themes", "Verbatim quotes", "Numbers", "Suggested actions"},
     {"31 tickets mentioned the CSV export timing out on large workspaces",
      "NPS rose from 38 to 44, driven by the new dashboard",
      "trial users who invite a teammate convert at twice the rate",
      "billing questions doubled after the VAT change on invoices",
      "power users want keyboard shortcuts for every list view",
      "“The weekly summary is the first thing I read on Monday” — a customer in Lyon"},
     {{"Support dashboard", "https://support.brightwater.example/reports"},
      {"NPS survey results", "https://insights.brightwater.example/nps"}},
     {"Which theme should product prioritise?", "Can you pull more quotes about onboarding?"}},
    {"Climate Tech Briefing 🌍",
     "Policy, funding and technology news on decarbonisation, twice a week.",
     {"Heat pumps outsell gas boilers again", "Grid storage breaks a record", "Carbon removal gets a price signal",
      "Offshore wind auctions reopen", "Green steel's first customers", "EV charging: the numbers behind the headlines"},
     {"Policy", "Funding rounds", "Technology", "Chart of the week"},
     {"grid-scale battery capacity in Europe grew 60 % year on year",
      "a Swedish green-steel plant signed its first automotive customer",
      "direct-air-capture credits traded at $420 per tonne in the latest auction",
      "the UK reopened offshore wind auctions with a higher strike price",
      "heat-pump installations outpaced gas boilers in France for the third quarter running",
      "public EV chargers per car fell slightly as sales outpaced installations"},
     {{"IEA reports", "https://www.iea.org/reports"}, {"Carbon Brief", "https://www.carbonbrief.org"}},
     {"What does the auction price mean for project finance?", "Summarise the storage numbers for a slide"}},
    {"Menu & Sourcing Notes ☕",
     "Suppliers, seasonal produce and menu ideas for the café — every Tuesday.",
     {"Autumn pastries and where to get pears", "A new roaster to try", "Oat-milk prices, compared",
      "Seasonal soups that sell", "Waste down, margins up", "Christmas menu, first draft"},
     {"Seasonal produce", "Suppliers", "Menu ideas", "Costs"},
     {"Comice pears from the Loire are at their best from late September",
      "the roaster in Montreuil offers a washed Ethiopian at €24/kg",
      "oat-milk prices rose 8 % at the wholesaler but stayed flat at the co-op",
      "a leek and potato velouté costs about €0.90 a bowl in ingredients",
      "tracking waste daily cut thrown-away pastries by a quarter",
      "crème brûlée and tarte Tatin were the two best sellers last December"},
     {{"Marché de Rungis prices", "https://www.rungisinternational.com"},
      {"Our supplier sheet", "https://drive.cafe-lumiere.example/suppliers"}},
     {"Which supplier gives the best price on oat milk?", "Suggest a soup for next week"}},
    {"Security Advisories",
     "New CVEs affecting our stack, with severity, exposure and what to patch first.",
     {"Patch Tuesday, triaged", "An OpenSSL fix worth rushing", "Supply-chain scare in npm",
      "Container images to rebuild", "Browser zero-day: are we exposed?", "Quiet week, two small fixes"},
     {"Critical", "Our exposure", "Patched", "To watch"},
     {"a high-severity OpenSSL bug affects our TLS terminators; the fix is in 3.0.15",
      "a typosquatted npm package mimicked a popular date library for 36 hours",
      "nine base images need rebuilding to pick up the glibc fix",
      "the browser zero-day needs a user to open a crafted page; our kiosks auto-update",
      "SSH on the bastion hosts was already patched by the weekly job",
      "two medium CVEs in the PDF library are not reachable from user input"},
     {{"NVD search", "https://nvd.nist.gov/vuln/search"}, {"CISA KEV catalogue", "https://www.cisa.gov/known-exploited-vulnerabilities-catalog"}},
     {"Are we exposed to the npm incident?", "What should on-call patch tonight?"}},
    {"Library Programmes Weekly",
     "Events, new acquisitions and community programmes at the library, for staff and volunteers.",
     {"Half-term activities for families", "New graphic novels on the shelves", "Digital skills sessions return",
      "Author visit: booking open", "Volunteers wanted for the book sale", "Summer reading challenge results"},
     {"Events", "New arrivals", "Community", "Volunteers"},
     {"412 children completed the summer reading challenge, up from 350",
      "the Tuesday digital-skills session has a waiting list of 18",
      "a local author will read from her new novel on the 14th",
      "the book sale raised £1,240 for the children's section",
      "120 new graphic novels were catalogued this month",
      "the makerspace 3D printer is back after repairs"},
     {{"Events calendar", "https://oakridge-library.example/events"},
      {"Volunteer rota", "https://oakridge-library.example/volunteer"}},
     {"Draft a short post about the author visit", "How many volunteers do we still need?"}},
    {"Logistics Market Update",
     "Freight rates, port congestion and carrier news that affect our routes — Mondays.",
     {"Container rates ease on Asia–Europe", "Rhine water levels and barge costs", "Port strikes: what to expect",
      "Air cargo demand picks up", "Diesel surcharges, recalculated", "Peak-season capacity check"},
     {"Rates", "Disruptions", "Carriers", "Actions for our routes"},
     {"spot rates Shanghai–Rotterdam fell 9 % week on week",
      "low water at Kaub limits barges to about 40 % of their load",
      "a 48-hour strike is announced at two Belgian ports",
      "air-cargo volumes out of Frankfurt rose 5 %",
      "our diesel surcharge formula adds €0.04 per km this month",
      "two carriers added extra loaders for the peak season"},
     {{"Drewry World Container Index", "https://www.drewry.co.uk/supply-chain-advisors/world-container-index"},
      {"Internal route planner", "https://routes.muller-logistik.example"}},
     {"Should we book the extra loaders now?", "Explain the surcharge change for a customer email"}},
    {"Product Analytics Pulse",
     "Activation, retention and feature adoption, with the charts explained in words.",
     {"Activation dips after the pricing page change", "Week-4 retention at a new high",
      "Who uses the new editor", "Mobile sessions overtake desktop", "Funnel leaks, located", "Cohort check-in"},
     {"Headline numbers", "Funnels", "Cohorts", "What to test next"},
     {"activation fell from 41 % to 37 % after the pricing page went live",
      "week-4 retention reached 58 % for the June cohort",
      "23 % of weekly active users tried the new editor; 61 % of them came back",
      "mobile now accounts for 52 % of sessions but 30 % of edits",
      "the largest drop-off is the invite-teammate step (−34 %)",
      "users who set a cadence in the first session retain 1.8× better"},
     {{"Analytics workspace", "https://analytics.blue-heron.example"},
      {"Experiment log", "https://wiki.blue-heron.example/experiments"}},
     {"Why did activation drop?", "Suggest an experiment for the invite step"}},
    {"Robotics Field Reports",
     "What the field robots did this week: uptime, incidents and fixes from the sites.",
     {"Uptime above 99 % at every site", "A gripper redesign pays off", "Rain, mud and lidar",
      "The Osaka pilot, week three", "Battery swaps, optimised", "Firmware 4.2 rollout"},
     {"Fleet status", "Incidents", "Fixes shipped", "Next week"},
     {"fleet uptime was 99.2 % across 14 sites",
      "the new gripper cut dropped parcels from 1.1 % to 0.3 %",
      "heavy rain at the Leeds site caused 3 lidar false stops",
      "the Osaka pilot handled 2,300 picks a day in week three",
      "battery-swap time fell to 94 seconds with the new dock",
      "firmware 4.2 reached 80 % of the fleet without a rollback"},
     {{"Fleet dashboard", "https://fleet.kestrel.example"}, {"Firmware release notes", "https://docs.kestrel.example/firmware/4.2"}},
     {"Which site needs attention first?", "Summarise the gripper results for the board"}},
    {"Spanish Practice Notes 🇪🇸",
     "Short lessons for the team's Spanish club: vocabulary, a dialogue and one grammar point.",
     {"El subjuntivo sin miedo", "Vocabulario: en la oficina", "Ser y estar, otra vez", "Un diálogo en el mercado",
      "Los falsos amigos más traicioneros", "Hablar del futuro"},
     {"Vocabulario", "Diálogo", "Gramática", "Para practicar"},
     {"«embarazada» means pregnant, not embarrassed — a classic false friend",
      "use the subjunctive after «espero que»: espero que tengas un buen día",
      "«estar» is for states and locations: la reunión está en la sala 3",
      "«¿Me pone un café con leche, por favor?» is how you order in Spain",
      "«quedar» can mean to meet, to remain or to suit — context decides",
      "the near future is simply «ir a» + infinitive: voy a llamar mañana"},
     {{"RAE dictionary", "https://dle.rae.es"}, {"SpanishDict conjugations", "https://www.spanishdict.com/conjugation"}},
     {"Can you give me five more false friends?", "Explain when to use the subjunctive"}},
};

const std::vector<const char*> kIntros = {
    "Here is this edition of **{project}**, covering the days up to {date}.",
    "Welcome back to {project}. The short version: {point}.",
    "{project} for {date}: a busy stretch, so the summary comes first.",
    "This is your {project} briefing for {date}. Three things stood out.",
};
const std::vector<const char*> kParagraphs = {
    "The most important development is that {point}. It is early, but worth watching closely.",
    "Digging into the details, {point}. We flagged this in an earlier edition and it has held up.",
    "Worth noting: {point}. The source is solid and the numbers are consistent with last month.",
    "On the practical side, {point}. If you only act on one thing this week, make it this.",
    "Less visible but relevant: {point}.",
};
const std::vector<const char*> kClosings = {
    "That's all for this edition — reply in the chat if you want more depth on any item.",
    "Next edition follows the usual schedule. Add a planning note if you want a topic covered. ✍️",
    "Thanks for reading. Highlights you make are used to tune the next editions.",
};
const std::vector<const char*> kChatOpeners = {
    "{question}",
    "Quick one about episode {n}: {question}",
    "{question} Keep it short, please.",
};
const std::vector<const char*> kChatFollowUps = {
    "Thanks! Can you turn that into three bullet points?",
    "What sources did you use for that?",
    "Good. Please remember that for the next editions.",
    "Could you compare it with last month?",
};
const std::vector<const char*> kAssistantReplies = {
    "Short answer: {point}. In the context of {project}, that matters because it changes what we compare "
    "against next time. Want me to add it to the next edition?",
    "Here's a summary:\n\n- {point}\n- It was covered in episode {n}\n- I'd watch it for two more weeks before "
    "acting\n\nShall I add a planning note?",
    "I based that on the sources linked in episode {n}. The key figure is that {point}.",
    "Noted — I'll keep that in mind for future editions of {project}.",
};
const std::vector<const char*> kPlanningNotes = {
    "Please lead with a **three-bullet summary** before the details.",
    "Spend more time on this next week: {point}.",
    "Too long lately. Aim for ~600 words and link out for the rest.",
    "Add a short *What we should do* section at the end with owners.",
    "Skip the funding news next time; the team doesn't use it.",
    "Follow up on this: {point}. Is it still true?",
    "Use British spelling and £ for prices, please.",
    "Include one chart description we can paste into the Monday deck 📊",
};
const std::vector<Memory> kMemories = {
    {"preference", "Readers prefer a three-bullet summary at the top."},
    {"preference", "Keep editions under 800 words; link out for details."},
    {"instruction", "Always cite the source of every number with a link."},
    {"instruction", "Use British spelling and show prices in GBP (£)."},
    {"fact", "The team meets on Monday mornings and reads the edition before the meeting."},
    {"fact", "Our main markets are the UK, France and Spain."},
    {"context", "The audience is product managers and engineers, not executives."},
    {"context", "Past editions that covered pricing got the most highlights."},
    {"preference", "No emoji in headings, please."},
    {"fact", "The company's fiscal year starts in April."},
};
const std::vector<const char*> kHighlightNotes = {
    "Share this with the team on Monday.", "Is this confirmed?", "Good point — follow up.",
    "Use in the board deck.", "Disagree, see last month's numbers.", "📌 keep",
};
const std::vector<GenError> kGenErrors = {
    {"llm_timeout", "The model did not answer within 120 s (request id req_7f3a…)."},
    {"rate_limited", "429 Too Many Requests from the provider; retry after 30 s."},
    {"provider_unavailable", "503 Service Unavailable: upstream overloaded."},
    {"invalid_output", "The draft was not valid markdown: unclosed code fence at line 41."},
    {"context_length_exceeded", "Prompt of 212,004 tokens exceeds the model's 200,000-token context window."},
    {"source_fetch_failed", "Could not fetch a source page: connection reset by peer."},
    {"content_filter", "The provider's content filter blocked the output."},
};
// Prices in micro-pounds per million tokens (list prices converted at 1 USD = £0.79).
const std::vector<Model> kGenerationModels = {
    {"claude-sonnet-4-20250514", 2'370'000, 11'850'000},
    {"gpt-4o-2024-08-06", 1'975'000, 7'900'000},
    {"claude-3-5-haiku-20241022", 632'000, 3'160'000},
    {"gpt-4o-mini", 119'000, 474'000},
};
const Model kChatModel = {"claude-3-5-haiku-20241022", 632'000, 3'160'000};
const Model kEmbeddingModel = {"text-embedding-3-small", 16'000, 0};

std::string fill(std::string tpl, const std::string& key, const std::string& value) {
  const std::string pat = "{" + key + "}";
  for (size_t p = tpl.find(pat); p != std::string::npos; p = tpl.find(pat, p + value.size()))
    tpl.replace(p, pat.size(), value);
  return tpl;
}

}  // namespace ec::mock::corpus
