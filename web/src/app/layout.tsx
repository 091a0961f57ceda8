import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Episodes', template: '%s · Episodes' },
  description: 'Projects, schedules and AI-generated episodes — offline, on an in-browser database.',
};
export const viewport: Viewport = { themeColor: '#141a33' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en-GB">
      <body>{children}</body>
    </html>
  );
}
