import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="card empty-page" data-testid="not-found">
      <p className="eyebrow">404</p>
      <h1>Page not found</h1>
      <p className="muted">There is no page at this address. It may have moved, or the link is mistyped.</p>
      <p>
        <Link href="/projects" className="btn primary">Go to projects</Link>
      </p>
    </div>
  );
}
