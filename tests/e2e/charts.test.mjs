// Canvases: drawn (not blank), showing the numbers (series colours, heatmap colours),
// different for different configurations, crisp on high-DPI, responsive, dark mode;
// screenshots for people.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  Q, artifactsDir, assertDrawn, canvasStats, closeClean, diffSnapshot, luminance, openPage, parseCssColour,
  snapshot, startSite, waitReady,
} from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** Tableau 10: the colour of response i (prefdyn::charts::series_colour). */
const SERIES = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

/** prefdyn::charts::diverging, for checking the heatmap's cells. */
function diverging(v) {
  v = Math.min(1, Math.max(0, v));
  const lo = [59, 76, 192];
  const hi = [180, 4, 38];
  const mid = [242, 242, 242];
  const [a, b, t] = v < 0.5 ? [lo, mid, v / 0.5] : [mid, hi, (v - 0.5) / 0.5];
  // Rust's f64::round rounds half away from zero; all values here are positive.
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

/** Pixels of canvas `id` within `tol` (per channel) of each colour. */
async function colourCounts(page, id, colours, tol = 6) {
  return page.evaluate(([id, colours, tol]) => {
    const c = document.getElementById(id);
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const counts = colours.map(() => 0);
    for (let p = 0; p < data.length; p += 4) {
      for (let k = 0; k < colours.length; k++) {
        const [r, g, b] = colours[k];
        if (Math.abs(data[p] - r) <= tol && Math.abs(data[p + 1] - g) <= tol && Math.abs(data[p + 2] - b) <= tol) counts[k]++;
      }
    }
    return counts;
  }, [id, colours, tol]);
}

test('(b) every chart is drawn; the simplex only for K = 3', async (t) => {
  const h = await openPage(site, Q.cyclic);
  for (const id of ['chart-matrix', 'chart-policy', 'chart-entropy']) {
    const s = await canvasStats(h.page, id);
    t.diagnostic(`${id}: ${s.width}×${s.height}, ${s.distinct} colours, ${(100 * s.nonBgShare).toFixed(1)}% non-background`);
    assert.ok(s.visible, `${id} visible`);
    assertDrawn(s);
  }
  assert.equal(await h.page.$eval('#simplex-box', (el) => el.hidden || getComputedStyle(el).display === 'none'), true, 'no simplex for K = 5');
  // K = 3 (the default rock-paper-scissors link): the simplex too.
  await h.page.goto(site.url(''));
  await waitReady(h.page);
  const k = await h.page.evaluate(() => window.prefdyn.results().matrix.k);
  assert.equal(k, 3);
  const simplex = await canvasStats(h.page, 'chart-simplex');
  assert.ok(simplex.visible, '#chart-simplex visible for K = 3');
  assertDrawn(simplex, { minShare: 0.002 });
  await closeClean(h);
});

test('(b) the policy chart has one line per response, the heatmap the colours of P', async () => {
  const h = await openPage(site, Q.cyclic);
  const r = await h.page.evaluate(() => window.prefdyn.results());
  const k = r.matrix.k;
  const counts = await colourCounts(h.page, 'chart-policy', SERIES.slice(0, k));
  counts.forEach((n, i) => assert.ok(n >= 20, `series ${i} (${r.matrix.labels[i]}, rgb ${SERIES[i]}) has ${n} pixels on #chart-policy`));
  const cells = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) cells.push({ i, j, v: r.matrix.P[i][j], rgb: diverging(r.matrix.P[i][j]) });
  const cellCounts = await colourCounts(h.page, 'chart-matrix', cells.map((c) => c.rgb), 2);
  cells.forEach((c, n) => assert.ok(cellCounts[n] >= 30, `heatmap cell P[${c.i}][${c.j}] = ${c.v} (rgb ${c.rgb}): ${cellCounts[n]} pixels`));
  await closeClean(h);
});

test('(b) two configurations draw different policy charts', async (t) => {
  const a = await openPage(site, Q.cyclic);
  const b = await openPage(site, Q.preset);
  const [sa, sb] = [await canvasStats(a.page, 'chart-policy'), await canvasStats(b.page, 'chart-policy')];
  assert.equal(sa.width, sb.width, 'same viewport, same canvas size');
  assert.notEqual(sa.hash, sb.hash, 'different pixels');
  const [ua, ub] = [await a.page.$eval('#chart-policy', (c) => c.toDataURL()), await b.page.$eval('#chart-policy', (c) => c.toDataURL())];
  assert.notEqual(ua, ub, 'different toDataURL');
  // In one page: a parameter change redraws the chart.
  await snapshot(a.page, 'chart-policy', 'before');
  await a.page.evaluate(() => window.prefdyn.setState({ alpha: 1, beta: 9, lam: 0 }));
  const d = await diffSnapshot(a.page, 'chart-policy', 'before');
  t.diagnostic(`setState changed ${(100 * d.share).toFixed(1)}% of #chart-policy`);
  assert.ok(d.sameSize && d.share > 0.005, `the chart was redrawn (${d.differing} pixels differ)`);
  await closeClean(a);
  await closeClean(b);
});

test('(k) high-DPI: backing store = 2 × CSS size with deviceScaleFactor 2', async (t) => {
  const h = await openPage(site, Q.cyclic, { deviceScaleFactor: 2 });
  assert.equal(await h.page.evaluate(() => devicePixelRatio), 2);
  for (const id of ['chart-policy', 'chart-entropy', 'chart-matrix']) {
    const s = await canvasStats(h.page, id);
    t.diagnostic(`${id}: css ${s.cssWidth}×${s.cssHeight}, backing ${s.width}×${s.height}`);
    assert.ok(Math.abs(s.width - 2 * s.cssWidth) <= 1, `${id}: width ${s.width} vs 2 × ${s.cssWidth}`);
    assert.ok(Math.abs(s.height - 2 * s.cssHeight) <= 1, `${id}: height ${s.height} vs 2 × ${s.cssHeight}`);
    assertDrawn(s);
  }
  // After a resize the backing store follows.
  await h.page.setViewportSize({ width: 900, height: 800 });
  await h.page.waitForTimeout(150);
  const s = await canvasStats(h.page, 'chart-policy');
  assert.ok(Math.abs(s.width - 2 * s.cssWidth) <= 1, `after resize: width ${s.width} vs 2 × ${s.cssWidth}`);
  assertDrawn(s);
  await closeClean(h);
});

test('(l) responsive: no horizontal scrollbar at 360×700, charts still drawn', async (t) => {
  const h = await openPage(site, Q.cyclic, { viewport: { width: 360, height: 700 } });
  const m = await h.page.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && getComputedStyle(el).position !== 'fixed')
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, wide };
  });
  t.diagnostic(`scrollWidth ${m.scrollWidth}, clientWidth ${m.clientWidth}`);
  assert.ok(m.scrollWidth <= 361, `horizontal overflow at 360 px: scrollWidth ${m.scrollWidth}; too wide: ${m.wide.join('; ')}`);
  for (const id of ['chart-matrix', 'chart-policy', 'chart-entropy']) {
    const s = await canvasStats(h.page, id);
    assert.ok(s.cssWidth <= 360, `${id} fits (${s.cssWidth} px)`);
    assertDrawn(s);
  }
  await closeClean(h);
});

test('(m) dark mode: dark page and dark chart backgrounds; light mode light', async (t) => {
  const read = async (h) => h.page.evaluate(() => {
    const c = document.getElementById('chart-policy');
    const px = c.getContext('2d').getImageData(2, 2, 1, 1).data;
    return { body: getComputedStyle(document.body).backgroundColor, html: getComputedStyle(document.documentElement).backgroundColor, text: getComputedStyle(document.body).color, canvas: [px[0], px[1], px[2], px[3]] };
  });
  const dark = await openPage(site, Q.cyclic, { colorScheme: 'dark' });
  const light = await openPage(site, Q.cyclic, { colorScheme: 'light' });
  const [d, l] = [await read(dark), await read(light)];
  t.diagnostic(`dark: body ${d.body}, text ${d.text}, canvas ${d.canvas}; light: body ${l.body}, canvas ${l.canvas}`);
  const [db, lb] = [parseCssColour(d.body), parseCssColour(l.body)];
  assert.ok(luminance(db) < 60, `dark body background ${d.body}`);
  assert.ok(luminance(parseCssColour(d.text)) > 150, `light text in dark mode ${d.text}`);
  assert.ok(luminance(d.canvas) < 60 && d.canvas[3] === 255, `dark chart background ${d.canvas}`);
  assert.ok(luminance(lb) > 200, `light body background ${l.body}`);
  assert.ok(luminance(l.canvas) > 200 && l.canvas[3] === 255, `light chart background ${l.canvas}`);
  for (const id of ['chart-policy', 'chart-matrix', 'chart-entropy']) assertDrawn(await canvasStats(dark.page, id));
  await dark.page.screenshot({ path: join(artifactsDir(), 'dark-1280x800.png') });
  await closeClean(dark);
  await closeClean(light);
});

test('screenshots at 1280×800 and 375×700 (tests/artifacts/)', async (t) => {
  const dir = artifactsDir();
  for (const [w, hgt] of [[1280, 800], [375, 700]]) {
    const h = await openPage(site, Q.cyclic, { viewport: { width: w, height: hgt } });
    const path = join(dir, `playground-${w}x${hgt}.png`);
    await h.page.screenshot({ path });
    await h.page.screenshot({ path: join(dir, `playground-${w}x${hgt}-full.png`), fullPage: true });
    t.diagnostic(path);
    await closeClean(h);
  }
});
