'use client';
// Renders parsed markdown as React elements (never as HTML text). Text leaves carry data-o (their
// start offset in the source) for selection -> offsets; highlight ranges are drawn as <mark>.
import { Fragment, forwardRef, useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from '@/lib/markdown';

export interface MarkRange {
  id: string;
  start: number;
  end: number;
  title?: string;
}

function leaf(start: number, text: string, marks: MarkRange[], activeId: string | null | undefined, key: string): ReactNode {
  const end = start + text.length;
  const cuts = new Set<number>([start, end]);
  for (const m of marks) {
    if (m.end <= start || m.start >= end) continue;
    cuts.add(Math.max(m.start, start));
    cuts.add(Math.min(m.end, end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const parts: ReactNode[] = [];
  for (let k = 0; k < points.length - 1; k++) {
    const a = points[k];
    const b = points[k + 1];
    const piece = text.slice(a - start, b - start);
    const covering = marks.filter((m) => m.start <= a && m.end >= b);
    if (covering.length) {
      const active = covering.some((m) => m.id === activeId);
      parts.push(
        <mark key={`${key}-${a}`} data-o={a} data-highlight={covering.map((m) => m.id).join(' ')} className={active ? 'active' : undefined} title={covering.map((m) => m.title).filter(Boolean).join(' · ') || undefined}>
          {piece}
        </mark>,
      );
    } else {
      parts.push(<span key={`${key}-${a}`} data-o={a}>{piece}</span>);
    }
  }
  return parts;
}

function inlines(nodes: Inline[], marks: MarkRange[], activeId: string | null | undefined, key: string): ReactNode[] {
  return nodes.map((n, k) => {
    const kk = `${key}.${k}`;
    switch (n.t) {
      case 'text':
        return <Fragment key={kk}>{leaf(n.start, n.text, marks, activeId, kk)}</Fragment>;
      case 'code':
        return <code key={kk}>{leaf(n.start, n.text, marks, activeId, kk)}</code>;
      case 'em':
        return <em key={kk}>{inlines(n.children, marks, activeId, kk)}</em>;
      case 'strong':
        return <strong key={kk}>{inlines(n.children, marks, activeId, kk)}</strong>;
      case 'del':
        return <del key={kk}>{inlines(n.children, marks, activeId, kk)}</del>;
      case 'link':
        return n.href ? (
          <a key={kk} href={n.href} rel="nofollow">
            {inlines(n.children, marks, activeId, kk)}
          </a>
        ) : (
          <span key={kk} className="unsafe-link" data-testid="unlinked" title="Not a link: only links within this app are followed">{inlines(n.children, marks, activeId, kk)}</span>
        );
    }
  });
}

function blocks(list: Block[], marks: MarkRange[], activeId: string | null | undefined, key: string, headingShift: number): ReactNode[] {
  return list.map((b, k) => {
    const kk = `${key}/${k}`;
    switch (b.t) {
      case 'heading': {
        const level = Math.min(6, b.level + headingShift);
        const H = `h${level}` as 'h2';
        return <H key={kk}>{inlines(b.children, marks, activeId, kk)}</H>;
      }
      case 'para':
        return <p key={kk}>{inlines(b.children, marks, activeId, kk)}</p>;
      case 'list': {
        const items = b.items.map((it, j) => <li key={`${kk}-${j}`}>{inlines(it, marks, activeId, `${kk}-${j}`)}</li>);
        return b.ordered ? <ol key={kk} start={b.startNumber}>{items}</ol> : <ul key={kk}>{items}</ul>;
      }
      case 'quote':
        return <blockquote key={kk}>{blocks(b.children, marks, activeId, kk, headingShift)}</blockquote>;
      case 'codeblock':
        return (
          <pre key={kk} data-lang={b.lang || undefined}>
            <code>{leaf(b.start, b.text, marks, activeId, kk)}</code>
          </pre>
        );
      case 'hr':
        return <hr key={kk} />;
    }
  });
}

/** Safe markdown: no raw HTML, no script URLs. `headingShift` keeps the page's heading order. */
export const Markdown = forwardRef<HTMLDivElement, { source: string; marks?: MarkRange[]; activeId?: string | null; headingShift?: number; className?: string; label?: string; testId?: string }>(
  function Markdown({ source, marks = [], activeId, headingShift = 1, className = 'prose', label, testId = 'markdown' }, ref) {
    const tree = useMemo(() => parseMarkdown(source), [source]);
    return (
      <div ref={ref} className={className} aria-label={label} data-testid={testId}>
        {blocks(tree, marks, activeId, 'b', headingShift)}
      </div>
    );
  },
);
