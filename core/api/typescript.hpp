#pragma once
// TypeScript declarations derived from the schema and the operation declarations
// (`episodes-core types --lang ts`; committed as web/src/core/types.generated.ts).
#include <string>

namespace ec::api {

/// Every entity as an interface (+ Create/Patch inputs), and an `Operations` map from each
/// operation name to its params and result types.
std::string typescript_types();

/// docs/API.md: every operation with its parameters, result and error codes.
std::string api_markdown();

}  // namespace ec::api
