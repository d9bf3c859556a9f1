// The message protocol between an embedded frame and its host page (another origin): the
// frame says ready (canonical query, version) and sends an update after every change
// (throttled); the host sets keys, replaces the link, plays, steps, resets and opens tour
// steps. Only the parent's messages with source "prefdyn-host" count; a bad one is answered
// with an error naming it and changes nothing. The numbers are the CLI's for the same link.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { TOL, cli, cliBinary, compareJson, startSite } from './helpers.mjs';

let site;
before(async () => {
  cliBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const VERSION = /^version = "([^"]+)"/m.exec(readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8'))[1];

/** A host page (about:blank: another origin) with one frame; it records the frame's messages. */
async function host(query) {
  const context = await site.browser.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(`<!doctype html><html><body>
    <script>
      window.got = [];
      addEventListener('message', (e) => {
        const f = document.getElementById('f');
        if (e.source === f.contentWindow && e.data && e.data.source === 'prefdyn' && e.data.type !== 'resize') window.got.push({ ...e.data, at: performance.now() });
      });
      window.send = (m) => document.getElementById('f').contentWindow.postMessage({ source: 'prefdyn-host', ...m }, '*');
    </script>
    <iframe id="f" src="${site.url(query)}" width="680" height="500" title="prefdyn"></iframe>
  </body></html>`);
  const frame = await (await page.$('#f')).contentFrame();
  await page.waitForFunction(() => window.got.some((m) => m.type === 'ready'), null, { timeout: 20000 });
  return { context, page, frame, errors };
}

/** `base` with the keys of `extra` set (a later value replaces an earlier one, as a host's set does). */
function merge(base, extra) {
  const q = new URLSearchParams(base);
  for (const [k, v] of new URLSearchParams(extra)) q.set(k, v);
  return q.toString().replaceAll('%2C', ',');
}

/** Messages of `type` received so far. */
const got = (h, type) => h.page.evaluate((t) => window.got.filter((m) => m.type === t), type);

/** Sends `m` and waits for the next message of `type` (returns it). */
async function sendAndWait(h, m, type, timeout = 20000) {
  const n = (await got(h, type)).length;
  await h.page.evaluate((m) => window.send(m), m);
  await h.page.waitForFunction(([t, n]) => window.got.filter((x) => x.type === t).length > n, [type, n], { timeout });
  return (await got(h, type)).at(-1);
}

/** The summary a link's run gives in the CLI: the numbers `update` must carry. */
function cliSummary(query) {
  const d = cli(query).results.dynamics;
  return { verdict: d.verdict, verdict_text: d.verdict_text, rho: d.rho, final: d.final_policy, entropy: d.final_entropy, V: d.variance };
}

/** Asserts that an update's summary is the CLI's for `query` (within TOL: wasm and native). */
function assertSummary(summary, query) {
  const c = compareJson(summary, cliSummary(query));
  assert.deepEqual(c.mismatches, [], `the summary has the CLI's fields for ${query}`);
  assert.ok(c.maxDiff <= TOL, `summary vs CLI: max |Δ| ${c.maxDiff} at ${c.maxPath}`);
}

/** Whether the frame has fetched the full module. */
const fullLoaded = (frame) => frame.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.includes('prefdyn-web-full')));

const LINK = 'v=2&embed=1&alpha=0.5&beta=2&lam=0.8';

test('a light embed says ready once with its canonical query and version, and carries out set, play, step and reset itself', async (t) => {
  const h = await host(LINK);
  const [ready] = await got(h, 'ready');
  assert.equal(ready.query, cli(LINK).query, 'ready carries the canonical query');
  assert.equal(ready.version, VERSION);
  assert.equal(await h.frame.textContent('#version'), `prefdyn ${VERSION}`, 'the page shows the version it runs');
  assertSummary(ready.summary, LINK);
  const u = await sendAndWait(h, { type: 'set', state: { alpha: 0.95 } }, 'update');
  const q2 = cli(merge(LINK, 'alpha=0.95')).query;
  assert.equal(u.query, q2, 'the update carries the new canonical query');
  assertSummary(u.summary, q2);
  t.diagnostic(`after set alpha=0.95: ${u.summary.verdict}, ρ = ${u.summary.rho}`);
  assert.equal(u.summary.verdict, 'oscillating');
  const u2 = await sendAndWait(h, { type: 'set', query: 'beta=5&lam=1' }, 'update');
  assert.equal(u2.query, cli(merge(LINK, 'alpha=0.95&beta=5&lam=1')).query);
  // Playback.
  await h.page.evaluate(() => window.send({ type: 'reset' }));
  await h.frame.waitForFunction(() => /^round 0 of/.test(document.getElementById('round-out').textContent));
  await h.page.evaluate(() => window.send({ type: 'step' }));
  await h.frame.waitForFunction(() => /^round 1 of/.test(document.getElementById('round-out').textContent));
  await h.page.evaluate(() => window.send({ type: 'play' }));
  await h.frame.waitForFunction(() => document.getElementById('play').textContent === 'Pause');
  await h.page.evaluate(() => window.send({ type: 'pause' }));
  await h.frame.waitForFunction(() => document.getElementById('play').textContent === 'Play');
  assert.equal((await got(h, 'ready')).length, 1, 'ready once');
  assert.equal(await fullLoaded(h.frame), false, 'the light embed did all of it without the full module');
  assert.equal(await h.page.evaluate(() => history.length), 1, 'the host page\'s history did not grow');
  assert.deepEqual(h.errors, []);
  await h.context.close();
});

test('bad messages are answered with an error naming what was wrong, and change nothing', async (t) => {
  const h = await host(LINK);
  const before = (await got(h, 'ready'))[0].query;
  const cases = [
    [{ type: 'set', state: { alpha: 'x' } }, 'set', /alpha/],
    [{ type: 'set', query: 'beta=3&alpha=7' }, 'set', /alpha/],
    [{ type: 'set', state: { nosuch: 1 } }, 'set', /nosuch/],
    [{ type: 'navigate', url: 'https://example.com' }, 'navigate', /unknown message type "navigate"/],
    [{ type: 'tour', n: 99 }, 'tour', /n must be a step number/],
    [{ type: 'replace', query: 'v=2&embed=1&T=abc' }, 'replace', /T/],
    [{}, '', /needs a type/],
  ];
  for (const [m, request, pattern] of cases) {
    const e = await sendAndWait(h, m, 'error');
    t.diagnostic(`${JSON.stringify(m)} → ${e.message}`);
    assert.equal(e.request, request);
    assert.match(e.message, pattern);
  }
  // Not from the parent, or not a host message: ignored without an answer.
  await h.frame.evaluate(() => window.postMessage({ source: 'prefdyn-host', type: 'set', query: 'alpha=0.1' }, '*'));
  await h.page.evaluate(() => document.getElementById('f').contentWindow.postMessage({ source: 'other', type: 'set', query: 'alpha=0.2' }, '*'));
  await h.page.waitForTimeout(300);
  assert.equal((await got(h, 'update')).length, 0, 'nothing changed: no update');
  // The next valid change starts from the unchanged state.
  const u = await sendAndWait(h, { type: 'set', query: 'beta=3' }, 'update');
  assert.equal(u.query, cli(merge(before, 'beta=3')).query);
  assert.deepEqual(h.errors, []);
  await h.context.close();
});

test('a request the light module cannot show hands over to the full module, which carries it out', async (t) => {
  const h = await host(LINK);
  // Finite samples live in the full module.
  const u = await sendAndWait(h, { type: 'set', query: 'N=256&R=8&T=60' }, 'update', 30000);
  const q = cli(merge(LINK, 'N=256&R=8&T=60')).query;
  assert.equal(u.query, q);
  assert.equal(await fullLoaded(h.frame), true, 'the full module was loaded for it');
  // The realisations arrive after the update (from the workers or the page's slices).
  await h.frame.waitForFunction(() => window.prefdyn.results().finite, null, { timeout: 30000 });
  const r = await h.frame.evaluate(() => window.prefdyn.results());
  assert.equal(r.finite.pairs, 256, 'the frame now runs finite samples');
  // A tour step.
  const tour = await sendAndWait(h, { type: 'tour', n: 3 }, 'update');
  assert.match(tour.query, /tour=3/);
  t.diagnostic(`tour 3: ${tour.query}`);
  const state = await h.frame.evaluate(() => window.prefdyn.state().query);
  assert.equal(tour.query, state);
  // Replace, then playback in the full module.
  const rq = 'v=2&embed=1&gen=rps&alpha=0.9&beta=3&lam=0.8&T=80';
  const rep = await sendAndWait(h, { type: 'replace', query: rq }, 'update');
  assert.equal(rep.query, cli(rq).query);
  assertSummary(rep.summary, rq);
  await h.page.evaluate(() => window.send({ type: 'reset' }));
  await h.frame.waitForFunction(() => /^round 0 of/.test(document.getElementById('round-out').textContent));
  assert.equal((await got(h, 'ready')).length, 1, 'the full module does not say ready again');
  assert.equal(await h.frame.evaluate(() => window.prefdyn.hasPanicked()), false);
  assert.equal(await h.page.evaluate(() => history.length), 1);
  await h.context.close();
});

test('updates are throttled while a host drags, and the last one has the final state; random messages never break the frame', async (t) => {
  const h = await host(LINK);
  const t0 = await h.page.evaluate(() => performance.now());
  const sent = await h.page.evaluate(async () => {
    let n = 0;
    for (let i = 0; i <= 40; i++) {
      window.send({ type: 'set', state: { alpha: (0.5 + i * 0.01).toFixed(2) } });
      n++;
      await new Promise((r) => setTimeout(r, 5));
    }
    return n;
  });
  await h.page.waitForTimeout(400);
  const updates = await got(h, 'update');
  const span = updates.at(-1).at - t0;
  t.diagnostic(`${sent} sets in ${span.toFixed(0)} ms → ${updates.length} updates`);
  assert.ok(updates.length < sent / 2, `throttled: ${updates.length} updates for ${sent} sets`);
  assert.ok(updates.length <= span / 100 + 2, `at most one per 100 ms: ${updates.length} in ${span.toFixed(0)} ms`);
  assert.equal(updates.at(-1).query, cli(merge(LINK, 'alpha=0.90')).query, 'the last update has the final state');
  // Junk: wrong shapes and values, never a panic or a hang.
  await h.page.evaluate(() => {
    const junk = [null, 3, 'set', [1], { source: 'prefdyn-host' }, { source: 'prefdyn-host', type: 5 },
      { source: 'prefdyn-host', type: 'set', state: null }, { source: 'prefdyn-host', type: 'set', state: { alpha: { x: 1 } } },
      { source: 'prefdyn-host', type: 'set', query: 'a'.repeat(20000) }, { source: 'prefdyn-host', type: 'tour', n: 'x' },
      { source: 'prefdyn-host', type: 'replace' }, { source: 'prefdyn-host', type: 'set', state: Object.fromEntries([...Array(500).keys()].map((i) => ['k' + i, i])) }];
    const f = document.getElementById('f').contentWindow;
    for (let i = 0; i < 300; i++) f.postMessage(junk[i % junk.length], '*');
  });
  const u = await sendAndWait(h, { type: 'set', query: 'beta=4' }, 'update');
  assert.equal(u.query, cli(merge(LINK, 'alpha=0.90&beta=4')).query, 'the frame still answers');
  assert.equal(await h.frame.evaluate(() => document.getElementById('panic').hidden), true, 'no panic');
  assert.deepEqual(h.errors, []);
  await h.context.close();
});
