// Embeds in a host page (a third-party origin, as a blog would be): the iframe reports its
// content height with postMessage and the README's snippet resizes it; theme=dark gives a
// dark frame with no white box; controls= names the controls the embed shows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { artifactsDir, luminance, startSite, waitReady } from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** The README's host-side snippet, verbatim in spirit: resize the iframe that sent it. */
const SNIPPET = `
window.heights = [];
addEventListener('message', (e) => {
  const m = e.data;
  if (!m || m.source !== 'prefdyn' || m.type !== 'resize') return;
  for (const f of document.querySelectorAll('iframe')) {
    if (f.contentWindow === e.source) { f.style.height = m.height + 'px'; window.heights.push(m.height); }
  }
});`;

/** A host page (about:blank origin) with one iframe of the site. */
async function host(query, { width = 600, background = '#ffffff', viewport = { width: 900, height: 1200 } } = {}) {
  const context = await site.browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(`<!doctype html><html><body style="margin:0;background:${background}">
    <script>${SNIPPET}</script>
    <iframe id="f" src="${site.url(query)}" width="${width}" height="150" style="border:0;display:block" title="prefdyn"></iframe>
  </body></html>`);
  const frame = await (await page.$('#f')).contentFrame();
  await frame.waitForFunction(() => document.body && document.body.getAttribute('data-ready') === '1');
  return { context, page, frame, errors };
}

test('the iframe reports its content height; the host snippet sizes the frame to it, and again on resize', async (t) => {
  const h = await host('v=2&embed=1');
  await h.page.waitForFunction(() => window.heights.length > 0);
  await h.page.waitForTimeout(300);
  const first = await h.page.evaluate(() => ({ last: window.heights.at(-1), css: document.getElementById('f').getBoundingClientRect().height }));
  const content = await h.frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  t.diagnostic(`reported ${first.last}px; frame ${first.css}px; content ${content}px`);
  assert.ok(first.last > 250, `a real height (${first.last})`);
  assert.ok(Math.abs(first.last - content) <= 1, 'the reported height is the content height');
  assert.ok(Math.abs(first.css - first.last) <= 1, 'the snippet set the frame to it');
  const scroll = await h.frame.evaluate(() => document.scrollingElement.scrollHeight - window.innerHeight);
  assert.ok(scroll <= 1, `nothing left to scroll inside the frame (${scroll})`);
  // A narrower frame wraps the controls: a new, larger height is reported.
  await h.page.$eval('#f', (f) => { f.width = '340'; });
  await h.page.waitForFunction((before) => window.heights.at(-1) !== before, first.last);
  const narrow = await h.page.evaluate(() => window.heights.at(-1));
  t.diagnostic(`at 340 px: ${narrow}px`);
  assert.ok(narrow > first.last, `taller when narrower (${narrow} > ${first.last})`);
  assert.deepEqual(h.errors, []);
  await h.context.close();
});

test('theme=dark: a dark frame on a dark blog (no white box), charts in dark colours', async () => {
  const h = await host('v=2&embed=1&theme=dark', { background: '#111318' });
  const look = await h.frame.evaluate(() => {
    const c = document.getElementById('chart-policy');
    const d = c.getContext('2d').getImageData(2, 2, 1, 1).data;
    return {
      theme: document.documentElement.getAttribute('data-theme'),
      html: getComputedStyle(document.documentElement).backgroundColor,
      body: getComputedStyle(document.body).backgroundColor,
      chartCorner: [d[0], d[1], d[2]],
    };
  });
  assert.equal(look.theme, 'dark');
  const rgb = (s) => s.match(/\d+/g).slice(0, 3).map(Number);
  assert.ok(luminance(rgb(look.body)) < 40, `dark page (${look.body})`);
  assert.ok(luminance(look.chartCorner) < 40, `dark chart (${look.chartCorner})`);
  assert.ok(luminance(rgb(look.html)) < 40, `dark root, so no white box around the content (${look.html})`);
  await h.page.screenshot({ path: join(artifactsDir(), 'host-dark-embed.png') });
  // A light default (theme=light) on the same dark host is the reader's choice, not a bug:
  const light = await host('v=2&embed=1&theme=light', { background: '#111318' });
  const lightBody = await light.frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.ok(luminance(rgb(lightBody)) > 200, `theme=light stays light (${lightBody})`);
  await light.context.close();
  await h.context.close();
});

test('theme=auto follows the reader: a dark colour scheme gives a dark page', async () => {
  const context = await site.browser.newContext({ colorScheme: 'dark', viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await page.goto(site.url('v=2'));
  await waitReady(page);
  const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.ok(luminance(body.match(/\d+/g).slice(0, 3).map(Number)) < 40, body);
  await context.close();
});

test('controls= names the controls an embed shows; the default shows α and β', async () => {
  const visible = (frame, ids) => frame.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const el = document.getElementById(id);
    const r = el.getBoundingClientRect();
    return [id, getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0 && el.closest('[data-control]').offsetParent !== null];
  })), ids);
  const ids = ['alpha', 'beta', 'lam', 'eta', 'T', 'speed', 'N'];
  const d = await host('v=2&embed=1');
  assert.deepEqual(await visible(d.frame, ids), { alpha: true, beta: true, lam: false, eta: false, T: false, speed: false, N: false });
  const c = await host('v=2&embed=1&controls=lam,eta,N');
  assert.deepEqual(await visible(c.frame, ids), { alpha: false, beta: false, lam: true, eta: true, T: false, speed: false, N: true });
  // The shown controls work inside the frame.
  await c.frame.fill('#lam-num', '0.5');
  await c.frame.press('#lam-num', 'Enter');
  await c.frame.waitForFunction(() => window.prefdyn.state().config.params.lam === 0.5);
  const q = await c.frame.evaluate(() => window.prefdyn.state().query);
  assert.match(q, /controls=lam,eta,N/, 'the link keeps the controls');
  // A bad key is named; the embed keeps its default controls.
  const bad = await host('v=2&embed=1&controls=alpha,zeta');
  assert.match(await bad.frame.textContent('#messages'), /controls.*'zeta' is not a URL key/s);
  await d.context.close();
  await c.context.close();
  await bad.context.close();
});
