// Metadata operations: the operation catalogue and schema version (no `as` needed).
#include "core/api/registry.hpp"
#include "core/schema/schema.hpp"

namespace ec::api {

void add_meta_ops(std::vector<Operation>& ops) {
  ops.push_back(
      Operation{.name = "meta.version",
                .doc = "Core and schema versions.",
                .needs_as = false,
                .result_ts = "{ core: string; schemaVersion: number }",
                .writes = false,
                .handler = [](Context&, const json&) {
                  return json{{"core", EC_VERSION}, {"schemaVersion", schema::kSchemaVersion}};
                }});
  ops.push_back(
      Operation{.name = "meta.operations",
                .doc = "Every operation with its documentation.",
                .needs_as = false,
                .result_ts = "{ name: string; doc: string; needsAs: boolean }[]",
                .writes = false,
                .handler = [](Context&, const json&) {
                  json out = json::array();
                  for (const auto& op : operations())
                    out.push_back({{"name", op.name}, {"doc", op.doc}, {"needsAs", op.needs_as}});
                  return out;
                }});
}

}  // namespace ec::api
