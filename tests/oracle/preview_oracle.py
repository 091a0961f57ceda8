#!/usr/bin/env python3
"""Oracle for `episodes-core preview`: random cadences checked against Python's zoneinfo.

Usage: preview_oracle.py CLI [--cases N] [--seed S]

Generates N seeded (deterministic) random cadences across many zones and years, sends them
all to one `CLI preview --batch` process, and compares every item with an independent
implementation of the "compatible" rule on top of the stdlib's zoneinfo (which reads the
same /usr/share/zoneinfo the embedded database was generated from): fold=0 is exactly that
rule (PEP 495: in an overlap the earlier instant, in a gap the offset from before the gap).
Exits 1 on any mismatch, printing the first few.
"""
import argparse
import json
import random
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ZONES = [
    # The awkward ones the brief names.
    'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu',
    'America/St_Johns', 'Pacific/Apia', 'Africa/Casablanca', 'America/Santiago',
    'Antarctica/Troll', 'Europe/Dublin',
    # Plenty of others: both hemispheres, odd offsets, midnight changes, recent rule changes.
    'UTC', 'Europe/Paris', 'Europe/Berlin', 'Europe/Moscow', 'Europe/Kyiv', 'Europe/Lisbon',
    'Europe/Istanbul', 'Europe/Chisinau', 'Asia/Tehran', 'Asia/Jerusalem', 'Asia/Gaza',
    'Asia/Beirut', 'Asia/Amman', 'Asia/Damascus', 'Asia/Kolkata', 'Asia/Tokyo',
    'Asia/Shanghai', 'Asia/Colombo', 'Asia/Pyongyang', 'Australia/Sydney', 'Australia/Adelaide',
    'Australia/Eucla', 'Australia/Perth', 'Pacific/Auckland', 'Pacific/Chatham',
    'Pacific/Norfolk', 'Pacific/Fiji', 'Pacific/Tongatapu', 'Pacific/Kiritimati',
    'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles',
    'America/Anchorage', 'America/Adak', 'America/Havana', 'America/Mexico_City',
    'America/Sao_Paulo', 'America/Asuncion', 'America/Nuuk', 'America/Scoresbysund',
    'America/Caracas', 'America/Godthab', 'Atlantic/Azores', 'Africa/Cairo', 'Africa/Juba',
    'Africa/El_Aaiun', 'Asia/Dhaka', 'Asia/Karachi', 'Asia/Yangon', 'Asia/Almaty',
    'Antarctica/Macquarie', 'US/Eastern', 'Etc/GMT-14', 'Etc/GMT+12',
]
DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
CAP = 5000


def iso(ms):
    dt = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (ms % 1000)


def resolve(d, hh, mm, zone):
    """(utc_seconds, shifted, shift_seconds, ambiguous) for local d hh:mm, compatible rule."""
    naive = datetime.combine(d, time(hh, mm))
    u0 = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    u1 = int(naive.replace(tzinfo=zone, fold=1).timestamp())

    def wall(u):
        return datetime.fromtimestamp(u, zone).replace(tzinfo=None)

    if wall(u0) == naive:
        return u0, False, 0, u1 != u0 and wall(u1) == naive
    return u0, True, int((wall(u0) - naive).total_seconds()), False


def expected(case):
    zone = ZoneInfo(case['zone'])
    cad = case['cadence']
    hh, mm = map(int, cad['time'].split(':'))
    days = {DAYS.index(x) for x in cad['days']}
    skip = {date.fromisoformat(x) for x in cad.get('skipDates', [])}
    from_ms = parse_ms(case['from'])
    until_ms = parse_ms(case['until']) if 'until' in case else None
    lo = from_ms if until_ms is not None else from_ms + 1
    hi = until_ms if until_ms is not None else 2 ** 62
    limit = min(case.get('count', CAP), CAP)
    resume = None
    pu = cad.get('pausedUntil')
    if pu and len(pu) == 10:
        resume = date.fromisoformat(pu)
    elif pu:
        lo = max(lo, parse_ms(pu))
    d = datetime.fromtimestamp(lo // 1000, zone).date() - timedelta(days=2)
    if resume and resume > d:
        d = resume
    out, last = [], None
    while len(out) < limit:
        if d.weekday() in days and d not in skip:
            u, shifted, shift, amb = resolve(d, hh, mm, zone)
            ms = u * 1000
            if ms >= hi:
                break
            if ms >= lo and (last is None or ms > last):
                local = datetime.fromtimestamp(u, zone)
                off = int(local.utcoffset().total_seconds())
                out.append({'utc': iso(ms), 'local': local.isoformat(), 'date': d.isoformat(),
                            'weekday': DAYS[d.weekday()], 'offsetMinutes': off // 60,
                            'shifted': shifted, 'shiftMinutes': shift // 60, 'ambiguous': amb})
                last = ms
        d += timedelta(days=1)
    return out


def parse_ms(s):
    return int(datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp() * 1000)


def transitions(zone, year):
    """UTC instants (to the minute) in `year` at which the offset changes."""
    out = []
    t = datetime(year, 1, 1, tzinfo=timezone.utc)
    prev = t.astimezone(zone).utcoffset()
    while t.year == year:
        t2 = t + timedelta(hours=6)
        off = t2.astimezone(zone).utcoffset()
        if off != prev:
            lo, hi = t, t2  # offset(lo) == prev, offset(hi) == off
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, prev, off))
        prev, t = off, t2
    return out


def pick_time(rng):
    # Times near common change hours (00:00-04:00) are over-represented on purpose.
    if rng.random() < 0.7:
        return (rng.choice([0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 23]),
                rng.choice([0, 15, 30, 45, rng.randint(0, 59)]))
    return rng.randint(0, 23), rng.randint(0, 59)


def make_case(rng, zone_cache):
    name = rng.choice(ZONES)
    year = rng.choice([rng.randint(2005, 2040), rng.randint(2005, 2040), rng.randint(2090, 2110)])
    if name == 'Pacific/Apia' and rng.random() < 0.5:
        year = 2011  # the day Samoa skipped
    key = (name, year)
    if key not in zone_cache:
        zone_cache[key] = transitions(ZoneInfo(name), year)
    near = zone_cache[key]
    days = rng.sample(DAYS, rng.randint(1, 7))
    if near and rng.random() < 0.8:
        at, before, after = rng.choice(near)
        start = at - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1439))
        if rng.random() < 0.5:
            # Aim the cadence's wall time into the gap or overlap itself.
            lo, hi = sorted((at + before, at + after))
            wall = lo + timedelta(minutes=rng.randrange(int((hi - lo).total_seconds() // 60)))
            hh, mm = wall.hour, wall.minute
            if DAYS[wall.weekday()] not in days:
                days.append(DAYS[wall.weekday()])
        else:
            hh, mm = pick_time(rng)
    else:
        start = datetime(year, rng.randint(1, 12), rng.randint(1, 28),
                         tzinfo=timezone.utc) + timedelta(minutes=rng.randint(0, 1439))
        hh, mm = pick_time(rng)
    cad = {'days': days, 'time': '%02d:%02d' % (hh, mm)}
    case = {'zone': name, 'from': start.strftime('%Y-%m-%dT%H:%M:%SZ')}
    if rng.random() < 0.5:
        cad['timezone'] = name
    else:
        case['tz'] = name
    if rng.random() < 0.25:
        cad['skipDates'] = sorted({(start + timedelta(days=rng.randint(0, 60))).date().isoformat()
                                   for _ in range(rng.randint(1, 6))})
    r = rng.random()
    if r < 0.1:
        cad['pausedUntil'] = (start + timedelta(days=rng.randint(-5, 40))).date().isoformat()
    elif r < 0.15:
        cad['pausedUntil'] = (start + timedelta(hours=rng.randint(-100, 900))).strftime(
            '%Y-%m-%dT%H:%M:%SZ')
    mode = rng.random()
    if mode < 0.5:
        case['count'] = rng.randint(1, 40)
    else:
        case['until'] = (start + timedelta(days=rng.randint(1, 120),
                                           minutes=rng.randint(0, 1439))).strftime(
                                               '%Y-%m-%dT%H:%M:%SZ')
        if mode > 0.85:
            case['count'] = rng.randint(1, 20)
    case['cadence'] = cad
    return case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('--cases', type=int, default=4000)
    ap.add_argument('--seed', type=int, default=20250815)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cache = {}
    cases = [make_case(rng, cache) for _ in range(args.cases)]
    lines = []
    for c in cases:
        req = {'cadence': c['cadence'], 'from': c['from']}
        for k in ('tz', 'count', 'until'):
            if k in c:
                req[k] = c[k]
        lines.append(json.dumps(req))
    proc = subprocess.run([args.cli, 'preview', '--batch'], input='\n'.join(lines) + '\n',
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f'preview --batch exited {proc.returncode}: {proc.stderr}', file=sys.stderr)
        return 1
    results = proc.stdout.splitlines()
    if len(results) != len(cases):
        print(f'expected {len(cases)} result lines, got {len(results)}', file=sys.stderr)
        return 1
    mismatches, items, shifted, ambiguous = 0, 0, 0, 0
    for case, line in zip(cases, results):
        got = json.loads(line)
        want = expected(case)
        items += len(want)
        shifted += sum(o['shifted'] for o in want)
        ambiguous += sum(o['ambiguous'] for o in want)
        if not got.get('ok') or got['items'] != want:
            mismatches += 1
            if mismatches <= 5:
                print('MISMATCH', json.dumps(case), file=sys.stderr)
                gi = got.get('items', got)
                for i, w in enumerate(want):
                    g = gi[i] if isinstance(gi, list) and i < len(gi) else None
                    if g != w:
                        print('  first difference at item', i, '\n  want', w, '\n  got ', g,
                              file=sys.stderr)
                        break
                else:
                    print('  got extra items:', gi[len(want):][:2], file=sys.stderr)
    zones = len({c['zone'] for c in cases})
    print(f'preview oracle: {len(cases)} cases, {zones} zones, {items} occurrences '
          f'({shifted} shifted, {ambiguous} ambiguous), {mismatches} mismatches')
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
