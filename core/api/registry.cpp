// The conversion of an operation declaration (OpDecl, constant data) into its Operation.
#include "core/api/registry.hpp"

namespace ec::api {

OpDecl::operator Operation() && {
  Operation op;
  if (name) op.name = name;
  if (doc) op.doc = doc;
  op.access = access;
  op.params.reserve(params.size());
  for (const schema::FieldDecl& p : params) op.params.push_back(schema::to_field(p));
  if (entity) op.entity = entity;
  op.entity_mode = entity_mode;
  if (entity_key) op.entity_key = entity_key;
  op.result = result;
  op.errors.assign(errors.begin(), errors.end());
  op.writes = writes;
  op.prefill = prefill;
  op.handler = handler;
  op.write_result = write_result;
  return op;
}

}  // namespace ec::api
