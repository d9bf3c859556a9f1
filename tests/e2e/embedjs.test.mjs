// The embed script (www/embed.js, README "The embed script") on a blog of another site:
// <div data-prefdyn> becomes a lazy, titled, self-sizing frame of the built site, driven by
// the host protocol (set, replace, …, ready, update, resize, error); scroll-driven steps; a
// poster until ready; and the example post (www/embed-example.html). The frames are the real
// site in dist/; the host pages are served by a second server on `localhost` (the site is on
// 127.0.0.1: another origin and another site, so the frames are cross-origin, as on a blog).
//
// PREFDYN_EMBED_FAKE=1 runs the same tests against tests/e2e/fixtures/fake-frame.html (a
// stand-in that speaks the protocol) in place of the site: a check of embed.js and of these
// tests themselves, not of the frame.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FAKE = process.env.PREFDYN_EMBED_FAKE === '1';
let fakeDir = null;
if (FAKE) {
  fakeDir = mkdtempSync(join(tmpdir(), 'prefdyn-fake-frame-'));
  copyFileSync(join(ROOT, 'tests', 'e2e', 'fixtures', 'fake-frame.html'), join(fakeDir, 'index.html'));
  for (const f of ['embed.js', 'embed-example.html']) copyFileSync(join(ROOT, 'www', f), join(fakeDir, f));
  process.env.PREFDYN_DIST = fakeDir;
}
// After PREFDYN_DIST is set: helpers reads it when it loads.
const { DIST, artifactsDir, startSite } = await import('./helpers.mjs');

/** The configurations (their verdicts from `prefdyn-cli run`). */
const Q = {
  /** Figure 1 (left): converged. With alpha=0.95 it is the home run: oscillating. */
  spiral: 'v=2&alpha=0.5&beta=2&lam=0.8&T=100',
  /** Figure 2 (centre): a strongly transitive P; converging after 30 rounds, concentrated on E. */
  sst: 'v=2&gen=sst&k=5&seed=2&alpha=0.9&beta=2&lam=0.8&T=30',
  far: 'v=2&alpha=0.3&beta=2&lam=0.8&T=100',
};

const POSTER = `<svg xmlns="http://www.w3.org/2000/svg" width="680" height="400" viewBox="0 0 680 400">
<rect width="680" height="400" fill="#dde3ec"/><path d="M40 340 C200 60 360 380 640 90" stroke="#b4432f" stroke-width="6" fill="none"/></svg>`;

let site;
let host;
before(async () => {
  site = await startSite();
  assert.ok(existsSync(join(DIST, 'embed.js')), `no embed.js in ${DIST}: rebuild the site (index.html copies www/embed.js)`);
  if (readFileSync(join(DIST, 'embed.js'), 'utf8') !== readFileSync(join(ROOT, 'www', 'embed.js'), 'utf8')) {
    process.stderr.write(`warning: ${DIST}/embed.js differs from www/embed.js: rebuild the site\n`);
  }
  host = await startHost();
});
after(async () => {
  await site?.close();
  await host?.close();
  if (fakeDir) rmSync(fakeDir, { recursive: true, force: true });
});

/** The blog's server: the pages of `host.pages` by path, and a poster image. */
async function startHost() {
  const pages = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://host').pathname;
    const [type, body] = path === '/poster.svg' ? ['image/svg+xml', POSTER] : ['text/html; charset=utf-8', pages.get(path)];
    if (body == null) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://localhost:${server.address().port}`;
  return {
    origin,
    pages,
    url: (path) => origin + path,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * What the host page records before embed.js runs: `raw`, every prefdyn message with the
 * id of the div whose iframe sent it (found without embed.js), and `api`, the messages as
 * each embed's `on(type)` listeners receive them (subscribed on `prefdyn:embed`).
 */
const RECORDER = `
window.raw = [];
addEventListener('message', (e) => {
  const d = e.data;
  if (!d || typeof d !== 'object' || d.source !== 'prefdyn') return;
  const f = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
  raw.push({ id: f ? f.parentElement.id : null, data: JSON.parse(JSON.stringify(d)) });
});
window.api = [];
window.created = [];
document.addEventListener('prefdyn:embed', (e) => {
  const em = e.detail;
  created.push(em.element.id);
  for (const t of ['ready', 'update', 'error', 'resize']) em.on(t, (m) => api.push({ id: em.element.id, type: t, data: JSON.parse(JSON.stringify(m)) }));
});`;

/** A blog post of the host site: `body`, then embed.js from the site's URL, async. */
function hostHtml(body, { background = '#ffffff', head = '' } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog post</title><link rel="icon" href="data:,">
<style>body{margin:0;font:17px/1.6 Georgia,serif;background:${background};color:#777}main{max-width:680px;margin:0 auto;padding:0 10px}</style>
<script>${RECORDER}</script>${head}</head>
<body>${body}
<script src="${site.base}embed.js" async></script>
</body></html>`;
}

/**
 * Opens a host page in a fresh context. `log.errors`: console errors of the host page
 * itself; `log.frameErrors`: those of the frames (diagnostics); `log.requests`: what the
 * host page's own document fetched.
 */
async function openHost(t, name, html, { viewport = { width: 1280, height: 900 }, route = null } = {}) {
  host.pages.set(`/${name}`, html);
  const context = await site.browser.newContext({ viewport, colorScheme: 'light' });
  if (route) await route(context);
  const page = await context.newPage();
  const log = { errors: [], frameErrors: [], pageErrors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = (m.location() && m.location().url) || '';
    (url.startsWith(site.base) ? log.frameErrors : log.errors).push(`${m.text()} @ ${url}`);
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.stack ? e.stack : e)));
  page.on('request', (r) => {
    try {
      if (r.frame() === page.mainFrame()) log.requests.push(r.url());
    } catch { /* a request of no frame */ }
  });
  await page.goto(host.url(`/${name}`), { waitUntil: 'domcontentloaded' });
  const historyLength = await page.evaluate(() => history.length);
  const h = { t, page, context, log, historyLength };
  return h;
}

/** The host page stayed clean: no console or page errors, and its history did not grow. */
async function closeHost(h) {
  try {
    const length = await h.page.evaluate(() => history.length);
    assert.equal(length, h.historyLength, 'the host page\'s history.length did not grow');
    if (h.log.frameErrors.length) h.t.diagnostic(`console errors inside the frames: ${h.log.frameErrors.join(' | ')}`);
    assert.deepEqual(h.log.pageErrors, [], 'no page errors');
    assert.deepEqual(h.log.errors, [], 'no console errors on the host page');
  } finally {
    await h.context.close().catch(() => {});
  }
}

/** The iframe embed.js made inside `#id`, as a Playwright frame. */
async function frameOf(page, id) {
  const el = await page.waitForSelector(`#${id} > iframe`, { state: 'attached' });
  for (let i = 0; i < 100; i++) {
    const f = await el.contentFrame();
    if (f && f.url().startsWith(site.base)) return f;
    await page.waitForTimeout(50);
  }
  throw new Error(`#${id}'s iframe never navigated to the site`);
}

/** The number of raw messages so far (to wait for one that comes after an action). */
const mark = (page) => page.evaluate(() => window.raw.length);

/**
 * Waits for a message of `type` from `#id`'s frame, the `from`-th raw message or later, whose
 * query is `query` (when given); returns its data.
 */
async function waitMessage(page, id, type, { from = 0, query = null, timeout = 20000 } = {}) {
  const handle = await page.waitForFunction(
    ({ id, type, from, query }) => {
      for (let i = from; i < window.raw.length; i++) {
        const r = window.raw[i];
        if (r.id === id && r.data.type === type && (query == null || r.data.query === query)) return r.data;
      }
      return null;
    },
    { id, type, from, query },
    { timeout },
  );
  return handle.jsonValue();
}

/** The raw messages of `#id`'s frame (of `type`), from the `from`-th on. */
const messages = (page, id, type, from = 0) => page.evaluate(({ id, type, from }) => window.raw.slice(from).filter((r) => r.id === id && (!type || r.data.type === type)).map((r) => r.data), { id, type, from });

/** The frame's own `window.prefdyn` (in a light embed, reading it brings the full module). */
async function frameApi(frame) {
  await frame.waitForFunction(() => !!window.prefdyn, null, { timeout: 20000 });
}
async function frameQuery(frame) {
  await frameApi(frame);
  return frame.evaluate(() => window.prefdyn.state().query);
}
async function frameDynamics(frame) {
  await frameApi(frame);
  return frame.evaluate(() => window.prefdyn.results().dynamics);
}

/** `query` with the keys of `parts` applied in order, as appending them to the link would. */
function merged(query, ...parts) {
  const p = new URLSearchParams(query);
  for (const part of parts) for (const [k, v] of new URLSearchParams(part)) p.set(k, v);
  return p.toString();
}

/** The canonical query of a link, as the site itself writes it (opened top-level). */
async function canonical(query) {
  const context = await site.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(site.url(query));
    await page.waitForFunction(() => document.body && document.body.getAttribute('data-ready') === '1' && !!window.prefdyn, null, { timeout: 20000 });
    return await page.evaluate(() => window.prefdyn.state().query);
  } finally {
    await context.close();
  }
}

/**
 * Waits until `#id`'s frame and the host agree on `query`: the embed's `.query` (its last
 * update), and the frame's own state, still so 300 ms later (the frame throttles updates).
 */
async function settledOn(h, id, query, frame) {
  await h.page.waitForFunction(({ id, query }) => window.prefdynEmbeds.get(id).query === query, { id, query }, { timeout: 20000 });
  await h.page.waitForTimeout(300);
  assert.equal(await h.page.evaluate((id) => window.prefdynEmbeds.get(id).query, id), query, `#${id}: the embed's query stays ${query}`);
  assert.equal(await frameQuery(frame), query, `#${id}: the frame's own state is ${query}`);
}

/**
 * Waits until `#id`'s iframe is as tall as its frame's last `resize` message and its
 * frame's content (the frame may still be laying out); returns that height.
 */
async function sizedToContent(h, id, frame) {
  let last = null;
  for (let i = 0; i < 100; i++) {
    const reported = (await messages(h.page, id, 'resize')).map((m) => m.height);
    const css = await h.page.$eval(`#${id} > iframe`, (f) => f.getBoundingClientRect().height);
    const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    last = { reported: reported.at(-1), css, content };
    if (reported.length && Math.abs(css - Math.ceil(last.reported)) <= 1 && Math.abs(css - content) <= 1) return css;
    await h.page.waitForTimeout(100);
  }
  assert.fail(`#${id}: the iframe is never sized to its content (${JSON.stringify(last)})`);
}

const two = () => `<main>
  <h1>Two live figures</h1>
  <div id="a" data-prefdyn="${Q.spiral}" data-title="Figure 1 (left): a spiral into the fixed point"><p id="fallback"><a href="${site.base}">A live figure (it needs JavaScript)</a></p></div>
  <p>Some text between the figures.</p>
  <div id="b" style="width:360px" data-prefdyn="?${Q.sst}" data-theme="dark"></div>
  <div style="height:14000px"></div>
  <div id="far" data-prefdyn="${Q.far}"></div>
</main>`;

test('two divs become two lazy, titled frames; each says ready with its own canonical query and is sized on its own', async (t) => {
  const h = await openHost(t, 'two.html', hostHtml(two()));
  const { page } = h;
  await page.waitForFunction(() => window.prefdynEmbeds && window.prefdynEmbeds.embeds.length === 3);
  const made = await page.evaluate(() => ({
    api: window.prefdyn === window.prefdynEmbeds,
    created: window.created,
    frames: ['a', 'b', 'far'].map((id) => {
      const div = document.getElementById(id);
      const f = div.querySelector('iframe');
      const em = window.prefdynEmbeds.embeds.find((e) => e.element === div);
      return { id, n: div.children.length, src: f.getAttribute('src'), loading: f.getAttribute('loading'), title: f.title, same: em.iframe === f, width: f.getBoundingClientRect().width, divWidth: div.getBoundingClientRect().width };
    }),
    fallback: !!document.getElementById('fallback'),
  }));
  assert.equal(made.api, true, 'window.prefdyn is the embeds API on a page without its own');
  assert.deepEqual(made.created, ['a', 'b', 'far'], 'prefdyn:embed for each div, in document order');
  assert.equal(made.fallback, false, 'the fallback content was replaced');
  const [a, b, far] = made.frames;
  for (const f of made.frames) {
    assert.equal(f.n, 1, `#${f.id} holds the iframe only`);
    assert.equal(f.loading, 'lazy', `#${f.id}: loading=lazy`);
    assert.equal(f.same, true, `#${f.id}: embed.iframe is it`);
    assert.ok(Math.abs(f.width - f.divWidth) < 1, `#${f.id}: as wide as its div (${f.width} of ${f.divWidth})`);
  }
  // The site's address from embed.js's own URL; embed=1 and the theme added; a leading ? dropped.
  assert.equal(a.src, `${site.base}?${Q.spiral}&embed=1&theme=light`, 'a light page: theme=light');
  assert.equal(b.src, `${site.base}?${Q.sst}&embed=1&theme=dark`, 'data-theme=dark');
  assert.equal(a.title, 'Figure 1 (left): a spiral into the fixed point');
  assert.equal(b.title, 'prefdyn: interactive chart');

  // ready from each frame, with the query the frame itself gives.
  const fa = await frameOf(page, 'a');
  const fb = await frameOf(page, 'b');
  const readyA = await waitMessage(page, 'a', 'ready');
  const readyB = await waitMessage(page, 'b', 'ready');
  t.diagnostic(`ready: ${readyA.query} (version ${readyA.version}); ${readyB.query}`);
  assert.equal(readyA.query, await frameQuery(fa), 'a: ready carries the frame\'s canonical query');
  assert.equal(readyB.query, await frameQuery(fb), 'b: ready carries the frame\'s canonical query');
  assert.notEqual(readyA.query, readyB.query);
  for (const [r, theme] of [[readyA, 'light'], [readyB, 'dark']]) {
    const p = new URLSearchParams(r.query);
    assert.equal(p.get('embed'), '1');
    assert.equal(p.get('theme'), theme);
    assert.match(r.version, /^\d+\.\d+\.\d+/, 'a version');
  }
  assert.equal(new URLSearchParams(readyA.query).get('alpha'), '0.5');
  assert.equal(new URLSearchParams(readyB.query).get('gen'), 'sst');
  assert.equal(await fb.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark', 'b\'s frame is dark');
  assert.equal((await frameDynamics(fa)).verdict, 'converged', 'Figure 1 (left) converges');
  assert.equal((await frameDynamics(fb)).verdict, 'converging', 'Figure 2 (centre) is still converging');
  const embeds = await page.evaluate(() => window.prefdynEmbeds.embeds.slice(0, 2).map((e) => ({ ready: e.ready, query: e.query, version: e.version, initial: e.initial })));
  assert.deepEqual(embeds, [
    { ready: true, query: readyA.query, version: readyA.version, initial: readyA.query },
    { ready: true, query: readyB.query, version: readyB.version, initial: readyB.query },
  ]);
  const api = await page.evaluate(() => window.api.filter((m) => m.type === 'ready').map((m) => [m.id, m.data.query]));
  assert.deepEqual(api.sort(), [['a', readyA.query], ['b', readyB.query]], 'on("ready") heard each frame once');

  // Each iframe is as tall as its own frame's content; the narrower one is taller.
  const ha = await sizedToContent(h, 'a', fa);
  const hb = await sizedToContent(h, 'b', fb);
  t.diagnostic(`heights: a ${ha}px, b ${hb}px`);
  assert.notEqual(ha, 420, 'a was resized from the initial height');
  assert.ok(hb > ha, `the 360 px frame is taller than the 680 px one (${hb} > ${ha})`);
  // Narrowing b resizes b alone.
  const from = await mark(page);
  await page.$eval('#b', (d) => { d.style.width = '300px'; });
  await waitMessage(page, 'b', 'resize', { from });
  const hb2 = await sizedToContent(h, 'b', fb);
  assert.ok(hb2 > hb, `b grew when narrower (${hb2} > ${hb})`);
  assert.equal(await page.$eval('#a > iframe', (f) => f.getBoundingClientRect().height), ha, 'a kept its height');
  assert.deepEqual(await messages(page, 'a', 'resize', from), [], 'a sent no resize');

  // Lazy: the frame 14,000 px below has not loaded; scrolled to, it does.
  const farUrl = `${site.base}?${Q.far}`;
  assert.deepEqual(await messages(page, 'far'), [], 'the far frame said nothing');
  assert.equal(page.frames().some((f) => f.url().startsWith(farUrl)), false, 'the far frame has not loaded');
  await page.$eval('#far', (d) => d.scrollIntoView());
  const readyFar = await waitMessage(page, 'far', 'ready');
  assert.equal(new URLSearchParams(readyFar.query).get('alpha'), '0.3');
  // embed.js itself fetched nothing: the host page loaded only itself and embed.js.
  assert.deepEqual(h.log.requests, [host.url('/two.html'), `${site.base}embed.js`]);
  await closeHost(h);
});

/** Two embeds, both ready; returns the handles, their frames and ready messages. */
async function twoReady(t, name) {
  const body = `<main><div id="a" data-prefdyn="${Q.spiral}"></div><div id="b" data-prefdyn="${Q.sst}"></div></main>`;
  const h = await openHost(t, name, hostHtml(body));
  const fa = await frameOf(h.page, 'a');
  const fb = await frameOf(h.page, 'b');
  const ra = await waitMessage(h.page, 'a', 'ready');
  const rb = await waitMessage(h.page, 'b', 'ready');
  // The full module behind window.prefdyn takes over before anything is asked of the frames.
  await frameApi(fa);
  await frameApi(fb);
  return { h, fa, fb, ra, rb };
}

test('set({alpha: 0.95}) changes that frame only: its update has the query and the frame\'s verdict; the other is unchanged', async (t) => {
  const { h, fa, fb, ra, rb } = await twoReady(t, 'set.html');
  const { page } = h;
  const from = await mark(page);
  await page.evaluate(() => window.prefdyn.embeds[0].set({ alpha: 0.95 }));
  const expected = await canonical(merged(ra.query, 'alpha=0.95'));
  const update = await waitMessage(page, 'a', 'update', { from, query: expected });
  t.diagnostic(`update: ${update.query} ${JSON.stringify(update.summary)}`);
  await settledOn(h, 'a', expected, fa);
  assert.equal(new URLSearchParams(update.query).get('alpha'), '0.95');
  const d = await frameDynamics(fa);
  assert.equal(d.verdict, 'oscillating', 'α = 0.95 oscillates (the home run)');
  const s = update.summary;
  assert.equal(s.verdict, d.verdict, 'the update\'s verdict is the frame\'s');
  assert.equal(s.rho, d.rho, 'ρ');
  assert.ok(s.rho > 1, `ρ > 1 (${s.rho})`);
  assert.deepEqual(s.final, d.final_policy, 'π_T');
  assert.ok(Math.abs(s.final.reduce((x, y) => x + y, 0) - 1) < 1e-9, 'π_T sums to 1');
  assert.equal(s.entropy, d.final_entropy, 'H(π_T)');
  assert.equal(s.V, d.variance, 'V');
  const em = await page.evaluate(() => ({ query: window.prefdyn.embeds[0].query, summary: window.prefdyn.embeds[0].summary }));
  assert.equal(em.query, expected, 'embed.query');
  assert.equal(em.summary.verdict, 'oscillating', 'embed.summary');
  // A query string works too, and the API hears the same updates as the raw listener.
  const from2 = await mark(page);
  await page.evaluate(() => window.prefdyn.embeds[0].set('?beta=1&lam=1'));
  const expected2 = await canonical(merged(ra.query, 'alpha=0.95', 'beta=1&lam=1'));
  await waitMessage(page, 'a', 'update', { from: from2, query: expected2 });
  await settledOn(h, 'a', expected2, fa);
  assert.equal((await frameDynamics(fa)).verdict, 'converging', 'α = 0.95 with βλ = 1 converges slowly');
  const heard = await page.evaluate(() => window.api.filter((m) => m.id === 'a' && m.type === 'update').map((m) => m.data.query));
  assert.equal(heard.at(-1), expected2, 'on("update") heard the last update');
  // Playback requests are accepted (no error) and change no key of the link.
  const from3 = await mark(page);
  await page.evaluate(() => { const e = window.prefdyn.embeds[0]; e.pause(); e.reset(); e.step(); e.step(); e.play(); e.pause(); });
  await page.waitForTimeout(500);
  assert.deepEqual(await messages(page, 'a', 'error', from3), [], 'play, pause, step, reset: no error');
  assert.equal(await frameQuery(fa), expected2, 'playback is not in the link');
  // The other frame: same state, and no update saying otherwise.
  assert.equal(await frameQuery(fb), rb.query, 'b unchanged');
  for (const m of await messages(page, 'b', 'update')) assert.equal(m.query, rb.query, 'b\'s updates (if any) keep its query');
  assert.equal(await page.evaluate(() => window.prefdyn.embeds[1].query), rb.query);
  await closeHost(h);
});

test('a bad value or an unknown type gets an error naming it, and changes nothing; malformed messages to the host are ignored', async (t) => {
  const { h, fa, fb, ra, rb } = await twoReady(t, 'errors.html');
  const { page } = h;
  const quiet = async (from, what) => {
    await page.waitForTimeout(500);
    for (const id of ['a', 'b']) {
      const changed = (await messages(page, id, 'update', from)).filter((m) => m.query !== (id === 'a' ? ra : rb).query);
      assert.deepEqual(changed, [], `${what}: no update with another query from ${id}`);
    }
    assert.equal(await frameQuery(fa), ra.query, `${what}: a unchanged`);
    assert.equal(await frameQuery(fb), rb.query, `${what}: b unchanged`);
  };
  // A bad value through the API.
  let from = await mark(page);
  await page.evaluate(() => window.prefdyn.embeds[0].set({ alpha: 'x' }));
  let err = await waitMessage(page, 'a', 'error', { from });
  t.diagnostic(`set alpha=x: ${JSON.stringify(err)}`);
  assert.equal(err.request, 'set');
  assert.match(err.message, /alpha/, 'names the key');
  assert.deepEqual(await messages(page, 'b', 'error', from), [], 'only a answers');
  await quiet(from, 'set({alpha: "x"})');
  const heard = await page.evaluate(() => window.api.filter((m) => m.type === 'error').map((m) => [m.id, m.data.request]));
  assert.deepEqual(heard, [['a', 'set']], 'on("error") heard it');
  // A set with one good and one bad key is refused whole.
  from = await mark(page);
  await page.evaluate(() => window.prefdyn.embeds[0].set('beta=4&lam=7'));
  err = await waitMessage(page, 'a', 'error', { from });
  assert.match(err.message, /lam/, 'names the bad key');
  await quiet(from, 'set beta=4&lam=7');
  // An unknown type and a tour step out of range, sent raw.
  from = await mark(page);
  await page.evaluate(() => document.querySelector('#a > iframe').contentWindow.postMessage({ source: 'prefdyn-host', type: 'explode' }, '*'));
  err = await waitMessage(page, 'a', 'error', { from });
  t.diagnostic(`explode: ${JSON.stringify(err)}`);
  assert.equal(err.request, 'explode');
  assert.match(err.message, /explode/, 'names the type');
  from = await mark(page);
  await page.evaluate(() => window.prefdyn.embeds[1].tour(99));
  err = await waitMessage(page, 'b', 'error', { from });
  assert.equal(err.request, 'tour');
  await quiet(from, 'explode, tour 99');
  // Another source is not for the frame: no answer.
  from = await mark(page);
  await page.evaluate(() => document.querySelector('#a > iframe').contentWindow.postMessage({ source: 'someone', type: 'set', query: 'alpha=0.1' }, '*'));
  await quiet(from, 'another source');
  assert.deepEqual(await messages(page, 'a', 'error', from), [], 'no error for a message of another source');

  // Malformed frame → host messages (sent from inside the frame) and messages from the
  // host page itself: embed.js ignores them.
  const before = await page.evaluate(() => ({ h: document.querySelector('#a > iframe').style.height, q: window.prefdyn.embeds[0].query, s: JSON.stringify(window.prefdyn.embeds[0].summary) }));
  await fa.evaluate(() => {
    for (const m of [null, 'prefdyn', 42, [], { source: 'prefdyn' }, { source: 'prefdyn', type: 7 }, { source: 'prefdyn', type: 'resize', height: '9999' },
      { source: 'prefdyn', type: 'resize', height: -5 }, { source: 'prefdyn', type: 'resize', height: Infinity }, { source: 'prefdyn', type: 'update', query: 7 },
      { source: 'prefdyn', type: 'ready' }, { source: 'prefdyn', type: 'error' }, { source: 'prefdyn', type: 'nonsense', query: 'x' }, { source: 'other', type: 'resize', height: 50 }]) {
      parent.postMessage(m, '*');
    }
  });
  await page.evaluate(() => window.postMessage({ source: 'prefdyn', type: 'resize', height: 33 }, '*'));
  await page.waitForTimeout(400);
  const after = await page.evaluate(() => ({ h: document.querySelector('#a > iframe').style.height, q: window.prefdyn.embeds[0].query, s: JSON.stringify(window.prefdyn.embeds[0].summary) }));
  assert.deepEqual(after, before, 'height, query and summary unchanged');
  assert.equal(await page.$eval('#b > iframe', (f) => f.style.height !== '33px'), true, 'a message from the host window is no frame\'s');
  await closeHost(h);
});

const STEPS = `
<style>
  .intro { height: 70vh; }
  .scrolly { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; max-width: 1200px; margin: 0 auto; }
  .figure { position: sticky; top: 0; align-self: start; }
  .step { margin: 0 0 90vh; min-height: 140px; border-left: 3px solid #ccc; padding: 8px; }
  .prefdyn-step-active { border-left-color: #b4432f; }
</style>
<p class="intro">Introduction.</p>
<section class="scrolly">
  <div class="figure"><div id="a" data-prefdyn="${Q.spiral}"></div></div>
  <div>
    <p class="step" id="s1" data-prefdyn-step="alpha=0.95">Now let the reference follow the policy.</p>
    <p class="step" id="s2" data-prefdyn-step="lam=1">More on-policy samples.</p>
    <p class="step" id="s3" data-prefdyn-step="?beta=5">A larger β.</p>
  </div>
</section>
<main>
  <div id="b" data-prefdyn="${Q.sst}"></div>
  <p class="step" id="s4" data-prefdyn-step="alpha=0.5" style="margin-bottom:150vh">A step after the second figure: it drives that one.</p>
</main>`;

test('scroll steps: a step in the middle of the viewport sets its cumulative state; scrolling back restores the previous one', async (t) => {
  const h = await openHost(t, 'steps.html', hostHtml(STEPS), { viewport: { width: 1200, height: 800 } });
  const { page } = h;
  const fa = await frameOf(page, 'a');
  const q0 = (await waitMessage(page, 'a', 'ready')).query;
  await frameApi(fa);
  const active = () => page.evaluate(() => [...document.querySelectorAll('.prefdyn-step-active')].map((e) => e.id));
  const centre = (id) => page.evaluate((id) => document.getElementById(id).scrollIntoView({ block: 'center' }), id);
  assert.deepEqual(await active(), [], 'no step is active at the top');
  const want = {
    s1: await canonical(merged(q0, 'alpha=0.95')),
    s2: await canonical(merged(q0, 'alpha=0.95', 'lam=1')),
    s3: await canonical(merged(q0, 'alpha=0.95', 'lam=1', 'beta=5')),
  };
  t.diagnostic(`initial ${q0}; steps ${JSON.stringify(want)}`);
  await centre('s1');
  await settledOn(h, 'a', want.s1, fa);
  assert.deepEqual(await active(), ['s1']);
  assert.equal((await frameDynamics(fa)).verdict, 'oscillating', 'step 1: α = 0.95 oscillates');
  await centre('s2');
  await settledOn(h, 'a', want.s2, fa);
  assert.deepEqual(await active(), ['s2']);
  await centre('s3');
  await settledOn(h, 'a', want.s3, fa);
  assert.deepEqual(await active(), ['s3']);
  assert.equal((await frameDynamics(fa)).verdict, 'oscillating', 'step 3: still oscillating');
  // Back up one step: the previous state.
  await centre('s2');
  await settledOn(h, 'a', want.s2, fa);
  assert.deepEqual(await active(), ['s2']);
  // Above the first step: the initial state.
  await page.evaluate(() => window.scrollTo(0, 0));
  await settledOn(h, 'a', q0, fa);
  assert.deepEqual(await active(), []);
  assert.equal((await frameDynamics(fa)).verdict, 'converged', 'back to the spiral');
  // A jump straight past two steps lands on the third's whole state.
  await page.evaluate(() => { const r = document.getElementById('s3').getBoundingClientRect(); window.scrollTo(0, window.scrollY + r.top + r.height / 2 - innerHeight / 2); });
  await settledOn(h, 'a', want.s3, fa);
  assert.deepEqual(await active(), ['s3']);
  // A step after the second figure drives that figure (the nearest embed before it); the
  // first keeps its last step.
  await centre('s4');
  const fb = await frameOf(page, 'b');
  const qb = (await waitMessage(page, 'b', 'ready')).query;
  await frameApi(fb);
  await settledOn(h, 'b', await canonical(merged(qb, 'alpha=0.5')), fb);
  assert.deepEqual(await active(), ['s3', 's4']);
  assert.equal(await frameQuery(fa), want.s3, 'a keeps step 3');
  assert.deepEqual((await messages(page, 'a', 'error')).concat(await messages(page, 'b', 'error')), [], 'no error from either frame');
  await closeHost(h);
});

test('a poster stands in until ready; messages sent before ready are kept; a page\'s own window.prefdyn is left alone', async (t) => {
  let release;
  const gate = new Promise((r) => { release = r; });
  // The frame's document is held back until the poster has been looked at.
  const route = (context) => context.route((url) => url.href.startsWith(`${site.base}?`), async (r) => {
    await gate;
    await r.continue();
  });
  const body = `<main><p>A dark blog.</p>
    <div id="p" data-prefdyn="${Q.spiral}" data-poster="/poster.svg" data-poster-alt="Figure 1: the policy spirals in" data-height="380"><img src="/poster.svg" alt="no-script fallback"></div></main>`;
  const head = `<script>window.prefdyn = { state() { return 'the page\\'s own'; } };</script>`;
  const h = await openHost(t, 'poster.html', hostHtml(body, { background: '#15171c', head }), { route });
  const { page } = h;
  try {
    await page.waitForFunction(() => window.prefdynEmbeds && window.prefdynEmbeds.embeds.length === 1);
    assert.equal(await page.evaluate(() => window.prefdyn.state()), 'the page\'s own', 'window.prefdyn untouched');
    assert.equal(await page.evaluate(() => window.prefdyn.embeds), undefined);
    await page.waitForFunction(() => { const i = document.querySelector('#p > img.prefdyn-poster'); return i && i.complete && i.naturalWidth > 0; });
    const shown = await page.evaluate(() => {
      const div = document.getElementById('p');
      const img = div.querySelector('img.prefdyn-poster');
      const f = div.querySelector('iframe');
      const r = f.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return { imgs: div.querySelectorAll('img').length, src: img.src, alt: img.alt, onTop: top === img, height: r.height, src2: f.getAttribute('src'), ready: window.prefdynEmbeds.embeds[0].ready, version: window.prefdynEmbeds.embeds[0].version };
    });
    assert.equal(shown.imgs, 1, 'the fallback img was replaced by the poster');
    assert.equal(shown.src, host.url('/poster.svg'));
    assert.equal(shown.alt, 'Figure 1: the policy spirals in');
    assert.equal(shown.onTop, true, 'the poster is shown in the frame\'s place');
    assert.equal(shown.height, 380, 'data-height');
    assert.equal(new URL(shown.src2).searchParams.get('theme'), 'dark', 'a dark page gives theme=dark');
    assert.equal(shown.ready, false);
    assert.equal(shown.version, null);
    // Asked before ready: kept, and sent once the frame is ready.
    await page.evaluate(() => window.prefdynEmbeds.get('p').set({ beta: 5 }));
    await page.waitForTimeout(300);
    assert.deepEqual(await messages(page, 'p'), [], 'nothing heard from the held frame');
  } finally {
    release();
  }
  const ready = await waitMessage(page, 'p', 'ready');
  const f = await frameOf(page, 'p');
  const after = await page.evaluate(() => {
    const div = document.getElementById('p');
    const r = div.querySelector('iframe').getBoundingClientRect();
    return { imgs: div.querySelectorAll('img').length, onTop: document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === div.querySelector('iframe') };
  });
  assert.deepEqual(after, { imgs: 0, onTop: true }, 'after ready the poster is gone and the frame shows');
  assert.equal(await f.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
  const expected = await canonical(merged(ready.query, 'beta=5'));
  await waitMessage(page, 'p', 'update', { query: expected });
  await frameApi(f);
  await settledOn(h, 'p', expected, f);
  assert.deepEqual(await messages(page, 'p', 'error'), []);
  const own = [host.url('/poster.html'), `${site.base}embed.js`, host.url('/poster.svg')];
  assert.deepEqual([...new Set(h.log.requests)].sort(), own.sort(), 'the host page fetched itself, embed.js and the poster only');
  await closeHost(h);
});

test('the example post: two embeds, scroll steps, the live verdict line and the buttons', async (t) => {
  const context = await site.browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const h = { t, page, context, log: { errors: [], frameErrors: [], pageErrors: [], requests: [] } };
  page.on('console', (m) => m.type() === 'error' && h.log.errors.push(`${m.text()} @ ${JSON.stringify(m.location())}`));
  page.on('pageerror', (e) => h.log.pageErrors.push(String(e)));
  await page.goto(`${site.base}embed-example.html`);
  h.historyLength = await page.evaluate(() => history.length);
  await page.waitForFunction(() => window.prefdynEmbeds && window.prefdynEmbeds.embeds.length === 2);
  const frames = await page.evaluate(() => window.prefdynEmbeds.embeds.map((e) => ({ id: e.element.id, loading: e.iframe.getAttribute('loading'), title: e.iframe.title })));
  assert.deepEqual(frames.map((f) => [f.id, f.loading]), [['story', 'lazy'], ['sst', 'lazy']]);
  for (const f of frames) assert.match(f.title, /^Live figure: /);
  const story = await frameOf(page, 'story');
  await page.waitForFunction(() => window.prefdynEmbeds.get('story').ready, null, { timeout: 20000 });
  await frameApi(story);
  const line = (id) => page.$eval(`#${id}`, (el) => el.textContent);
  const verdictShown = async (id, frame) => {
    const d = await frameDynamics(frame);
    await page.waitForFunction(([id, text]) => document.getElementById(id).textContent === text, [id, d.verdict_text], { timeout: 20000 });
    return d;
  };
  // Step 2 in the middle: α = 0.95, and the line says what the frame says.
  const step2 = '[data-prefdyn-step="alpha=0.95"]';
  await page.$eval(step2, (el) => el.scrollIntoView({ block: 'center' }));
  await page.waitForFunction(() => new URLSearchParams(window.prefdynEmbeds.get('story').query).get('alpha') === '0.95', null, { timeout: 20000 });
  await page.waitForTimeout(300);
  assert.equal(new URLSearchParams(await frameQuery(story)).get('alpha'), '0.95');
  assert.equal(await page.$eval(step2, (el) => el.classList.contains('prefdyn-step-active')), true);
  assert.equal((await verdictShown('story-verdict', story)).verdict, 'oscillating');
  assert.match(await line('story-rho'), /^· ρ = \d/);
  // The button in the text sets β through the API.
  await page.$eval('[data-prefdyn-step="beta=5"]', (el) => el.scrollIntoView({ block: 'center' }));
  await page.waitForFunction(() => new URLSearchParams(window.prefdynEmbeds.get('story').query).get('beta') === '5', null, { timeout: 20000 });
  await page.click('#try-beta');
  await page.waitForFunction(() => new URLSearchParams(window.prefdynEmbeds.get('story').query).get('beta') === '1', null, { timeout: 20000 });
  await page.waitForTimeout(300);
  assert.equal(new URLSearchParams(await frameQuery(story)).get('beta'), '1');
  assert.equal((await verdictShown('story-verdict', story)).verdict, 'converging', 'α = 0.95, β = 1, λ = 1 converges slowly');
  // The second figure, on its own.
  await page.$eval('#sst', (el) => el.scrollIntoView({ block: 'center' }));
  const sst = await frameOf(page, 'sst');
  await page.waitForFunction(() => window.prefdynEmbeds.get('sst').ready, null, { timeout: 20000 });
  await frameApi(sst);
  const storyQuery = await frameQuery(story);
  await page.click('#sst-30');
  await page.waitForFunction(() => new URLSearchParams(window.prefdynEmbeds.get('sst').query).get('T') === '30', null, { timeout: 20000 });
  assert.match((await verdictShown('sst-verdict', sst)).verdict_text, /^converging.*concentrated on E/);
  await page.click('#sst-100');
  await page.waitForFunction(() => new URLSearchParams(window.prefdynEmbeds.get('sst').query).get('T') === '100', null, { timeout: 20000 });
  assert.equal((await verdictShown('sst-verdict', sst)).verdict_text, 'collapsed onto E');
  assert.equal(await frameQuery(story), storyQuery, 'the story figure is independent');
  await page.screenshot({ path: join(artifactsDir(), 'embed-example.png') }).catch(() => {});
  await closeHost(h);
});
