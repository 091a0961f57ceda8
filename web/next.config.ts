import type { NextConfig } from 'next';
import path from 'node:path';

// The dashboard is a client-side app over the wasm core: no server data, no external requests.
// `next start` only serves the pages and the files under public/ (public/core/ holds the wasm).
const nextConfig: NextConfig = {
  reactStrictMode: true,
  // scripts/web-test.sh builds into its own folder, so a running `next start` is never disturbed.
  distDir: process.env.EC_NEXT_DIST || '.next',
  poweredByHeader: false,
  // The repository root: the client in src/core reaches ../bindings/js (the Node loader, types).
  turbopack: { root: path.join(__dirname, '..') },
  outputFileTracingRoot: path.join(__dirname, '..'),
  // The wasm module and its glue are served as static files with a long cache once built.
  async headers() {
    return [
      {
        source: '/core/:file*',
        headers: [{ key: 'Cache-Control', value: 'public, max-age=3600' }],
      },
    ];
  },
};

export default nextConfig;
