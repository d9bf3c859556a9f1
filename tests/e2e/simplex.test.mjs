// The K = 3 phase portrait (issue: "Simplex as a phase portrait"): arrows of the MRS map's
// step F(π) − π on a lattice coloured by speed, the fixed point filled when ρ < 1 and hollow
// when ρ > 1, one trajectory per start; a click on the triangle adds a start to the link
// (`starts`), an edge click is nudged inside, "Clear starts" removes them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  closeClean, compareJson, engine, luminance, openPage, pageNumbers, params, setControl, startSite,
} from './helpers.mjs';

/** ρ < 1 (ρ ≈ 0.586): every run converges to the attracting fixed point. */
const CALM = 'v=2&gen=rps&k=3&view=dynamics&alpha=0.5&beta=2&lam=0.8';
/** ρ > 1 (3-cycle: α² + s²β²λ²/3 ≈ 1.12): the fixed point repels, the runs cycle. */
const WILD = 'v=2&gen=rps&k=3&view=dynamics&alpha=0.95&beta=2&lam=0.8';

/** The stops of the charts' sequential map (prefdyn_charts::sequential). */
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function sequential(t) {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  return STOPS[i].map((a, c) => Math.round(a + (STOPS[i + 1][c] - a) * f));
}
/** The arrows' scale: speed s of max → sequential(0.1 + 0.8 s/max), sampled. */
const SPEED_SCALE = Array.from({ length: 81 }, (_, i) => ({ t: i / 80, rgb: sequential(0.1 + 0.8 * (i / 80)) }));

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** The simplex's vertices in CSS pixels (`data-vertices`), the canvas box and its pixel ratio. */
async function geometry(page) {
  return page.$eval('#chart-simplex', (c) => {
    c.scrollIntoView({ block: 'center' });
    const r = c.getBoundingClientRect();
    const v = (c.getAttribute('data-vertices') || '').split(',').map(Number);
    return { verts: [[v[0], v[1]], [v[2], v[3]], [v[4], v[5]]], box: { x: r.x, y: r.y, w: r.width, h: r.height }, ratio: c.width / r.width };
  });
}

/** CSS pixel of a point of Δ₃: Σ π_i v_i. */
function pixel(g, p) {
  return [0, 1].map((d) => p[0] * g.verts[0][d] + p[1] * g.verts[1][d] + p[2] * g.verts[2][d]);
}

/** Clicks the point p of Δ₃ (or any CSS offset [x, y] when `css` is set) on the canvas. */
async function clickAt(page, p, css = null) {
  const g = await geometry(page);
  const [x, y] = css || pixel(g, p);
  await page.mouse.click(g.box.x + x, g.box.y + y);
}

/** Mean colour of the (2r+1)² backing pixels around CSS point [x, y], and the corner (background). */
async function colourAt(page, [x, y], r = 1) {
  return page.evaluate(([x, y, r]) => {
    const c = document.getElementById('chart-simplex');
    const k = c.width / c.getBoundingClientRect().width;
    const [cx, cy] = [Math.round(x * k), Math.round(y * k)];
    const d = c.getContext('2d').getImageData(cx - r, cy - r, 2 * r + 1, 2 * r + 1).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let j = 0; j < 3; j++) sum[j] += d[i + j];
    const bg = c.getContext('2d').getImageData(1, c.height - 2, 1, 1).data;
    return { rgb: sum.map((s) => s / (d.length / 4)), bg: [bg[0], bg[1], bg[2]] };
  }, [x, y, r]);
}

/** Pixels strictly inside the triangle (barycentric > 2%) near a colour of the speed scale, by scale position. */
async function arrowColours(page) {
  const g = await geometry(page);
  return page.evaluate(([verts, scale]) => {
    const c = document.getElementById('chart-simplex');
    const k = c.width / c.getBoundingClientRect().width;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const [[x0, y0], [x1, y1], [x2, y2]] = verts.map(([x, y]) => [x * k, y * k]);
    const det = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    const hits = new Map();
    let total = 0;
    for (let py = 0; py < c.height; py++) {
      for (let px = 0; px < c.width; px++) {
        const b1 = ((px - x0) * (y2 - y0) - (py - y0) * (x2 - x0)) / det;
        const b2 = ((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)) / det;
        if (b1 < 0.02 || b2 < 0.02 || 1 - b1 - b2 < 0.02) continue;
        const i = 4 * (py * c.width + px);
        const s = scale.find(({ rgb }) => Math.abs(data[i] - rgb[0]) <= 3 && Math.abs(data[i + 1] - rgb[1]) <= 3 && Math.abs(data[i + 2] - rgb[2]) <= 3);
        if (s) {
          total++;
          hits.set(s.t, (hits.get(s.t) || 0) + 1);
        }
      }
    }
    return { total, positions: [...hits.keys()].sort((a, b) => a - b) };
  }, [g.verts, SPEED_SCALE]);
}

test('ρ < 1: the fixed point is a filled disc, the arrows are coloured by speed; page = engine', async () => {
  const h = await openPage(site, CALM);
  const { results } = await pageNumbers(h.page);
  const d = results.dynamics;
  assert.ok(d.rho < 1, `ρ = ${d.rho}`);
  const pt = d.portrait;
  assert.equal(pt.fixed_point_filled, true);
  assert.equal(pt.fixed_point_filled, d.rho < 1, 'filled exactly when ρ < 1');
  assert.equal(pt.lattice_points, 105);
  assert.deepEqual(pt.starts, []);
  assert.ok(pt.max_speed > 0.5 && pt.min_speed > 0 && pt.min_speed < pt.max_speed / 10, `speeds ${pt.min_speed}..${pt.max_speed}`);
  // The native engine reports the same portrait.
  const e = engine(CALM).results.dynamics.portrait;
  const cmp = compareJson(pt, e);
  assert.deepEqual(cmp.mismatches, []);
  assert.ok(cmp.maxDiff <= 1e-9, `largest difference ${cmp.maxDiff} at ${cmp.maxPath}`);
  // Pixels: the disc at π* is filled with the foreground (dark on the light page).
  const g = await geometry(h.page);
  const centre = await colourAt(h.page, pixel(g, d.fixed_point));
  assert.ok(luminance(centre.rgb) < 80, `disc centre ${centre.rgb} is dark (filled)`);
  assert.ok(luminance(centre.bg) > 200, `background ${centre.bg}`);
  // The arrows: many pixels of the speed scale, from slow to fast.
  const arrows = await arrowColours(h.page);
  assert.ok(arrows.total > 500, `${arrows.total} arrow pixels on the speed scale`);
  assert.ok(arrows.positions[0] < 0.35 && arrows.positions.at(-1) > 0.65, `scale positions ${arrows.positions}`);
  await closeClean(h);
});

test('ρ > 1: the fixed point is a hollow ring', async () => {
  const h = await openPage(site, WILD);
  const d = (await pageNumbers(h.page)).results.dynamics;
  assert.ok(d.rho > 1, `ρ = ${d.rho}`);
  assert.equal(d.portrait.fixed_point_filled, false);
  assert.equal(d.verdict, 'oscillating');
  const g = await geometry(h.page);
  const [x, y] = pixel(g, d.fixed_point);
  const centre = await colourAt(h.page, [x, y]);
  assert.ok(Math.max(...centre.rgb.map((v, i) => Math.abs(v - centre.bg[i]))) < 8, `ring centre ${centre.rgb} is the background ${centre.bg}`);
  // The ring itself (radius 6 CSS px, 2 px wide) is dark.
  let dark = 0;
  for (let a = 0; a < 8; a++) {
    const ring = await colourAt(h.page, [x + 6 * Math.cos((a * Math.PI) / 4), y + 6 * Math.sin((a * Math.PI) / 4)], 0);
    if (luminance(ring.rgb) < 120) dark++;
  }
  assert.ok(dark >= 6, `${dark} of 8 ring samples are dark`);
  const arrows = await arrowColours(h.page);
  assert.ok(arrows.total > 500, `${arrows.total} arrow pixels`);
  await closeClean(h);
});

test('a click on the triangle adds a start to the link and to results(); an edge click is nudged inside', async () => {
  const h = await openPage(site, CALM);
  const { page } = h;
  const before = await pageNumbers(page);
  assert.equal(params(before.search).starts, undefined);
  await clickAt(page, [0.2, 0.3, 0.5]);
  await page.waitForFunction(() => new URLSearchParams(location.search).has('starts'), null, { timeout: 5000 });
  let n = await pageNumbers(page);
  const url = params(n.search).starts.split(';').map((s) => s.split(',').map(Number));
  assert.equal(url.length, 1);
  url[0].forEach((v, i) => assert.ok(Math.abs(v - [0.2, 0.3, 0.5][i]) < 0.01, `start ${url[0]} from the click at (0.2, 0.3, 0.5)`));
  assert.deepEqual(n.state.config.starts, url, 'the configuration holds the link\'s start');
  const pt = n.results.dynamics.portrait;
  assert.equal(pt.starts.length, 1);
  pt.starts[0].forEach((v, i) => assert.ok(Math.abs(v - url[0][i] / url[0].reduce((a, b) => a + b)) < 1e-12));
  // ρ < 1: the new start's run converges to the same fixed point.
  assert.equal(pt.runs[0].verdict, 'converged');
  pt.runs[0].final_policy.forEach((v, i) => assert.ok(Math.abs(v - n.results.dynamics.fixed_point[i]) < 1e-9));
  // Its path is drawn in the first start colour (orange).
  const orange = await page.evaluate(() => {
    const c = document.getElementById('chart-simplex');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 255) <= 3 && Math.abs(data[i + 1] - 127) <= 3 && Math.abs(data[i + 2] - 14) <= 3) count++;
    return count;
  });
  assert.ok(orange > 30, `${orange} pixels of the start's colour`);
  // An edge click (on the B–C edge, and 2 px outside it) becomes a start strictly inside.
  const g = await geometry(page);
  const [bx, by] = pixel(g, [0, 0.5, 0.5]);
  await clickAt(page, null, [bx, by + 2]);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('starts').split(';').length === 2, null, { timeout: 5000 });
  n = await pageNumbers(page);
  const edge = n.results.dynamics.portrait.starts[1];
  assert.ok(Math.min(...edge) > 1e-3, `edge start ${edge} is strictly inside`);
  assert.ok(Math.abs(edge[0] - 0.002) < 1e-6, `nudged to the smallest coordinate 2e-3: ${edge}`);
  assert.ok(Math.abs(edge.reduce((a, b) => a + b) - 1) < 1e-12);
  const edgeUrl = params(n.search).starts.split(';')[1].split(',').map(Number);
  assert.ok(Math.min(...edgeUrl) > 1e-3, `the link carries the nudged start: ${edgeUrl}`);
  // A click far outside the triangle adds nothing.
  const search = n.search;
  await clickAt(page, null, [3, 3]);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => location.search), search);
  await closeClean(h);
});

test('Clear starts removes them; Back brings them back; bad starts are named', async () => {
  const q = `${CALM}&starts=0.7,0.2,0.1;0.1,0.1,0.8`;
  const h = await openPage(site, q);
  const { page } = h;
  let n = await pageNumbers(page);
  assert.equal(n.results.dynamics.portrait.starts.length, 2);
  assert.equal(await page.$eval('#starts', (el) => el.value), '0.7,0.2,0.1;0.1,0.1,0.8');
  assert.equal(await page.$eval('#starts-clear', (el) => el.disabled), false);
  await page.click('#starts-clear');
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('starts'), null, { timeout: 5000 });
  n = await pageNumbers(page);
  assert.deepEqual(n.results.dynamics.portrait.starts, []);
  assert.equal(await page.$eval('#starts-clear', (el) => el.disabled), true);
  await page.goBack();
  await page.waitForFunction(() => new URLSearchParams(location.search).has('starts'), null, { timeout: 5000 });
  assert.equal((await pageNumbers(page)).results.dynamics.portrait.starts.length, 2);
  // Typed into the box: one good and one bad point; the bad one is named and dropped.
  await setControl(page, 'starts', '0.2,0.3;0.3,0.3,0.4');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('starts') === '0.3,0.3,0.4', null, { timeout: 5000 });
  n = await pageNumbers(page);
  assert.ok(n.issues.some((i) => i.field === 'starts' && /point 1/.test(i.message)), JSON.stringify(n.issues));
  assert.equal(n.results.dynamics.portrait.starts.length, 1);
  await closeClean(h);
  // K ≠ 3: no portrait, the starts are cleared with a message naming them.
  const k5 = await openPage(site, 'v=2&gen=cyclic&k=5&starts=0.2,0.3,0.5');
  const m = await pageNumbers(k5.page);
  assert.equal(m.results.dynamics.portrait, null);
  assert.ok(m.issues.some((i) => i.field === 'starts'), JSON.stringify(m.issues));
  assert.ok(!('starts' in params(m.search)));
  await closeClean(k5);
});
