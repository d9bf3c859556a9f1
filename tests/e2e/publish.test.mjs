// The publishable site of scripts/build.sh, served under a sub-path (/prefdyn/v0.1/) with
// the headers its own _headers states: hashed file names, nothing unhashed named anywhere,
// application/wasm, no CSP violation, and the same numbers as dist/ for the same links.
//
// Builds it with scripts/build.sh into a temporary directory (one release build, about 1–2
// minutes with a warm target directory), unless PREFDYN_PUBLISH_DIST names a prebuilt one
// (scripts/test.sh: `scripts/build.sh --from dist --out dist-publish`, then this file).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  DIST, ROOT, closeClean, openPage, pageNumbers, startSite, waitPhaseDone, waitReady,
} from './helpers.mjs';

const PREFIX = '/prefdyn/v0.1/';
/** Files that keep their names: people link to them. */
const STABLE = new Set(['index.html', 'embed.js', 'embed-example.html']);
const HASHED = /^[\w.-]+-([0-9a-f]{8})\.[a-z0-9]+$/;
/** The links opened on both sites: the home link (light module, then the full one), a phase diagram on the worker pool, an embed. */
const LINKS = {
  home: '',
  phase: 'v=2&view=phase&nx=10&ny=8&en=4&pT=100',
  embed: 'v=2&embed=1&alpha=0.95&beta=2&lam=0.8&T=100',
};

let site; // dist/ (helpers.mjs's server)
let pub; // the published site under PREFIX
let published; // its directory
let built = null; // {dir, seconds, summary} when this file built it
let sameBuild = null;

/** Content types a static host knows by itself; .wasm deliberately not: it must come from _headers. */
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
};

/** `_headers` (Netlify / Cloudflare Pages) as `[{path, headers: [[name, value]]}]`. */
function parseHeaders(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    if (/^\s/.test(line)) {
      const i = line.indexOf(':');
      rules.at(-1).headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
    } else {
      rules.push({ path: line.trim(), headers: [] });
    }
  }
  return rules;
}

/** The headers `_headers` gives a path: exact rules, and `…/*` rules by prefix (a later rule wins). */
function headersFor(rules, path) {
  const out = {};
  for (const r of rules) {
    const match = r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : path === r.path;
    if (match) for (const [k, v] of r.headers) out[k] = v;
  }
  return out;
}

/**
 * Serves `dir` under `prefix` only, as a static host would: `prefix` without its slash
 * redirects to it, anything outside is 404 (but /favicon.ico: 204), headers from the site's own `_headers`. Every
 * requested path is recorded in `server.paths`.
 */
async function servePublished(dir, prefix) {
  const rules = parseHeaders(readFileSync(join(dir, '_headers'), 'utf8'));
  // Written for the path given to build.sh's --base (its first rule is `<base>*`): moved to
  // `prefix`, as one would write them for a deploy there.
  const base = rules[0].path.replace(/\*$/, '');
  assert.ok(rules[0].path.endsWith('/*') && rules.slice(1).every((r) => r.path.startsWith(base)), `_headers rules all under ${base}`);
  for (const r of rules) r.path = prefix + r.path.slice(base.length);
  rules.base = base;
  const paths = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    paths.push(url.pathname);
    if (url.pathname === prefix.slice(0, -1)) {
      res.writeHead(301, { location: prefix + url.search });
      res.end();
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // The host's own root (a page without an icon of its own asks there); not the release's.
      res.writeHead(204);
      res.end();
      return;
    }
    const name = url.pathname.startsWith(prefix) ? decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html' : null;
    if (!name || name.includes('/') || name.startsWith('.') || name === '_headers') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    try {
      const body = await readFile(join(dir, name));
      const headers = { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', ...headersFor(rules, url.pathname) };
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.paths = paths;
  server.rules = rules;
  return server;
}

async function buildPublished() {
  const from = process.env.PREFDYN_PUBLISH_DIST;
  if (from) return resolve(from);
  const dir = join(mkdtempSync(join(tmpdir(), 'prefdyn-publish-test-')), 'site');
  built = { dir };
  const t0 = Date.now();
  let stdout;
  try {
    ({ stdout } = await promisify(execFile)('bash', ['scripts/build.sh', '--out', dir, '--base', PREFIX], {
      cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20,
    }));
  } catch (e) {
    throw new Error(`scripts/build.sh failed (${e.code}):\n${String(e.stderr).split('\n').slice(-30).join('\n')}\n${e.stdout}`);
  }
  Object.assign(built, { seconds: (Date.now() - t0) / 1000, summary: stdout.split('\n').find((l) => / files \(/.test(l)) });
  return dir;
}

/** Whether the published modules are dist/'s (the same build: the numbers must agree bit for bit). */
function compareBuilds() {
  const pubFiles = readdirSync(published);
  const wasm = (stem) => pubFiles.find((f) => f.startsWith(`${stem}_bg-`) && f.endsWith('.wasm'));
  return ['prefdyn-web-light', 'prefdyn-web-full'].every((m) => {
    const a = join(DIST, `${m}_bg.wasm`);
    // The modules are published byte for byte (only their names change).
    return existsSync(a) && !!wasm(m) && readFileSync(a).equals(readFileSync(join(published, wasm(m))));
  });
}

before(async () => {
  site = await startSite(); // first: fails at once when there is no dist/
  published = await buildPublished();
  assert.ok(existsSync(join(published, 'index.html')), `no published site in ${published}`);
  sameBuild = compareBuilds();
  pub = await servePublished(published, PREFIX);
  const base = `http://127.0.0.1:${pub.address().port}${PREFIX}`;
  pub.site = {
    base, browser: site.browser, pages: [],
    url: (query = '') => (query ? `${base}?${query.replace(/^\?/, '')}` : base),
  };
});

after(async () => {
  await site?.close();
  if (pub) await new Promise((r) => pub.close(r));
  if (built) rmSync(resolve(built.dir, '..'), { recursive: true, force: true });
});

test('the build: every file but index.html, embed.js and the example page has its content hash in its name, and nothing names an unhashed file', (t) => {
  if (built) t.diagnostic(`scripts/build.sh took ${built.seconds.toFixed(0)} s: ${built.summary}`);
  else t.diagnostic(`PREFDYN_PUBLISH_DIST is set: testing the prebuilt site in ${published} (scripts/build.sh not run here)`);
  if (pub.rules.base !== PREFIX) t.diagnostic(`its _headers were written for ${pub.rules.base}: served under ${PREFIX} with their paths moved there`);
  if (!sameBuild) t.diagnostic(`warning: the published modules are not dist/'s (${DIST}): another build; the numbers are compared anyway`);
  const files = readdirSync(published).filter((f) => !['_headers', '.htaccess'].includes(f));
  for (const f of files) {
    if (STABLE.has(f)) continue;
    const m = HASHED.exec(f);
    assert.ok(m, `${f}: a hashed name`);
    const sha = createHash('sha256').update(readFileSync(join(published, f))).digest('hex');
    assert.equal(m[1], sha.slice(0, 8), `${f}: the hash in the name is its content's`);
  }
  for (const f of ['embed.js', 'embed-example.html']) {
    if (!files.includes(f)) t.diagnostic(`warning: no ${f} in the published site (not in the trunk output yet)`);
  }
  // Every file of the ordinary build that is renamed must not be named by any published file.
  const renamed = readdirSync(DIST).filter((f) => !STABLE.has(f));
  for (const name of ['phase-worker.js', 'prefdyn-web-full.js', 'prefdyn-web-full_bg.wasm', 'prefdyn-web-light.js', 'prefdyn-web-light_bg.wasm', 'style.css']) {
    assert.ok(renamed.includes(name), `dist/ has ${name}`);
  }
  for (const f of files) {
    const bytes = readFileSync(join(published, f)).toString('latin1');
    for (const old of renamed) {
      // A name, not part of a longer one (`f.style.cssText` does not name style.css).
      const re = new RegExp(`(?<![\\w-])${old.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);
      assert.doesNotMatch(bytes, re, `${f} names the unhashed ${old}`);
    }
  }
  const html = readFileSync(join(published, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /\+\s*'(_bg\.wasm|\.js)'/, 'the loader builds no file name from pieces');
});

test('the build: _headers and .htaccess state application/wasm, the caching and the CSP', () => {
  const files = readdirSync(published).filter((f) => !['_headers', '.htaccess'].includes(f));
  const rules = pub.rules;
  const html = readFileSync(join(published, 'index.html'), 'utf8');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'index.html states its CSP in a meta');
  const csp = meta[1];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[\w+/=]+')+;/, 'scripts: its own, wasm, the inline ones by hash');
  for (const f of files) {
    const h = headersFor(rules, PREFIX + f);
    if (f.endsWith('.wasm')) assert.equal(h['content-type'], 'application/wasm', `${f}: Content-Type`);
    assert.equal(h['cache-control'], STABLE.has(f) ? 'no-cache' : 'public, max-age=31536000, immutable', `${f}: Cache-Control`);
  }
  for (const path of [PREFIX, `${PREFIX}index.html`]) {
    assert.equal(headersFor(rules, path)['content-security-policy'], csp, `${path}: the CSP header is the page's meta`);
    assert.equal(headersFor(rules, path)['cache-control'], 'no-cache', `${path}: Cache-Control`);
  }
  const htaccess = readFileSync(join(published, '.htaccess'), 'utf8');
  assert.match(htaccess, /^AddType application\/wasm \.wasm$/m);
  for (const f of files) assert.ok(htaccess.includes(f.replaceAll('.', '\\.')) || f === 'index.html', `.htaccess names ${f}`);
  assert.ok(htaccess.includes(csp), '.htaccess states the CSP');
});

/**
 * Opens `query` on the published site (and records CSP violations and responses), waits for
 * the first chart then the whole page; returns `{handle, violations, responses}`.
 */
async function openPublished(query, viewport) {
  const handle = await openPage(pub.site, query, { wait: false, viewport });
  const { page } = handle;
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const responses = [];
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), headers: r.headers() }));
  await page.goto(pub.site.url(query));
  await page.waitForFunction(() => document.body && document.body.hasAttribute('data-ready'), null, { timeout: 20000 });
  await waitReady(page);
  return { handle, responses };
}

/** The numbers of a page (the phase grid and ρ with a phase link), comparable across sites. */
async function numbersOf(page, phase) {
  if (phase) await waitPhaseDone(page, 60000);
  // The deferred parts (see DEFERRED) usually follow within moments of data-complete.
  const settled = await page.waitForFunction(() => {
    const r = window.prefdyn.results();
    const k3 = r.matrix && r.matrix.P && r.matrix.P.length === 3;
    return r.one_shot && r.one_shot.length > 0 && !(k3 && r.dynamics && !r.dynamics.portrait);
  }, null, { timeout: 3000, polling: 50 }).then(() => true, () => false);
  const n = await pageNumbers(page);
  return { settled, query: n.query, issues: n.issues, results: n.results, phase: phase ? { grid: n.phase.grid, rho: n.phase.rho, workers: n.phase.workers } : null };
}

/** Parts of results() a page computes after its first view: [label, get, clear]. */
const DEFERRED = [
  ['one_shot', (r) => r.one_shot, (r) => { r.one_shot = null; }],
  ['dynamics.portrait', (r) => r.dynamics && r.dynamics.portrait, (r) => { if (r.dynamics) r.dynamics.portrait = null; }],
];
const unset = (v) => v == null || (Array.isArray(v) && v.length === 0);

/** The published page's requests: all under PREFIX, hashed or stable, wasm as application/wasm, no CSP violation. */
async function assertPublishedClean(t, { handle, responses }, seen) {
  const { page } = handle;
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  const paths = pub.paths.slice(seen);
  t.diagnostic(`requested: ${[...new Set(paths)].map((p) => p.slice(PREFIX.length) || '(the page)').join(' ')}`);
  for (const p of paths) {
    assert.ok(p.startsWith(PREFIX), `${p}: under ${PREFIX}`);
    const name = p.slice(PREFIX.length);
    assert.ok(name === '' || STABLE.has(name) || HASHED.test(name), `${p}: a hashed or stable name`);
  }
  for (const r of responses) {
    const url = new URL(r.url);
    if (url.protocol === 'data:' || url.protocol === 'blob:') continue;
    assert.equal(url.origin + url.pathname.slice(0, PREFIX.length), pub.site.base, `${r.url}: under the sub-path`);
    assert.ok(r.status < 400, `${r.url}: ${r.status}`);
    if (url.pathname.endsWith('.wasm')) assert.equal(r.headers['content-type'], 'application/wasm', `${r.url}: Content-Type`);
  }
  assert.ok(responses.some((r) => r.url.endsWith('.wasm')), 'a wasm module was fetched');
}

for (const [label, query] of Object.entries(LINKS)) {
  test(`the ${label} link under ${PREFIX}: ready, every request under the sub-path and hashed, no CSP violation, the numbers of dist/`, async (t) => {
    const phase = label === 'phase';
    const viewport = label === 'embed' ? { width: 680, height: 440 } : undefined;
    const seen = pub.paths.length;
    const opened = await openPublished(query, viewport);
    const mine = await numbersOf(opened.handle.page, phase);
    await assertPublishedClean(t, opened, seen);
    if (phase) {
      assert.ok(mine.phase.workers > 0, `the phase diagram ran on the worker pool (${mine.phase.workers} workers)`);
      assert.ok(pub.paths.slice(seen).some((p) => /\/phase-worker-[0-9a-f]{8}\.js$/.test(p)), 'the hashed phase worker was fetched');
    }
    await closeClean(opened.handle);
    const ref = await openPage(site, query, { viewport });
    const theirs = await numbersOf(ref.page, phase);
    await closeClean(ref);
    // The one-shot optima and the K = 3 portrait are the page's deferred parts: in an embed,
    // which shows neither, whether they are in results() when the page is complete depends on
    // timing (either build, about one run in ten), so each is compared only when both have it.
    for (const [label, get, set] of DEFERRED) {
      const [a, b] = [get(mine.results), get(theirs.results)];
      if (unset(a) !== unset(b)) {
        t.diagnostic(`${label}: ${unset(a) ? 'not yet computed' : 'computed'} here, ${unset(b) ? 'not yet computed' : 'computed'} on dist/ (deferred, timing-dependent): not compared`);
        set(mine.results);
        set(theirs.results);
      }
    }
    const note = sameBuild ? '' : ` (the published build is not dist/'s: rebuild dist/ or set PREFDYN_PUBLISH_DIST)`;
    assert.equal(mine.query, theirs.query, `canonical query${note}`);
    assert.deepEqual(mine.issues, theirs.issues, `issues${note}`);
    assert.deepEqual(mine.results, theirs.results, `results()${note}`);
    if (phase) {
      assert.deepEqual(mine.phase.grid, theirs.phase.grid, `phase grid${note}`);
      assert.deepEqual(mine.phase.rho, theirs.phase.rho, `phase ρ${note}`);
    }
  });
}

test(`the sub-path without its slash redirects, and the page opens`, async () => {
  const h = await openPage(pub.site, '', { wait: false });
  await h.page.goto(`${pub.site.base.slice(0, -1)}?${LINKS.embed}`);
  await waitReady(h.page);
  assert.equal(new URL(h.page.url()).pathname, PREFIX);
  await closeClean(h);
});

test('embed-example.html under the sub-path: its frames open the release they sit next to', async (t) => {
  if (!existsSync(join(published, 'embed-example.html'))) {
    t.skip('no embed-example.html in the published site (not in the trunk output yet)');
    return;
  }
  const seen = pub.paths.length;
  const h = await openPage(pub.site, '', { wait: false });
  const { page } = h;
  await page.goto(`${pub.site.base}embed-example.html`);
  await page.waitForLoadState('load');
  // The first figure (in view; the frames are lazy) reaches its first chart, then every frame
  // that has loaded does.
  await page.waitForFunction(() => {
    const f = document.querySelector('iframe');
    const body = f && f.contentDocument && f.contentDocument.body;
    return !!body && f.contentWindow.location.search !== '' && body.hasAttribute('data-ready');
  }, null, { timeout: 20000, polling: 50 });
  const srcs = await page.$$eval('iframe', (fs) => fs.map((f) => f.src));
  for (const src of srcs) assert.ok(src.startsWith(`${pub.site.base}?`), `${src}: a frame of the release embed.js was loaded from`);
  const frames = page.frames().filter((f) => f !== page.mainFrame() && f.url().startsWith(pub.site.base));
  assert.ok(frames.length > 0, 'a prefdyn frame on the example page');
  for (const f of frames) await f.waitForFunction(() => document.body && document.body.hasAttribute('data-ready'), null, { timeout: 20000 });
  const paths = pub.paths.slice(seen);
  t.diagnostic(`${frames.length} frame(s); requested: ${[...new Set(paths)].map((p) => p.slice(PREFIX.length)).join(' ')}`);
  // The example host page has no icon of its own, so the browser asks the host's root for one.
  for (const p of paths.filter((p) => p !== '/favicon.ico')) {
    const name = p.slice(PREFIX.length);
    assert.ok(p.startsWith(PREFIX) && (name === '' || STABLE.has(name) || HASHED.test(name)), `${p}: under ${PREFIX}, hashed or stable`);
  }
  // Not closeClean: the host page's window.prefdyn is embed.js's API, not the playground's.
  assert.deepEqual(h.log.pageErrors, [], 'page errors');
  assert.deepEqual(h.log.errors, [], 'console errors');
  assert.deepEqual(h.log.failed, [], 'failed requests');
  await h.context.close();
});
