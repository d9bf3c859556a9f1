// A tiny static file server for dist/ (no dependencies). Usage: node serve.mjs DIR PORT
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png',
};

/** Text-like types a static host gzips (GitHub Pages does: wasm, js, html, css, svg, json). */
const GZIP = new Set(['.html', '.js', '.wasm', '.css', '.svg', '.json']);

/**
 * Serves `dir` on 127.0.0.1 (`port` 0: any free port). With `{gzip: true}` the responses a
 * static host compresses are sent gzipped (level 9) when the request accepts it, as a reader
 * would get them.
 */
export function serve(dir, port = 0, { gzip = false } = {}) {
  const cache = new Map();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    if (path.endsWith('/')) path += 'index.html';
    try {
      let body = await readFile(join(dir, path));
      const headers = { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (gzip && GZIP.has(extname(path)) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        const key = `${path}:${body.length}`;
        if (!cache.has(key)) cache.set(key, gzipSync(body, { level: 9 }));
        body = cache.get(key);
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && process.argv[1].endsWith('serve.mjs')) {
  const [dir = '../dist', port = '8080'] = process.argv.slice(2);
  const s = await serve(dir, Number(port));
  console.log(`serving ${dir} on http://127.0.0.1:${s.address().port}/`);
}
