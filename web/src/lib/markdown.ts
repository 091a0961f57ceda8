// A small, safe markdown parser for episode blocks. It never produces HTML text: the result is a
// tree that React renders as elements, so markup in the source (<script>, <img onerror>…) shows as
// text and never runs. Links never lead off the app (see safeHref): episode text is written by
// an AI that can be steered by what it reads, so it must not send readers elsewhere.
//
// Every text leaf is a verbatim slice of the source: `source.slice(start, start + text.length)
// === text`. The renderer tags leaves with their start offset, which is how a DOM selection maps
// back to UTF-16 offsets of the block's text (see selection.ts) for highlights.

export type Inline =
  | { t: 'text'; start: number; text: string }
  | { t: 'code'; start: number; text: string }
  | { t: 'em' | 'strong' | 'del'; children: Inline[] }
  | { t: 'link'; href: string | null; children: Inline[] };

export type Block =
  | { t: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { t: 'para'; children: Inline[] }
  | { t: 'list'; ordered: boolean; startNumber: number; items: Inline[][] }
  | { t: 'quote'; children: Block[] }
  | { t: 'codeblock'; lang: string; start: number; text: string }
  | { t: 'hr' };

interface Line {
  start: number; // offset of the line's first character in the source
  text: string; // without the line break
}

function splitLines(src: string, base = 0): Line[] {
  const lines: Line[] = [];
  let pos = 0;
  while (pos <= src.length) {
    const nl = src.indexOf('\n', pos);
    const end = nl === -1 ? src.length : nl;
    let text = src.slice(pos, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    lines.push({ start: base + pos, text });
    if (nl === -1) break;
    pos = nl + 1;
  }
  return lines;
}

/** The page's address (the browser's), or a stand-in outside the browser (tests pass their own). */
function pageUrl(): string {
  return typeof location !== 'undefined' && location.origin && location.origin !== 'null' ? location.href : 'http://localhost/';
}

// Characters that never appear in a link we keep: ASCII control characters and white space
// (browsers strip tab/newline inside a scheme: "java\tscript:"), other Unicode spaces and
// invisible format characters, and backslashes (browsers read "/\host" and "\\host" as "//host").
const FORBIDDEN = /[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\\]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The rule for links in markdown (episode content, planning notes):
 *  - a link is kept only when the browser's URL parser, resolving it against the page's origin
 *    (new URL(href, page address)), gives an http(s) URL of that SAME origin; it is rendered as a plain
 *    in-app link (same tab), with the parser's own path + query + fragment as its href, so what
 *    the browser follows is exactly what was checked;
 *  - everything else is rendered as plain text, the link's words without a link: other sites
 *    (even https), mailto:, javascript:, data:, vbscript:, protocol-relative //host, backslash
 *    forms (/\host, \\host), control characters or white space anywhere in the href, HTML
 *    entities (&#106;…) and percent-encoded schemes (%6Aavascript:), credentials (user@).
 * Returns the href to render, or null for plain text.
 */
export function safeHref(raw: string, page: string = pageUrl()): string | null {
  const href = raw.trim();
  if (!href || href.length > 2048) return null;
  if (FORBIDDEN.test(href)) return null;
  if (/&#|&[a-z][a-z0-9]*;/i.test(href)) return null; // character references (&#106; &colon;)
  if (SCHEME.test(href) && !/^https?:/i.test(href)) return null;
  if (!SCHEME.test(href)) {
    // A relative link must not become a scheme once decoded ("%6Aavascript:" is "javascript:").
    let decoded = href;
    for (let k = 0; k < 3; k++) {
      let next: string;
      try {
        next = decodeURIComponent(decoded);
      } catch {
        return null;
      }
      if (next === decoded) break;
      decoded = next;
    }
    if (FORBIDDEN.test(decoded) || /^[^/?#]*:/.test(decoded) || decoded.startsWith('//')) return null;
  }
  let base: URL;
  let url: URL;
  try {
    base = new URL(page);
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.origin !== base.origin || url.username || url.password) return null;
  // A path that begins "//" would be read as another host when rendered ("/..//evil.example").
  if (url.pathname.startsWith('//')) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/** Parses inline markup of `s`, whose first character is at `base` in the source. */
export function parseInline(s: string, base: number): Inline[] {
  const out: Inline[] = [];
  let textStart = 0;
  let i = 0;
  const flush = (to: number) => {
    if (to > textStart) out.push({ t: 'text', start: base + textStart, text: s.slice(textStart, to) });
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && PUNCT.test(s[i + 1])) {
      flush(i);
      out.push({ t: 'text', start: base + i + 1, text: s[i + 1] });
      i += 2;
      textStart = i;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      const close = s.indexOf(fence, i + n);
      if (close !== -1) {
        flush(i);
        out.push({ t: 'code', start: base + i + n, text: s.slice(i + n, close) });
        i = close + n;
        textStart = i;
        continue;
      }
      i += n;
      continue;
    }
    if ((c === '*' || c === '_' || c === '~') && !(c === '_' && i > 0 && /\w/.test(s[i - 1]))) {
      const double = s[i + 1] === c;
      if (c === '~' && !double) { i++; continue; }
      const delim = double ? c + c : c;
      const innerStart = i + delim.length;
      if (innerStart < s.length && !/\s/.test(s[innerStart])) {
        let close = s.indexOf(delim, innerStart + 1);
        // a single delimiter must not match the first half of a double one
        while (close !== -1 && !double && s[close + 1] === c) close = s.indexOf(delim, close + 2);
        if (close !== -1 && !/\s/.test(s[close - 1]) && !(c === '_' && /\w/.test(s[close + delim.length] ?? ''))) {
          flush(i);
          const kind = c === '~' ? 'del' : double ? 'strong' : 'em';
          out.push({ t: kind, children: parseInline(s.slice(innerStart, close), base + innerStart) });
          i = close + delim.length;
          textStart = i;
          continue;
        }
      }
      i += delim.length;
      continue;
    }
    if (c === '[') {
      // [label](url) with balanced brackets in the label
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === '\\') { j++; continue; }
        if (s[j] === '[') depth++;
        else if (s[j] === ']' && --depth === 0) break;
      }
      if (j < s.length && s[j + 1] === '(') {
        const close = s.indexOf(')', j + 2);
        if (close !== -1) {
          const dest = s.slice(j + 2, close).trim();
          const m = /^(\S*)(?:\s+("[^"]*"|'[^']*'))?$/.exec(dest);
          flush(i);
          // A destination with white space inside (other than a quoted title) is never a link.
          out.push({ t: 'link', href: m ? safeHref(m[1]) : null, children: parseInline(s.slice(i + 1, j), base + i + 1) });
          i = close + 1;
          textStart = i;
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === '<') {
      const m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(s.slice(i));
      if (m) {
        flush(i);
        out.push({ t: 'link', href: safeHref(m[1]), children: [{ t: 'text', start: base + i + 1, text: m[1] }] });
        i += m[0].length;
        textStart = i;
        continue;
      }
    }
    i++;
  }
  flush(s.length);
  return out;
}

/** Inline content of several lines (a paragraph): line breaks stay as verbatim "\n" text. */
function inlineLines(lines: { start: number; text: string }[]): Inline[] {
  const out: Inline[] = [];
  lines.forEach((l, k) => {
    if (k > 0) {
      const prev = lines[k - 1];
      out.push({ t: 'text', start: prev.start + prev.text.length, text: '\n' });
    }
    out.push(...parseInline(l.text, l.start));
  });
  return out;
}

const HEADING = /^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)\s*([\w+-]*)/;
const HR = /^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/;
const BULLET = /^( {0,3})([-*+])[ \t]+/;
const ORDERED = /^( {0,3})(\d{1,9})[.)][ \t]+/;
const QUOTE = /^ {0,3}>[ ]?/;

function parseLines(lines: Line[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  const isBlank = (l: Line | undefined) => !l || l.text.trim() === '';
  const startsBlock = (l: Line) =>
    HEADING.test(l.text) || FENCE.test(l.text) || HR.test(l.text) || BULLET.test(l.text) ||
    ORDERED.test(l.text) || QUOTE.test(l.text);
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }
    const fence = FENCE.exec(line.text);
    if (fence) {
      const marker = fence[1];
      const body: Line[] = [];
      i++;
      while (i < lines.length && !lines[i].text.trimStart().startsWith(marker)) body.push(lines[i++]);
      i++; // closing fence (or end of input)
      const start = body.length ? body[0].start : line.start + line.text.length;
      const text = body.map((b) => b.text).join('\n');
      blocks.push({ t: 'codeblock', lang: fence[2] ?? '', start, text });
      continue;
    }
    const h = HEADING.exec(line.text);
    if (h) {
      const contentStart = line.text.indexOf(h[2], h[1].length);
      blocks.push({ t: 'heading', level: h[1].length as 1, children: parseInline(h[2], line.start + Math.max(contentStart, 0)) });
      i++;
      continue;
    }
    if (HR.test(line.text)) { blocks.push({ t: 'hr' }); i++; continue; }
    if (QUOTE.test(line.text)) {
      const inner: Line[] = [];
      while (i < lines.length && QUOTE.test(lines[i].text)) {
        const m = QUOTE.exec(lines[i].text)!;
        inner.push({ start: lines[i].start + m[0].length, text: lines[i].text.slice(m[0].length) });
        i++;
      }
      blocks.push({ t: 'quote', children: parseLines(inner) });
      continue;
    }
    const bullet = BULLET.exec(line.text);
    const ordered = ORDERED.exec(line.text);
    if (bullet || ordered) {
      const isOrdered = !bullet;
      const re = isOrdered ? ORDERED : BULLET;
      const items: Inline[][] = [];
      const startNumber = ordered ? Number(ordered[2]) : 1;
      while (i < lines.length) {
        const m = re.exec(lines[i].text);
        if (!m) break;
        const itemLines = [{ start: lines[i].start + m[0].length, text: lines[i].text.slice(m[0].length) }];
        i++;
        // lazy continuation lines (indented, not starting another block)
        while (i < lines.length && !isBlank(lines[i]) && /^\s{2,}/.test(lines[i].text) && !re.test(lines[i].text)) {
          const lead = /^\s*/.exec(lines[i].text)![0].length;
          itemLines.push({ start: lines[i].start + lead, text: lines[i].text.slice(lead) });
          i++;
        }
        items.push(inlineLines(itemLines));
      }
      blocks.push({ t: 'list', ordered: isOrdered, startNumber, items });
      continue;
    }
    const para: Line[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) {
      const lead = /^\s*/.exec(lines[i].text)![0].length;
      para.push({ start: lines[i].start + lead, text: lines[i].text.slice(lead) });
      i++;
    }
    blocks.push({ t: 'para', children: inlineLines(para) });
  }
  return blocks;
}

/** Parses a markdown document into blocks whose text leaves carry source offsets. */
export function parseMarkdown(src: string): Block[] {
  return parseLines(splitLines(src));
}

/** The plain text of inline content (for titles, aria labels). */
export function inlineText(nodes: Inline[]): string {
  return nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.text : inlineText(n.children))).join('');
}
