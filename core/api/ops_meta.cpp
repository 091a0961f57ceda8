// Metadata operations: the operation catalogue and schema version (no `as` needed).
#include "core/api/registry.hpp"
#include "core/schema/schema.hpp"

namespace ec::api {

void add_meta_ops(std::vector<Operation>& ops) {
  ops.emplace_back(
      OpDecl{.name = "meta.version",
             .doc = "Core and schema versions.",
             .access = {schema::authz::Level::Public},
             .result = result::named("VersionInfo"),
             .writes = false,
             .handler = [](Context&, const json&) {
               return json{{"core", EC_VERSION}, {"schemaVersion", schema::kSchemaVersion}};
             }});
  ops.emplace_back(OpDecl{.name = "meta.operations",
                          .doc = "Every operation with its documentation.",
                          .access = {schema::authz::Level::Public},
                          .result = result::array(result::named("OperationInfo")),
                          .writes = false,
                          .handler = [](Context&, const json&) {
                            json out = json::array();
                            for (const auto& op : operations())
                              out.push_back(
                                  {{"name", op.name},
                                   {"doc", op.doc},
                                   {"needsAs", op.access.level != schema::authz::Level::Public},
                                   {"access", schema::authz::level_name(op.access.level)},
                                   {"systemToo", op.access.system_too},
                                   {"demo", op.access.demo}});
                            return out;
                          }});
}

}  // namespace ec::api
