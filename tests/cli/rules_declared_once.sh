#!/usr/bin/env bash
# Rule constants, state lists, error codes and the money format are declared once (core/rules.hpp,
# core/error_codes.hpp; docs/adr/0014-rules-declared-once.md): this greps core/, tests/pg and web/src
# (generated files excluded) for copies of them. $1: the CLI (its `constants --json` names what
# is declared).
set -euo pipefail
cli="$1"
cd "$(dirname "$0")/../.."
"$cli" constants --json > /tmp/ec-constants.$$.json
exec python3 - /tmp/ec-constants.$$.json <<'PY'
import json, os, re, sys
c = json.load(open(sys.argv[1]))
os.remove(sys.argv[1])
rules, states = c['rules'], c['states']
GENERATED = ('constants.generated.ts', 'types.generated.ts', 'schema-final.ts')
def files(top, exts):
    for d, _, fs in os.walk(top):
        if 'node_modules' in d: continue
        for f in fs:
            if f.endswith(exts) and not f.endswith(GENERATED):
                yield os.path.join(d, f)
src = list(files('core', ('.cpp', '.hpp'))) + list(files('tests/pg', ('.mjs', '.js', '.sql'))) + \
      list(files('web/src', ('.ts', '.tsx')))
text = {p: open(p, encoding='utf-8').read() for p in src}
fail = []
def only_in(what, pattern, allowed):
    rx = re.compile(pattern)
    for p, t in text.items():
        if p in allowed: continue
        for i, line in enumerate(t.split('\n'), 1):
            if rx.search(line): fail.append(f'{p}:{i}: {what}: {line.strip()}')

# 1. The backoff rule's numbers (and its hash) live in core/rules.hpp only. 60 000 and 3 600 000
#    ms are also a plain minute and hour, so those two count as a copy on a line about a
#    backoff/retry or when both stand on one line (min(cap, base * 2^n)).
def digits(v):  # the digits of a value, with or without ' or _ separators
    return r'(?<![\d_\'])' + r"[_']?".join(str(v)) + r'(?![\d_\'])'
base, cap = digits(rules['backoffBaseMs']), digits(rules['backoffCapMs'])
for k, pat in (('backoffBaseMs', base), ('backoffCapMs', cap)):
    only_in(f'copy of {k}', r'(?i)(backoff|retry).*' + pat + '|' + pat + r'.*(backoff|retry)', {'core/rules.hpp'})
only_in('copy of the backoff base and cap', r'(?i)(min|least)\(.*(' + cap + '.*' + base + '|' + base + '.*' + cap + ')', {'core/rules.hpp'})
for k in ('fnvOffsetBasis', 'fnvPrime'):
    only_in(f'copy of {k}', digits(rules[k]), {'core/rules.hpp'})

# 2. A state list is written out (every one of its names quoted on one line) only in its
#    declaration.
for name, values in states.items():
    if len(values) < 2: continue
    rxs = [re.compile(r'["\'`]' + v + r'["\'`]') for v in values]
    for p, t in text.items():
        if p == 'core/rules.hpp': continue
        for i, line in enumerate(t.split('\n'), 1):
            if all(r.search(line) for r in rxs):
                fail.append(f'{p}:{i}: copy of the {name} list: {line.strip()}')

# 3. In core/, a state name is a C++ or SQL string literal only in core/rules.hpp: code says
#    rules::name(...) and the PostgreSQL templates '@state:List.value@'. JSON keys that happen to
#    be state names ({"cancelled", n}, {"owner", u}, out["active"]) and zone sources are not states.
names = sorted({v for vs in states.values() for v in vs} - {'user', 'system', 'free', 'pro', 'team', 'fact',
                                                            'markdown', 'open', 'context'})
lit = re.compile(r'''(?<![\w@.:])(["'])(''' + '|'.join(names) + r''')\1(?!\w)''')
for p, t in text.items():
    if not p.startswith('core/') or p == 'core/rules.hpp': continue
    for i, line in enumerate(t.split('\n'), 1):
        s = line.strip()
        if s.startswith(('//', '--', '*', '///')): continue
        for m in lit.finditer(line):
            if re.search(r'\{"' + m.group(2) + r'", |\["' + m.group(2) + r'"\]', line):
                continue  # a JSON key that happens to be a state name
            if m.group(2) == 'owner' and re.search(r'(?i)source|owner_timezone', line):
                continue  # the zone source "owner" (schedule::resolve_zone), not a role
            if m.group(2) == 'active' and 'out["active"]' in line:
                continue
            fail.append(f'{p}:{i}: state literal {m.group(0)}: {s}')

# 4. Error codes: the dashboard compares with ErrorCode.* (from the generated file), not a copy.
only_in('copy of a core error code', r"""(code\s*[!=]==?\s*|code: )['"](""" + '|'.join(e['code'] for e in c['errorCodes']) + r""")['"]""",
        {p for p in text if not p.startswith('web/src')})

# 5. Money: one format; the minus sign and the symbol's placement are declared once (comments
#    that quote the format are not a rule).
rx = re.compile(r"""(['"`])(-|\u2212)£""")
for p, t in text.items():
    if p == 'core/rules.hpp': continue
    for i, line in enumerate(t.split('\n'), 1):
        if line.strip().startswith(('//', '--', '*', '/*')): continue
        if rx.search(line): fail.append(f'{p}:{i}: a second money sign rule: {line.strip()}')

if fail:
    print('\n'.join(fail))
    print(f'FAIL: {len(fail)} copies of declared rules/states/codes (declare them in core/rules.hpp or core/error_codes.hpp and use them by name)')
    sys.exit(1)
print(f'ok: {len(text)} files, no copy of a rule constant, a state list, an error code or the money format')
PY
