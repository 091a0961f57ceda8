// A tiny static server for the browser tests and the benchmark, on 127.0.0.1 (a secure
// context: OPFS and Web Locks work; no COOP/COEP headers are sent, on purpose).
//   /            tests/browser/page.html
//   /dist/*      build/js-browser/* (client.js, core.worker.js)
//   /core/*      <wasm build>/bindings/episodes_core_web.{js,wasm}
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { outDir, repoRoot } from './build.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };

export async function startServer({ wasmDir = process.env.EC_WASM_DIR ?? 'build/wasm' } = {}) {
  const roots = {
    '/dist/': outDir,
    '/core/': wasmDir.startsWith('/') ? join(wasmDir, 'bindings') : join(repoRoot, wasmDir, 'bindings'),
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let file = null;
      if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
      if (url.pathname === '/' || url.pathname === '/index.html') file = join(repoRoot, 'tests/browser/page.html');
      for (const [prefix, dir] of Object.entries(roots)) {
        if (url.pathname.startsWith(prefix)) {
          const rel = normalize(decodeURIComponent(url.pathname.slice(prefix.length)));
          if (rel.startsWith('..') || rel.includes('\0')) break;
          file = join(dir, rel);
        }
      }
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(String(e.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}
