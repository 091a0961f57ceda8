#!/usr/bin/env python3
"""Generates the embedded time zone database (core/tz) from a TZif tree.

Usage: gen_tzdb.py ZONEINFO_DIR OUTPUT.cpp

Reads every Zone and Link named in ZONEINFO_DIR/tzdata.zi, parses the v2+ (64-bit) block and
the POSIX TZ footer of each TZif file (RFC 8536), deduplicates identical data so links and
look-alike zones share one record, drops trailing transitions the footer reproduces (what
zic's "slim" output does; Debian ships "fat" files), and writes one C++ source with a
compact varint-encoded blob plus a sorted names table. The runtime format is private to
core/tz/tzdb.cpp; bump FORMAT (and kExpectedFormat there) when changing it.

Record layout (varints are LEB128, signed values zigzag-encoded):
  ntypes, then per type: utoff (signed), isdst (byte), abbreviation index (into kAbbreviations)
  ntransitions, then per transition: delta from the previous time (0 for the first), as
    signed(minutes) << 1 when on a whole minute, else signed(seconds) << 1 | 1; type (byte)
  footer index (into kFooters)
Type 0 applies before the first transition; the footer after the last one.
"""
import os
import struct
import sys

FORMAT = 1


# --- TZif parsing --------------------------------------------------------------------------

def parse_tzif(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'TZif':
        raise ValueError(f'{path}: not a TZif file')
    version = data[4]
    if version < ord('2'):
        raise ValueError(f'{path}: TZif version 1 has no 64-bit data')

    def counts(off):
        return struct.unpack('>6l', data[off + 20:off + 44])

    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts(0)
    # Skip the v1 (32-bit) block.
    off = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts(off)
    if leapcnt:
        raise ValueError(f'{path}: leap-second ("right/") files are not supported')
    p = off + 44
    times = list(struct.unpack(f'>{timecnt}q', data[p:p + 8 * timecnt]))
    p += 8 * timecnt
    idx = list(data[p:p + timecnt])
    p += timecnt
    types = []
    for _ in range(typecnt):
        utoff, isdst, abbrind = struct.unpack('>lBB', data[p:p + 6])
        types.append((utoff, isdst, abbrind))
        p += 6
    chars = data[p:p + charcnt]
    p += charcnt + isstdcnt + isutcnt
    footer = data[p:].split(b'\n')[1].decode('ascii')

    def abbr(i):
        return chars[i:chars.index(b'\0', i)].decode('ascii')

    types = [(u, d, abbr(a)) for (u, d, a) in types]
    return times, idx, types, footer


# --- POSIX TZ footer (only to decide which trailing transitions are redundant) --------------

class Posix:
    def __init__(self, s):
        self.s, self.i = s, 0
        self.std = self.name()
        self.std_off = -self.offset()
        self.dst = None
        if self.i < len(s):
            self.dst = self.name()
            self.dst_off = self.std_off + 3600
            if self.i < len(s) and s[self.i] != ',':
                self.dst_off = -self.offset()
            self.expect(',')
            self.start = self.rule()
            self.expect(',')
            self.end = self.rule()
        if self.i != len(s):
            raise ValueError(f'bad POSIX TZ {s!r}')

    def expect(self, c):
        if self.s[self.i:self.i + 1] != c:
            raise ValueError(f'bad POSIX TZ {self.s!r}')
        self.i += 1

    def name(self):
        s = self.s
        if s[self.i] == '<':
            j = s.index('>', self.i)
            n, self.i = s[self.i + 1:j], j + 1
            return n
        j = self.i
        while j < len(s) and s[j].isalpha():
            j += 1
        n, self.i = s[self.i:j], j
        return n

    def offset(self):
        s = self.s
        sign = 1
        if s[self.i] in '+-':
            sign = -1 if s[self.i] == '-' else 1
            self.i += 1
        parts = [0, 0, 0]
        for k in range(3):
            j = self.i
            while j < len(s) and s[j].isdigit():
                j += 1
            parts[k], self.i = int(s[self.i:j]), j
            if k < 2 and self.i < len(s) and s[self.i] == ':':
                self.i += 1
            else:
                break
        return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])

    def rule(self):
        s = self.s
        if s[self.i] == 'M':
            j = self.i + 1
            while j < len(s) and (s[j].isdigit() or s[j] == '.'):
                j += 1
            m, w, d = (int(x) for x in s[self.i + 1:j].split('.'))
            self.i = j
            r = ('M', m, w, d)
        elif s[self.i] == 'J':
            j = self.i + 1
            while j < len(s) and s[j].isdigit():
                j += 1
            r, self.i = ('J', int(s[self.i + 1:j])), j
        else:
            j = self.i
            while j < len(s) and s[j].isdigit():
                j += 1
            r, self.i = ('N', int(s[self.i:j])), j
        t = 7200
        if self.i < len(s) and s[self.i] == '/':
            self.i += 1
            t = self.offset()
        return r + (t,)

    @staticmethod
    def days_from_civil(y, m, d):
        y -= m <= 2
        era = y // 400
        yoe = y - era * 400
        doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
        return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468

    @staticmethod
    def leap(y):
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)

    def rule_local_seconds(self, r, y):
        if r[0] == 'M':
            _, m, w, d, t = r
            first = self.days_from_civil(y, m, 1)
            wd = (first + 4) % 7  # 0 = Sunday, as POSIX counts
            day = first + (d - wd) % 7 + (w - 1) * 7
            mdays = [31, 29 if self.leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
            while day >= first + mdays:
                day -= 7
        elif r[0] == 'J':
            _, n, t = r
            day = self.days_from_civil(y, 1, 1) + n - 1 + (1 if self.leap(y) and n >= 60 else 0)
        else:
            _, n, t = r
            day = self.days_from_civil(y, 1, 1) + n
        return day * 86400 + t

    def transitions(self, y0, y1):
        """(utc, utoff, isdst, abbr) for years y0..y1, sorted."""
        out = []
        if self.dst is None:
            return out
        for y in range(y0, y1 + 1):
            out.append((self.rule_local_seconds(self.start, y) - self.std_off, self.dst_off, 1,
                        self.dst))
            out.append((self.rule_local_seconds(self.end, y) - self.dst_off, self.std_off, 0,
                        self.std))
        out.sort()
        return out


def year_of(t):
    return 1970 + t // 31556952


def slim(times, idx, types, footer):
    """Drops the trailing transitions the footer reproduces exactly; returns kept count."""
    if not footer or not times:
        return len(times)
    try:
        rule = Posix(footer)
    except (ValueError, IndexError):
        return len(times)
    n = len(times)
    if rule.dst is None:
        fixed = (rule.std_off, 0, rule.std)
        k = n
        while k > 0 and types[idx[k - 1]] == fixed:
            k -= 1
        # Keep the transition into the fixed offset; later ones into the same type are noise.
        return min(n, k + 1)
    predicted = rule.transitions(year_of(times[0]) - 1, year_of(times[-1]) + 1)
    table = [(times[i],) + types[idx[i]] for i in range(n)]
    # Smallest k such that the footer, applied after times[k-1], yields exactly table[k:].
    best = n
    for k in range(n - 1, 0, -1):
        after = [p for p in predicted if times[k - 1] < p[0] <= times[-1]]
        if after != table[k:]:
            break
        # State just after times[k-1] must match too (the footer takes over from there).
        before = [p for p in predicted if p[0] <= times[k - 1] + 1]
        if not before or before[-1][1:] != types[idx[k - 1]]:
            continue
        best = k
    return best


# --- encoding ------------------------------------------------------------------------------

def varint(v, out):
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def zigzag(v):
    return (v << 1) if v >= 0 else ((-v << 1) - 1)


def main():
    zoneinfo, out_path = sys.argv[1], sys.argv[2]
    version = 'unknown'
    zones, links = [], []
    with open(os.path.join(zoneinfo, 'tzdata.zi'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('# version '):
                version = line.split()[2]
            fields = line.split()
            if fields and fields[0] == 'Z':
                zones.append(fields[1])
            elif fields and fields[0] == 'L':
                links.append((fields[2], fields[1]))

    abbrs, abbr_index = [], {}
    footers, footer_index = [], {}
    records, record_index = [], {}
    zone_record = {}
    stats = {'transitions': 0, 'kept': 0}

    def intern(table, index, s):
        if s not in index:
            index[s] = len(table)
            table.append(s)
        return index[s]

    for name in zones:
        times, idx, types, footer = parse_tzif(os.path.join(zoneinfo, name))
        kept = slim(times, idx, types, footer)
        stats['transitions'] += len(times)
        stats['kept'] += kept
        times, idx = times[:kept], idx[:kept]
        # Keep only the types still referenced (plus type 0, used before the first transition).
        used = sorted(set([0] + idx))
        remap = {old: new for new, old in enumerate(used)}
        types = [types[i] for i in used]
        idx = [remap[i] for i in idx]
        blob = bytearray()
        varint(len(types), blob)
        for utoff, isdst, abbr in types:
            varint(zigzag(utoff), blob)
            blob.append(isdst)
            varint(intern(abbrs, abbr_index, abbr), blob)
        varint(len(times), blob)
        prev = 0
        for t, i in zip(times, idx):
            # Almost every transition is on a whole minute: store those in minutes (low bit 0).
            d = t - prev
            varint(zigzag(d // 60) << 1 if d % 60 == 0 else zigzag(d) << 1 | 1, blob)
            blob.append(i)
            prev = t
        varint(intern(footers, footer_index, footer), blob)
        zone_record[name] = intern(records, record_index, bytes(blob))

    names = [(z, zone_record[z], z) for z in zones]
    for link, target in links:
        if target not in zone_record:
            raise SystemExit(f'link {link} -> unknown zone {target}')
        names.append((link, zone_record[target], target))
    names.sort()
    zone_names = sorted(zones)

    data = bytearray()
    offsets = []
    for r in records:
        offsets.append(len(data))
        data += r
    offsets.append(len(data))

    def cstr(s):
        return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

    o = []
    o.append('// Generated by tools/gen_tzdb.py from %s (tzdata %s). Do not edit.' % (zoneinfo,
                                                                                    version))
    o.append('// %d zones, %d links, %d unique records, %d of %d transitions kept, %d bytes.' %
             (len(zones), len(links), len(records), stats['kept'], stats['transitions'],
              len(data)))
    o.append('#include "core/tz/tzdb_data.hpp"')
    o.append('namespace ec::tz::data {')
    o.append('const int kFormat = %d;' % FORMAT)
    o.append('const char kVersion[] = %s;' % cstr(version))
    o.append('const unsigned char kBlob[] = {')
    for i in range(0, len(data), 24):
        o.append(','.join(str(b) for b in data[i:i + 24]) + ',')
    o.append('};')
    o.append('const unsigned kRecordOffsets[] = {%s};' % ','.join(map(str, offsets)))
    o.append('const unsigned kRecordCount = %d;' % len(records))
    o.append('const char* const kAbbreviations[] = {%s};' % ','.join(map(cstr, abbrs)))
    o.append('const unsigned kAbbreviationCount = %d;' % len(abbrs))
    o.append('const char* const kFooters[] = {%s};' % ','.join(map(cstr, footers)))
    o.append('const unsigned kFooterCount = %d;' % len(footers))
    o.append('const NameEntry kNames[] = {')
    canonical_pos = {z: i for i, z in enumerate(zone_names)}
    for n, rec, target in names:
        o.append('{%s,%d,%d},' % (cstr(n), rec, canonical_pos[target]))
    o.append('};')
    o.append('const unsigned kNameCount = %d;' % len(names))
    o.append('const char* const kZoneNames[] = {%s};' % ','.join(map(cstr, zone_names)))
    o.append('const unsigned kZoneCount = %d;' % len(zone_names))
    o.append('}  // namespace ec::tz::data')
    tmp = out_path + '.tmp'
    with open(tmp, 'w', encoding='ascii') as f:
        f.write('\n'.join(o) + '\n')
    os.replace(tmp, out_path)


if __name__ == '__main__':
    main()
