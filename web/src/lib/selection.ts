// Maps a DOM selection inside rendered markdown back to offsets in the block's source text, in
// UTF-16 code units (what JavaScript strings and DOM Range offsets count). Text leaves rendered
// by <Markdown> carry `data-o` = their start offset in the source, and their text is a verbatim
// slice of it, so a point (text node, k) is at source offset data-o + k.

export interface SourceRange {
  start: number;
  end: number;
}

const ATTR = 'data-o';

function leaves(container: Element): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(`[${ATTR}]`));
}

function leafOf(node: Node, container: Element): HTMLElement | null {
  const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
  const leaf = el?.closest<HTMLElement>(`[${ATTR}]`) ?? null;
  return leaf && container.contains(leaf) ? leaf : null;
}

function leafStart(leaf: HTMLElement): number {
  return Number(leaf.getAttribute(ATTR));
}

/** Source offset of a DOM boundary point; `side` says which way to snap when it is not in a leaf. */
export function pointToOffset(container: Element, node: Node, offset: number, side: 'start' | 'end'): number | null {
  const leaf = leafOf(node, container);
  if (leaf && node.nodeType === Node.TEXT_NODE) return leafStart(leaf) + offset;
  if (leaf && node === leaf) {
    // element boundary inside the leaf: count the text of the children before `offset`
    let k = 0;
    for (let c = 0; c < offset && c < leaf.childNodes.length; c++) k += leaf.childNodes[c].textContent?.length ?? 0;
    return leafStart(leaf) + k;
  }
  // A point between elements: the nearest leaf after it (start) or before it (end).
  const all = leaves(container);
  if (all.length === 0) return null;
  const probe = document.createRange();
  probe.setStart(node, offset);
  probe.collapse(true);
  if (side === 'start') {
    for (const l of all) {
      if (probe.comparePoint(l, 0) >= 0) return leafStart(l);
    }
    const last = all[all.length - 1];
    return leafStart(last) + (last.textContent?.length ?? 0);
  }
  for (let k = all.length - 1; k >= 0; k--) {
    const l = all[k];
    if (probe.comparePoint(l, l.childNodes.length) <= 0) return leafStart(l) + (l.textContent?.length ?? 0);
  }
  return leafStart(all[0]);
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Clamps [start, end) to the source, never splits a surrogate pair (emoji), and trims white space
 * at both ends. Returns null for an empty range.
 */
export function normaliseRange(source: string, start: number, end: number): SourceRange | null {
  let s = Math.max(0, Math.min(start, end, source.length));
  let e = Math.min(source.length, Math.max(start, end, 0));
  if (s > 0 && isLow(source.charCodeAt(s)) && isHigh(source.charCodeAt(s - 1))) s--;
  if (e > 0 && e < source.length && isLow(source.charCodeAt(e)) && isHigh(source.charCodeAt(e - 1))) e++;
  while (s < e && /\s/.test(source[s])) s++;
  while (e > s && /\s/.test(source[e - 1])) e--;
  return e > s ? { start: s, end: e } : null;
}

/** The current selection inside `container` as source offsets, or null. */
export function selectionToSourceRange(container: Element, source: string, selection: Selection | null = window.getSelection()): SourceRange | null {
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) && !container.contains(range.endContainer)) return null;
  // Clip the range to the container.
  const clipped = range.cloneRange();
  if (!container.contains(range.startContainer)) clipped.setStart(container, 0);
  if (!container.contains(range.endContainer)) clipped.setEnd(container, container.childNodes.length);
  const s = pointToOffset(container, clipped.startContainer, clipped.startOffset, 'start');
  const e = pointToOffset(container, clipped.endContainer, clipped.endOffset, 'end');
  if (s === null || e === null) return null;
  return normaliseRange(source, s, e);
}

/** Finds `phrase` in the source (keyboard alternative to selecting with a pointer). */
export function findPhrase(source: string, phrase: string, from = 0): SourceRange | null {
  const p = phrase.trim();
  if (!p) return null;
  const k = source.indexOf(p, from);
  return k === -1 ? null : { start: k, end: k + p.length };
}
