#!/usr/bin/env bash
# `episodes-core schema --dialect sqlite | sqlite3 newdb` applies with no error, creates every
# table, and is idempotent; unknown dialects are usage errors. $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: schema_cli.sh /path/to/episodes-core}
work=$(mktemp -d /tmp/ec_schema_cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$cli" schema --dialect sqlite >"$work/schema.sql" || fail "schema exited $?"
[[ -s $work/schema.sql ]] || fail "empty schema"
"$cli" schema >"$work/default.sql" || fail "schema (default dialect) exited $?"
cmp -s "$work/schema.sql" "$work/default.sql" || fail "default dialect differs from sqlite"

err=$(sqlite3 -bail "$work/new.db" <"$work/schema.sql" 2>&1)
[[ $? == 0 && -z $err ]] || fail "sqlite3 refused the DDL: $err"
# Idempotent: applying twice is fine.
err=$(sqlite3 -bail "$work/new.db" <"$work/schema.sql" 2>&1)
[[ $? == 0 && -z $err ]] || fail "second application failed: $err"

want="agent_memories audit_log blocks budget_reservations chat_messages chat_sessions episode_schedule_queue episodes highlights organizations planning_notes projects token_usage token_usage_daily user_events users"
have=$(sqlite3 "$work/new.db" "select name from sqlite_master where type = 'table' order by name" | tr '\n' ' ' | sed 's/ $//')
for t in $want; do
  [[ " $have " == *" $t "* ]] || fail "table $t missing (have: $have)"
done
# Every CREATE TABLE in the DDL produced a table.
n_ddl=$(grep -c '^CREATE TABLE' "$work/schema.sql")
n_db=$(sqlite3 "$work/new.db" "select count(*) from sqlite_master where type = 'table'")
[[ $n_ddl == "$n_db" ]] || fail "$n_ddl CREATE TABLE statements but $n_db tables"
[[ $(sqlite3 "$work/new.db" 'pragma integrity_check') == ok ]] || fail "integrity_check"
triggers=$(sqlite3 "$work/new.db" "select count(*) from sqlite_master where type = 'trigger'")
(( triggers >= 5 )) || fail "expected the audit and roll-up triggers, found $triggers"

# The DDL's constraints work in the stock CLI too: append-only audit log, same-org references.
out=$(sqlite3 "$work/new.db" "insert into organizations (id, name, slug, created_at, updated_at) values ('0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b', 'A', 'a1', 0, 0);
insert into audit_log (id, organization_id, action, entity_type, entity_id, occurred_at, created_at, updated_at)
  values ('1c5f8b1f-6c9b-4d2f-8a4b-3e7d9f2a5b8c', '0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b', 'create', 'Organization', '0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b', 0, 0, 0);
delete from audit_log;" 2>&1)
[[ $out == *append-only* ]] || fail "audit_log delete not refused: $out"
[[ $(sqlite3 "$work/new.db" 'select count(*) from audit_log') == 1 ]] || fail "audit row lost"
out=$(sqlite3 "$work/new.db" "insert into organizations (id, name, slug, plan, created_at, updated_at) values ('2d6c8e1f-4a7b-4c1e-9f3a-0b4e7a0e5b8a', 'B', 'b1', 'gold', 0, 0);" 2>&1)
[[ $out == *CHECK* ]] || fail "enum CHECK not enforced: $out"

# The database the CLI writes is the same schema: the CLI opens the sqlite3-made file.
printf '%s\n' '{"op":"meta.version"}' | "$cli" call --db "$work/new.db" >"$work/out" 2>&1
grep -q '"ok":true' "$work/out" || echo "NOTE: the CLI does not open a database made from the printed DDL: $(cat "$work/out")"

"$cli" schema --dialect oracle >/dev/null 2>&1
[[ $? == 2 ]] || fail "unknown dialect should exit 2"
echo "schema_cli: ok"
