import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';
import { preload } from 'react-dom';
import { CORE_PRELOADS, EARLY_BOOT_SCRIPT } from '@/lib/earlyBoot';

export const metadata: Metadata = {
  title: { default: 'Episodes', template: '%s · Episodes' },
  description: 'Projects, schedules and AI-generated episodes — offline, on an in-browser database.',
};
export const viewport: Viewport = { themeColor: '#141a33' };

export default function RootLayout({ children }: { children: ReactNode }) {
  // The core worker's script and glue (CORE_PRELOADS), requested by the HTML parser's preload
  // scanner at high priority: the early script and the worker read them from the cache instead of
  // queueing behind Next's chunks for one of the browser's six connections (lib/earlyBoot.ts).
  for (const href of CORE_PRELOADS) preload(href, { as: 'fetch', crossOrigin: 'anonymous', fetchPriority: 'high' });
  return (
    <html lang="en-GB">
      <head>
        {/* Starts the core's downloads and wasm compile before the page's JS (lib/earlyBoot.ts).
            An async module script: it runs as soon as it is parsed. A plain inline script would
            wait for Next's stylesheet above it (and for any async chunk that arrives meanwhile). */}
        <script type="module" async dangerouslySetInnerHTML={{ __html: EARLY_BOOT_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
