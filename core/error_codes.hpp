#pragma once
// The error codes of core/errors.hpp as other languages see them: their TypeScript keys and
// docs, and what each PostgreSQL SQLSTATE of the generated migration means. Declared once here;
// the PostgreSQL templates splice the raised states (@sqlstate:<code>@), the TypeScript and the
// node suites get both from `episodes-core constants` (docs/adr/0014-rules-declared-once.md).
#include <string_view>
#include <vector>

#include "core/errors.hpp"

namespace ec {

/// One error code as the generated TypeScript declares it (`CoreErrorCode.<key>`).
struct CodeInfo {
  const char* code;  ///< one of code::*
  const char* key;   ///< camelCase key ("badRequest")
  const char* doc;
};
/// Every code of ec::code, in declaration order.
const std::vector<CodeInfo>& error_codes();

/// How a PostgreSQL error (the generated migration's functions, triggers, constraints, RLS)
/// means a core error code: by SQLSTATE. `raised` marks the one SQLSTATE the queue/budget
/// functions raise for that code (spliced into them as `@sqlstate:<code>@`); the others are
/// PostgreSQL's own classes read back to the same code. The message of a raised error starts
/// with "<code>: ".
struct PgState {
  const char* sqlstate;
  const char* code;
  bool raised = false;
};
const std::vector<PgState>& pg_states();
/// The SQLSTATE the functions raise for `code`, or nullptr.
const char* pg_raised_state(std::string_view code);

}  // namespace ec
