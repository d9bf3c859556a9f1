// Embed mode, Share/Embed buttons, and no network traffic beyond the page's own origin.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Q, artifactsDir, assertDrawn, canvasStats, closeClean, moveLogSlider, moveSlider, openPage, pageNumbers, params, startSite, waitReady,
} from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

test('(g) embed=1 at 600×400: compact view, policy chart drawn, "open in full playground" link', async (t) => {
  const h = await openPage(site, `embed=1&${Q.cyclic}`, { viewport: { width: 600, height: 400 } });
  const { page } = h;
  const info = await page.evaluate(() => {
    const vis = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;
    };
    const a = document.getElementById('open-full');
    return {
      embed: document.body.classList.contains('embed'),
      openFull: vis('#open-full'),
      href: a && a.href,
      preferences: vis('#preferences'),
      policy: vis('#chart-policy'),
      scrollWidth: document.documentElement.scrollWidth,
      query: window.prefdyn.state().query,
      policyTop: document.getElementById('chart-policy').getBoundingClientRect().top,
      policyBottom: document.getElementById('chart-policy').getBoundingClientRect().bottom,
      scrollHeight: document.documentElement.scrollHeight,
    };
  });
  t.diagnostic(`open-full href: ${info.href}; policy chart ${info.policyTop}–${info.policyBottom}px; page height ${info.scrollHeight}px`);
  assert.equal(info.embed, true, 'body.embed');
  assert.equal(info.openFull, true, '#open-full visible');
  assert.equal(info.preferences, false, '#preferences hidden');
  assert.equal(info.policy, true, '#chart-policy visible');
  assert.ok(info.scrollWidth <= 601, `no horizontal overflow in a 600 px iframe (scrollWidth ${info.scrollWidth})`);
  assert.ok(info.policyBottom <= 400, `the whole policy chart is visible in the 600×400 frame without scrolling (canvas ${info.policyTop}–${info.policyBottom} px)`);
  assert.match(info.query, /(^|&)embed=1(&|$)/);
  const href = new URL(info.href);
  assert.equal(href.origin, new URL(site.base).origin, 'same origin');
  assert.equal(href.searchParams.get('embed'), null, 'open-full has no embed=1');
  const { embed, ...state } = params(info.query);
  assert.deepEqual(params(href.search), state, 'open-full carries the same state');
  assertDrawn(await canvasStats(page, 'chart-policy'));
  await page.screenshot({ path: join(artifactsDir(), 'embed-600x400.png') });
  // The link keeps following the state.
  await moveSlider(page, 'alpha', 0.4);
  const href2 = new URL(await page.$eval('#open-full', (a) => a.href));
  assert.equal(href2.searchParams.get('alpha'), '0.4');
  assert.equal(href2.searchParams.get('embed'), null);
  // Opening it gives the full page with the same numbers.
  const full = await openPage(site, href2.search);
  assert.equal(await full.page.evaluate(() => document.body.classList.contains('embed')), false);
  assert.equal(await full.page.$eval('#open-full', (a) => getComputedStyle(a).display), 'none', '#open-full hidden outside embed mode');
  assert.deepEqual((await pageNumbers(full.page)).results, (await pageNumbers(page)).results, 'same results in the full playground');
  await closeClean(full);
  await closeClean(h);
});

test('Share and Embed copy the link and an iframe snippet', async () => {
  const h = await openPage(site, Q.cyclic);
  await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site.base).origin });
  const { page } = h;
  await page.click('#share');
  const link = await page.$eval('#copy-text', (el) => el.value);
  assert.equal(link, await page.evaluate(() => location.href), 'Share copies the current link');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'clipboard holds the link');
  await page.click('#embed-btn');
  await page.waitForFunction(() => document.getElementById('copy-text').value.startsWith('<iframe'), null, { timeout: 15000 });
  const snippet = await page.$eval('#copy-text', (el) => el.value);
  const m = /<iframe[^>]* src="([^"]+)"/.exec(snippet);
  assert.ok(m, `an iframe snippet: ${snippet}`);
  const src = new URL(m[1].replace(/&amp;/g, '&'));
  assert.equal(src.searchParams.get('embed'), '1');
  const { embed, ...rest } = params(src.search);
  assert.deepEqual(rest, params(new URL(link).search));
  await closeClean(h);
});

test('Share without clipboard permission does not throw (e.g. inside an iframe)', async () => {
  const h = await openPage(site, Q.cyclic);
  await h.page.click('#share');
  await h.page.click('#embed-btn');
  await h.page.waitForFunction(() => document.getElementById('copy-text').value.startsWith('<iframe'), null, { timeout: 15000 });
  assert.match(await h.page.$eval('#copy-text', (el) => el.value), /<iframe/, 'the snippet is still shown to select by hand');
  await closeClean(h); // no unhandled rejection, no console error
});

test('(n) no network requests after load other than to 127.0.0.1; no CSP violations', async (t) => {
  const h = await openPage(site, '', { wait: false });
  const { page, log } = h;
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(site.url(Q.cyclic));
  await waitReady(page);
  await page.waitForLoadState('networkidle');
  const loadCount = log.requests.length;
  // Use the page: sliders, setState, playback, a preset, a resize, the heatmap.
  await moveLogSlider(page, 'beta', 3); // β's slider stops at round values
  await page.evaluate(() => window.prefdyn.setState({ preset: 'chatbot_arena_2023may_5' }));
  await page.keyboard.press('Space');
  await page.waitForTimeout(300);
  await page.keyboard.press('Space');
  await page.setViewportSize({ width: 700, height: 700 });
  await page.click('#chart-matrix', { position: { x: 120, y: 60 } });
  await page.waitForTimeout(300);
  const after = log.requests.slice(loadCount).map((r) => r.url);
  const foreign = log.requests.map((r) => r.url).filter((u) => {
    const url = new URL(u);
    return !(url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1');
  });
  t.diagnostic(`${loadCount} requests during load: ${log.requests.slice(0, loadCount).map((r) => new URL(r.url).pathname).join(' ')}; ${after.length} after load`);
  assert.deepEqual(foreign, [], 'requests to other hosts');
  assert.deepEqual(after.filter((u) => new URL(u).hostname !== '127.0.0.1'), [], 'requests after load');
  assert.ok(await page.evaluate(() => !!document.querySelector('meta[http-equiv="Content-Security-Policy"]')), 'a CSP meta tag');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  await closeClean(h);
});
