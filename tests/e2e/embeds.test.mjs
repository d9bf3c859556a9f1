// Embeds that behave in a blog (issue 16): an embed never writes the host's history; the
// Embed button's sizes and the README's snippet show every control of their view without a
// script; outside Dynamics an embed shows no editing panels and no timings; controls line
// up; a K = 3 embed shows the phase portrait beside its chart when it lists starts. A
// Dynamics embed is served by the light module alone (issue 17).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, artifactsDir, closeClean, moveLogSlider, moveSlider, openPage, startSite, waitPhaseDone } from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** A host page (a blog on another origin) with one iframe of `query`. */
async function host(query, { width = 680, height = 520, viewport = { width: 1000, height: 900 } } = {}) {
  const context = await site.browser.newContext({ viewport });
  const page = await context.newPage();
  await page.setContent(`<!doctype html><html><head><title>A blog post</title></head><body style="margin:20px;font:16px serif">
    <h1>A blog post</h1><p>Some text before the figure.</p>
    <iframe id="f" src="${site.url(query)}" width="${width}" height="${height}" style="border:0;display:block" title="prefdyn: a live figure"></iframe>
    <p>Some text after the figure.</p></body></html>`);
  const frame = await (await page.$('#f')).contentFrame();
  await frame.waitForFunction(() => document.body && document.body.getAttribute('data-ready') === '1');
  return { context, page, frame };
}

test('an embed never adds entries to its host page\'s history (sliders, setState, tour steps)', async () => {
  const h = await host('v=2&embed=1&controls=alpha,beta,lam&tour=4');
  const length = () => h.page.evaluate(() => history.length);
  const before = await length();
  for (const v of [0.3, 0.6, 0.9]) await moveSlider(h.frame, 'alpha', v);
  await h.frame.evaluate(() => window.prefdyn.setState({ lam: 0.5 }));
  await h.frame.click('#tour-next');
  await h.frame.waitForFunction(() => window.prefdyn.state().config.tour === 5);
  await h.page.waitForTimeout(200);
  assert.equal(await length(), before, 'the host page\'s history did not grow');
  assert.match(await h.frame.evaluate(() => location.search), /tour=5/, 'the frame\'s own address still follows its state');
  await h.page.screenshot({ path: join(artifactsDir(), 'embed-in-host-1000x900.png') });
  await h.context.close();
});

/** Whether every shown control, the playback buttons and the chart lie inside the frame's viewport. */
async function everythingShown(page) {
  return page.evaluate(() => {
    const visible = (el) => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
    const sel = '[data-control].shown input, [data-control].shown select, #play, #step, #reset, #chart-policy, #chart-oneshot, #chart-phase, #chart-matrix, #open-full, #tour-next';
    const out = [...document.querySelectorAll(sel)].filter(visible).map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.id, bottom: r.bottom, right: r.right };
    });
    return { items: out, height: window.innerHeight, width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth };
  });
}

test('the Embed button\'s sizes show every control of the view without a script', async (t) => {
  const links = [
    'v=2&alpha=0.95&beta=2&lam=0.8&T=100',
    'v=2&controls=alpha,beta,lam,eta,T,speed',
    'v=2&gen=random&k=6&seed=4&view=oneshot',
    'v=2&view=phase&nx=6&ny=5&en=2&pT=50',
    'v=2&view=prefs&gen=random&k=5&seed=57',
    'v=2&tour=2',
  ];
  for (const q of links) {
    const h = await openPage(site, q);
    await h.page.click('#embed-btn');
    const widths = await h.page.$$eval('#embed-sizes button[data-width]', (bs) => bs.map((b) => Number(b.dataset.width)));
    assert.deepEqual(widths, [680, 600, 900, 360]);
    for (const w of widths) {
      await h.page.$eval('#copy-text', (el) => { el.value = ''; });
      await h.page.click(`#embed-sizes button[data-width="${w}"]`);
      await h.page.waitForFunction(() => document.getElementById('copy-text').value.startsWith('<iframe'), null, { timeout: 15000 });
      const snippet = await h.page.$eval('#copy-text', (el) => el.value);
      const m = /src="([^"]+)" width="(\d+)" height="(\d+)"/.exec(snippet);
      assert.ok(m, snippet);
      const [src, width, height] = [m[1].replace(/&amp;/g, '&'), Number(m[2]), Number(m[3])];
      assert.equal(width, w);
      // The frame without any host script: exactly the snippet's size.
      const e = await openPage(site, new URL(src).search, { viewport: { width, height } });
      const shown = await everythingShown(e.page);
      t.diagnostic(`${q} at ${width}×${height}: ${shown.items.length} items, lowest at ${Math.max(...shown.items.map((i) => i.bottom)).toFixed(0)} px`);
      for (const item of shown.items) {
        assert.ok(item.bottom <= height + 1, `${q} at ${width}×${height}: #${item.id} ends at ${item.bottom} px, below the frame`);
      }
      assert.ok(shown.scrollWidth <= width + 1, `${q} at ${width}: no horizontal overflow (${shown.scrollWidth})`);
      await closeClean(e);
    }
    await closeClean(h);
  }
});

test('the README\'s embed snippet shows its controls at its stated size without a script', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<iframe src="https:\/\/YOUR-HOST\/prefdyn\/(\?[^"]+)" width="(\d+)" height="(\d+)"/.exec(readme);
  assert.ok(m, 'the README has an iframe snippet');
  const [query, width, height] = [m[1], Number(m[2]), Number(m[3])];
  const h = await openPage(site, query, { viewport: { width, height } });
  const shown = await everythingShown(h.page);
  assert.ok(shown.items.some((i) => i.id === 'play'), 'Play is shown');
  for (const item of shown.items) assert.ok(item.bottom <= height + 1, `#${item.id} ends at ${item.bottom} px > ${height}`);
  await closeClean(h);
});

test('outside Dynamics an embed shows the picture, no editing panels and no timings', async () => {
  const prefs = await openPage(site, 'v=2&embed=1&view=prefs&gen=random&k=5&seed=57', { viewport: { width: 680, height: 700 } });
  const vis = (page, sel) => page.$eval(sel, (el) => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0);
  assert.equal(await vis(prefs.page, '#chart-matrix'), true);
  for (const sel of ['#import', '.cell-editor', '#source']) assert.equal(await vis(prefs.page, sel), false, `${sel} hidden`);
  await closeClean(prefs);
  const phase = await openPage(site, 'v=2&embed=1&view=phase&nx=6&ny=5&en=2&pT=50', { viewport: { width: 375, height: 700 } });
  await waitPhaseDone(phase.page);
  assert.equal(await vis(phase.page, '#chart-phase'), true);
  for (const sel of ['#phase-run', '#phase-cancel', '#phase-status', '#phase-progress', '#px']) assert.equal(await vis(phase.page, sel), false, `${sel} hidden`);
  assert.doesNotMatch(await phase.page.evaluate(() => document.body.innerText), /\d+ ms|workers?\b/, 'no timing on the page');
  assert.ok(await phase.page.evaluate(() => document.documentElement.scrollWidth <= 376), 'the phase embed fits 375 px');
  await closeClean(phase);
});

test('an embed\'s controls line up, whichever controls= names', async () => {
  for (const [controls, width] of [['alpha,beta,lam', 600], ['alpha,beta,lam,eta', 680], ['beta,T', 360], ['alpha,beta,lam,eta,T,speed', 900]]) {
    const h = await openPage(site, `v=2&embed=1&controls=${controls}`, { viewport: { width, height: 700 } });
    const rows = await h.page.$$eval('[data-control].shown.slider:not(.inline)', (els) => els.map((el) => {
      const label = el.querySelector('label').getBoundingClientRect();
      const range = el.querySelector('input[type=range]').getBoundingClientRect();
      const line = parseFloat(getComputedStyle(el.querySelector('label')).lineHeight) || 20;
      const l = el.querySelector('label');
      return { key: el.dataset.control, top: Math.round(range.top), width: Math.round(range.width), labelLines: Math.round(label.height / line), cut: l.scrollWidth > l.clientWidth + 1 };
    }));
    const keys = controls.split(',').filter((k) => rows.some((r) => r.key === k));
    assert.deepEqual(rows.map((r) => r.key).filter((k) => keys.includes(k)), keys);
    for (const r of rows) assert.ok(r.labelLines <= 1 && !r.cut, `${controls} at ${width}: the label of ${r.key} stays whole on one line`);
    // Sliders in one row share their top; every slider has the same width.
    const widths = new Set(rows.map((r) => r.width));
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 2, `${controls} at ${width}: equal slider widths ${[...widths]}`);
    const tops = [...new Set(rows.map((r) => r.top))];
    const perRow = rows.filter((r) => r.top === tops[0]).length;
    assert.ok(rows.every((r, i) => r.top === rows[Math.floor(i / perRow) * perRow].top), `${controls} at ${width}: a grid (${JSON.stringify(rows)})`);
    await closeClean(h);
  }
});

test('a K = 3 Dynamics embed shows the phase portrait beside its chart when it lists starts (from 520 px)', async () => {
  const q = 'v=2&embed=1&controls=alpha,beta,starts';
  const wide = await openPage(site, q, { viewport: { width: 680, height: 520 } });
  const pos = await wide.page.evaluate(() => {
    const p = document.getElementById('chart-policy').getBoundingClientRect();
    const s = document.getElementById('chart-simplex').getBoundingClientRect();
    return { shown: s.width > 50, beside: s.left >= p.right - 1, inside: s.bottom <= window.innerHeight };
  });
  assert.deepEqual(pos, { shown: true, beside: true, inside: true });
  await closeClean(wide);
  const narrow = await openPage(site, q, { viewport: { width: 360, height: 520 } });
  assert.equal(await narrow.page.$eval('#simplex-box', (el) => getComputedStyle(el).display), 'none', 'no room for it on a phone');
  await closeClean(narrow);
});

/** Opens `query` without touching `window.prefdyn` (which asks for the full module) and waits for `data-complete`. */
async function openLight(query, viewport = { width: 680, height: 520 }) {
  const h = await openPage(site, query, { viewport, wait: false });
  await h.page.goto(site.url(query));
  await h.page.waitForSelector('body[data-complete="1"]');
  return h;
}

const fullModule = (h) => h.log.requests.filter((r) => /prefdyn-web-full/.test(r.url)).map((r) => r.url);

test('a Dynamics embed is served by the light module alone: sliders, playback, readout, no history, no full module', async () => {
  const q = 'v=2&embed=1&alpha=0.95&beta=2&lam=0.8&controls=alpha,beta,lam,speed';
  const h = await openLight(q);
  const { page } = h;
  const chart = () => page.evaluate(() => document.getElementById('chart-policy').toDataURL());
  const verdict = () => page.$eval('#verdict', (el) => el.textContent);
  assert.equal(await page.$eval('#simplex-box', (el) => getComputedStyle(el).display), 'none', 'no portrait without controls=…,starts');
  const before = { chart: await chart(), verdict: await verdict(), history: await page.evaluate(() => history.length) };
  await moveSlider(page, 'alpha', 0.2);
  await page.waitForFunction((v) => document.getElementById('verdict').textContent !== v, before.verdict);
  assert.notEqual(await chart(), before.chart, 'the chart follows α');
  assert.match(await page.evaluate(() => location.search), /alpha=0\.2(&|$)/, 'the frame\'s address follows its state');
  assert.equal(await page.evaluate(() => history.length), before.history, 'an embed replaces its own entry');
  // Playback: Reset shows round 0, Step one more, Play runs to the end.
  const rounds = Number(/ of (\d+)$/.exec(await page.$eval('#round-out', (el) => el.textContent))[1]);
  await page.click('#reset');
  assert.equal(await page.$eval('#round-out', (el) => el.textContent), `round 0 of ${rounds}`);
  await page.click('#step');
  assert.equal(await page.$eval('#round-out', (el) => el.textContent), `round 1 of ${rounds}`);
  await page.click('#play');
  await page.waitForFunction((r) => document.getElementById('round-out').textContent === `round ${r} of ${r}`, rounds, { timeout: 10000 });
  assert.equal(await page.$eval('#play', (el) => el.textContent), 'Play', 'stopped at the end');
  // The readout under the pointer.
  const box = await (await page.$('#chart-policy')).boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await page.waitForSelector('#policy-tip:not([hidden])');
  assert.match(await page.$eval('#policy-tip', (el) => el.textContent), /^round \d+: /);
  await page.waitForTimeout(300);
  assert.deepEqual(fullModule(h), [], 'the full module was never requested');
  await closeClean(h);
});

test('a light embed\'s window.prefdyn loads the full module, which takes over with the same state and the same results as a full page', async () => {
  const q = 'v=2&embed=1&alpha=0.95&beta=2&lam=0.8';
  const h = await openLight(q);
  await moveLogSlider(h.page, 'beta', 0.5);
  await h.page.waitForFunction(() => window.prefdyn && window.prefdyn.state, null, { timeout: 20000 });
  assert.ok(fullModule(h).length > 0, 'reading window.prefdyn asked for the full module');
  const state = await h.page.evaluate(() => window.prefdyn.state().query);
  assert.match(state, /beta=0\.5/, 'the full module took over from the URL the light module wrote');
  const full = await openPage(site, state.replace('embed=1&', '').replace(/&?embed=1/, ''));
  const [a, b] = await Promise.all([h.page.evaluate(() => window.prefdyn.results().dynamics), full.page.evaluate(() => window.prefdyn.results().dynamics)]);
  assert.deepEqual(a, b, 'the run is the same bit for bit');
  await closeClean(full);
  await closeClean(h);
});
