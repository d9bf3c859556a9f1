// The phase diagram: the page's grid equals the native CLI's, the ρ = 1 boundary is drawn
// where ρ crosses 1, progress and cancel work, the page stays responsive during a big
// sweep, hover shows a cell's numbers, a click opens the cell in Dynamics, bad phase
// parameters are named and clamped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TOL, cli, cliBinary, closeClean, compareJson, compareResults, engine, engineBinary, moveSlider, openPage, pageNumbers,
  params, phaseCellPoint, phasePlotRect, sig, startSite, waitPhaseDone, assertRhoFiniteOrNoFixedPoint,
} from './helpers.mjs';

let site;
before(async () => {
  engineBinary();
  cliBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const SMALL = 'v=2&view=phase&nx=12&ny=10&en=4&pT=100';
/** The same grid restricted to βλ ≤ 1.5, where every cell has ρ < 1 (no boundary). */
const SMALL_STABLE = 'v=2&view=phase&nx=12&ny=10&en=4&pT=100&x1=0.8&y1=1.5';
const BIG = 'v=2&view=phase&nx=96&ny=96&en=64&pT=600';

const phaseOf = (page) => page.evaluate(() => window.prefdyn.results().phase);

/**
 * Compares the page's phase grid and ρ with the CLI's. Returns `{grid, rho}` comparisons;
 * `cells` lists every cell beyond TOL with its numbers and ρ (oscillating when ρ > 1).
 */
function comparePhase(pagePhase, cliPhase) {
  const grid = compareJson(pagePhase.grid, cliPhase.grid);
  const rho = compareJson(pagePhase.rho, cliPhase.rho);
  const g = cliPhase.grid;
  const cells = [];
  for (let i = 0; i < g.mean.length; i++) {
    const dm = Math.abs(pagePhase.grid.mean[i] - g.mean[i]);
    const ds = Math.abs(pagePhase.grid.sd[i] - g.sd[i]);
    const dr = Math.abs(pagePhase.rho[i] - cliPhase.rho[i]);
    if (!(dm <= TOL && ds <= TOL && dr <= TOL)) {
      const [ix, iy] = [i % g.nx, Math.floor(i / g.nx)];
      cells.push({ ix, iy, x: g.x_values[ix], y: g.y_values[iy], page: [pagePhase.grid.mean[i], pagePhase.grid.sd[i], pagePhase.rho[i]], cli: [g.mean[i], g.sd[i], cliPhase.rho[i]], oscillating: cliPhase.rho[i] > 1 });
    }
  }
  return { grid, rho, cells };
}

test(`a small grid (?${SMALL}) completes and equals the CLI's grid and ρ`, async (t) => {
  const h = await openPage(site, SMALL);
  await waitPhaseDone(h.page);
  const pg = await pageNumbers(h.page);
  const ref = cli(SMALL);
  assert.equal(pg.query, ref.query, 'canonical query (page vs CLI)');
  assert.ok(ref.phase, 'the CLI computes the phase diagram for view=phase');
  const ph = pg.phase;
  assert.equal(ph.done, true);
  assert.equal(ph.running, false);
  assert.equal(ph.cancelled, false);
  assert.equal(ph.error, null);
  assert.equal(ph.progress, 1);
  assert.ok(ph.millis > 0 && ph.boundary_millis >= ph.millis, `timings ${ph.millis} / ${ph.boundary_millis} ms`);
  assert.equal(ph.grid.nx, 12);
  assert.equal(ph.grid.ny, 10);
  assert.equal(ph.grid.mean.length, 120);
  assert.equal(ph.rho.length, ph.grid.mean.length, 'ρ has one value per cell');
  assert.equal(ref.phase.rho.length, ref.phase.grid.mean.length);
  assert.ok([...ph.grid.mean, ...ph.grid.sd].every(Number.isFinite), 'every cell computed (finite)');
  assertRhoFiniteOrNoFixedPoint(ph);
  const cmp = comparePhase(ph, ref.phase);
  t.diagnostic(`grid max |page − CLI| = ${cmp.grid.maxDiff.toExponential(3)} (${cmp.grid.maxPath}); ρ max |page − CLI| = ${cmp.rho.maxDiff.toExponential(3)} (${cmp.rho.maxPath})`);
  if (cmp.cells.length) t.diagnostic(`cells beyond ${TOL}: ${JSON.stringify(cmp.cells)}`);
  assert.deepEqual(cmp.grid.mismatches, [], 'grid structure');
  assert.deepEqual(cmp.rho.mismatches, [], 'ρ structure');
  assert.deepEqual(cmp.cells, [], `cells differing by more than ${TOL} (see diagnostics; "oscillating" marks ρ > 1)`);
  // The grid is not trivial: the variance grows towards large α and βλ, ρ crosses 1.
  assert.ok(ph.grid.mean.at(-1) > 100 * Math.max(ph.grid.mean[0], 1e-12), `var top-right ${ph.grid.mean.at(-1)} ≫ bottom-left ${ph.grid.mean[0]}`);
  assert.ok(ph.rho.some((r) => r > 1) && ph.rho.some((r) => r < 1), 'ρ on both sides of 1');
  const status = await h.page.textContent('#phase-status');
  assert.match(status, /12×10 cells × 4 matrices × T = 100/, `#phase-status: ${status}`);
  assert.equal(await h.page.$eval('#phase-progress', (el) => el.value), 1, '#phase-progress full');
  await closeClean(h);
});

/**
 * Pure-white pixels inside the plot area (the ρ = 1 line is white; the heatmap's colours
 * never are), and whether each lies on a cell edge between ρ < 1 and ρ ≥ 1; and, for
 * each such edge, whether white pixels are found on it.
 */
async function boundaryPixels(page, rect, rho) {
  return page.evaluate(([rect, rho]) => {
    const c = document.getElementById('chart-phase');
    const s = c.width / c.getBoundingClientRect().width;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const { nx, ny } = rect;
    const side = (ix, iy) => rho[iy * nx + ix] >= 1;
    // A cell without a fixed point (ρ null, α = 1) borders nothing.
    const sep = (a, b) => rho[a] !== null && rho[b] !== null && (rho[a] >= 1) !== (rho[b] >= 1);
    const white = (x, y) => {
      const p = 4 * (y * c.width + x);
      return data[p] === 255 && data[p + 1] === 255 && data[p + 2] === 255;
    };
    const [x0, x1, y0, y1] = [rect.left * s, rect.right * s, rect.top * s, rect.bottom * s];
    const [cw, ch] = [rect.cellW * s, rect.cellH * s];
    const near = 3 * s;
    let whiteCount = 0;
    let onEdge = 0;
    const stray = [];
    for (let y = Math.ceil(y0 + 2); y < Math.floor(y1 - 2); y++) {
      for (let x = Math.ceil(x0 + 2); x < Math.floor(x1 - 2); x++) {
        if (!white(x, y)) continue;
        whiteCount++;
        const fx = (x + 0.5 - x0) / cw;
        const fy = (y + 0.5 - y0) / ch;
        const col = Math.min(nx - 1, Math.floor(fx));
        const row = Math.min(ny - 1, Math.floor(fy));
        const iy = ny - 1 - row;
        let ok = false;
        const ex = Math.round(fx);
        if (ex >= 1 && ex <= nx - 1 && Math.abs(fx - ex) * cw <= near) ok ||= sep(iy * nx + ex - 1, iy * nx + ex);
        const ey = Math.round(fy);
        if (ey >= 1 && ey <= ny - 1 && Math.abs(fy - ey) * ch <= near) ok ||= sep((ny - ey) * nx + col, (ny - 1 - ey) * nx + col);
        if (ok) onEdge++;
        else if (stray.length < 10) stray.push([x, y]);
      }
    }
    // Every separating edge carries white pixels (probe along its middle third).
    const edges = [];
    const found = (xa, xb, ya, yb) => {
      for (let y = Math.floor(ya); y <= Math.ceil(yb); y++) for (let x = Math.floor(xa); x <= Math.ceil(xb); x++) if (white(x, y)) return true;
      return false;
    };
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const top = y0 + (ny - 1 - iy) * ch;
        if (ix + 1 < nx && sep(iy * nx + ix, iy * nx + ix + 1)) {
          const ex = x0 + (ix + 1) * cw;
          edges.push({ ix, iy, dir: 'v', drawn: found(ex - near, ex + near, top + ch / 3, top + (2 * ch) / 3) });
        }
        if (iy + 1 < ny && sep(iy * nx + ix, (iy + 1) * nx + ix)) {
          const left = x0 + ix * cw;
          edges.push({ ix, iy, dir: 'h', drawn: found(left + cw / 3, left + (2 * cw) / 3, top - near, top + near) });
        }
      }
    }
    return { whiteCount, onEdge, stray, edges: edges.length, missing: edges.filter((e) => !e.drawn) };
  }, [rect, rho]);
}

test('the ρ = 1 boundary is drawn in white exactly between cells on either side of ρ = 1', async (t) => {
  const h = await openPage(site, SMALL);
  await waitPhaseDone(h.page);
  const ph = await phaseOf(h.page);
  assert.ok(ph.rho.some((r) => r >= 1) && ph.rho.some((r) => r < 1), 'this grid has cells on both sides of ρ = 1');
  const rect = await phasePlotRect(h.page);
  t.diagnostic(`plot area (CSS px in the canvas): x ${rect.left}–${rect.right}, y ${rect.top}–${rect.bottom}; cell ${rect.cellW.toFixed(2)}×${rect.cellH.toFixed(2)}`);
  const b = await boundaryPixels(h.page, rect, ph.rho);
  t.diagnostic(`white pixels in the plot ${b.whiteCount}, on a ρ = 1 edge ${b.onEdge}; separating edges ${b.edges}, without white ${b.missing.length}`);
  assert.ok(b.edges > 0, 'there are cell edges separating ρ < 1 from ρ ≥ 1');
  assert.ok(b.whiteCount > 20, `the boundary is drawn (${b.whiteCount} white pixels inside the plot)`);
  assert.deepEqual(b.missing, [], 'every separating edge is drawn');
  assert.ok(b.onEdge >= 0.95 * b.whiteCount, `white pixels off the boundary: ${b.whiteCount - b.onEdge}, e.g. ${JSON.stringify(b.stray)}`);
  await closeClean(h);
  // A grid entirely below ρ = 1 has no boundary.
  const s = await openPage(site, SMALL_STABLE);
  await waitPhaseDone(s.page);
  const ps = await phaseOf(s.page);
  assert.ok(ps.rho.every((r) => r < 1), `every ρ < 1 for βλ ≤ 1.5 (max ${Math.max(...ps.rho)})`);
  const rs = await phasePlotRect(s.page);
  const bs = await boundaryPixels(s.page, rs, ps.rho);
  t.diagnostic(`stable grid: ${bs.whiteCount} white pixels in the plot`);
  assert.equal(bs.whiteCount, 0, 'no boundary when no cell reaches ρ = 1');
  await closeClean(s);
});

/** `#phase-progress` value and results().phase summary. */
const progressOf = (page) => page.evaluate(() => {
  const p = window.prefdyn.results().phase;
  const mean = p.grid ? p.grid.mean : [];
  return {
    bar: Number(document.getElementById('phase-progress').value),
    progress: p.progress,
    running: p.running,
    cancelled: p.cancelled,
    done: p.done,
    nan: mean.filter((v) => v === null || Number.isNaN(v)).length,
    finite: mean.filter((v) => typeof v === 'number' && Number.isFinite(v)).length,
    status: document.getElementById('phase-status').textContent,
  };
});

/** requestAnimationFrame callbacks in one second, and the longest gap between two. */
const countFrames = (page) => page.evaluate(() => new Promise((resolve) => {
  let n = 0;
  let maxGap = 0;
  const t0 = performance.now();
  let last = t0;
  const f = (ts) => {
    n++;
    maxGap = Math.max(maxGap, ts - last);
    last = ts;
    if (performance.now() - t0 < 1000) requestAnimationFrame(f);
    else resolve({ n, maxGap, ms: performance.now() - t0 });
  };
  requestAnimationFrame(f);
}));

test(`a big grid (?${BIG}) shows increasing progress; Cancel stops it and keeps the cells done`, async (t) => {
  const h = await openPage(site, BIG);
  const samples = [await progressOf(h.page)];
  for (let i = 0; i < 3; i++) {
    await h.page.waitForTimeout(400);
    samples.push(await progressOf(h.page));
  }
  t.diagnostic(`#phase-progress: ${samples.map((s) => s.bar).join(' → ')}`);
  for (let i = 1; i < samples.length; i++) {
    assert.ok(samples[i].bar > samples[i - 1].bar, `progress increases: ${samples[i - 1].bar} → ${samples[i].bar}`);
    assert.equal(samples[i].running, true, 'results().phase.running while computing');
  }
  assert.match(samples.at(-1).status, /computing/, `#phase-status while running: ${samples.at(-1).status}`);
  assert.ok(samples.at(-1).bar < 0.9, 'the big grid is far from done (the test would be meaningless otherwise)');
  await h.page.click('#phase-cancel');
  const c0 = await progressOf(h.page);
  await h.page.waitForTimeout(600);
  const c1 = await progressOf(h.page);
  t.diagnostic(`after Cancel: running ${c0.running}, cancelled ${c0.cancelled}, cells done ${c0.finite}, NaN ${c0.nan}; bar ${c0.bar} → ${c1.bar} after 600 ms; status "${c0.status}"`);
  assert.equal(c0.running, false, 'running false after Cancel');
  assert.equal(c0.cancelled, true, 'cancelled true after Cancel');
  assert.equal(c0.done, false);
  assert.ok(!(c1.bar > c0.bar), `progress stops increasing (${c0.bar} → ${c1.bar})`);
  assert.equal(c1.finite, c0.finite, 'no more cells computed after Cancel');
  assert.ok(c0.finite > 0, 'some cells computed (finite)');
  assert.ok(c0.nan > 0, 'some cells not computed (NaN)');
  assert.equal(c0.finite + c0.nan, 96 * 96);
  assert.match(c0.status, /cancel/i, `#phase-status says cancelled: ${c0.status}`);
  await closeClean(h);
});

test('after Cancel the progress bar keeps the share of cells done (not reset to 0)', async (t) => {
  const h = await openPage(site, BIG);
  await h.page.waitForTimeout(800);
  const before = await progressOf(h.page);
  await h.page.click('#phase-cancel');
  const after = await progressOf(h.page);
  t.diagnostic(`before Cancel: bar ${before.bar}, results().phase.progress ${before.progress}; after: bar ${after.bar}, progress ${after.progress}, ${after.finite} of ${96 * 96} cells done`);
  assert.ok(before.bar > 0);
  assert.ok(after.finite > 0);
  assert.ok(after.progress >= before.progress, `results().phase.progress after Cancel (${after.progress}) ≥ before (${before.progress})`);
  assert.ok(after.bar >= before.bar, `#phase-progress after Cancel (${after.bar}) ≥ before (${before.bar}): the bar should show the ${after.finite} cells kept`);
  await closeClean(h);
});

// Responsiveness is measured by the browser benchmark (tests/bench); here only that the page
// answers while the sweep runs: calls return before it ends, frames keep coming.
test('the page stays responsive during a big sweep: API calls return and frames are drawn while it runs', async (t) => {
  const h = await openPage(site, BIG);
  await h.page.waitForTimeout(300);
  const p0 = await progressOf(h.page);
  assert.equal(p0.running, true, 'the sweep is running');
  const timings = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const inPage = await h.page.evaluate((alpha) => {
      const a = performance.now();
      window.prefdyn.setState({ alpha });
      const b = performance.now();
      document.getElementById('step').click();
      return { setState: b - a, step: performance.now() - b, search: location.search };
    }, [0.4, 0.45, 0.4][i]);
    timings.push({ roundTrip: Date.now() - t0, ...inPage });
    assert.match(inPage.search, new RegExp(`(^\\?|&)alpha=${[0.4, 0.45, 0.4][i]}(&|$)`), 'setState applied');
    await h.page.waitForTimeout(150);
  }
  t.diagnostic(`setState / #step click / round trip (ms): ${timings.map((x) => `${x.setState.toFixed(1)} / ${x.step.toFixed(1)} / ${x.roundTrip}`).join('; ')}`);
  const mid = await progressOf(h.page);
  assert.equal(mid.running, true, 'every call returned while the sweep was still running');
  const before = await progressOf(h.page);
  const frames = await countFrames(h.page);
  const afterFrames = await progressOf(h.page);
  t.diagnostic(`${frames.n} animation frames in ${frames.ms.toFixed(0)} ms (longest gap ${frames.maxGap.toFixed(1)} ms); progress ${before.bar} → ${afterFrames.bar} meanwhile`);
  assert.equal(afterFrames.running, true, 'the sweep was still running while frames were counted');
  assert.ok(afterFrames.bar > before.bar, 'the sweep progressed while frames were counted');
  assert.ok(frames.n >= 2, `frames kept coming during the sweep (${frames.n} in 1 s)`);
  await h.page.click('#phase-cancel');
  await closeClean(h);
});

test('dragging the α slider during a big sweep keeps the frame rate (one sweep replaces the other)', async (t) => {
  // Each `input` event restarts the sweep (α is one of its inputs). The restarted sweep
  // must replace the running one, not add a second animation-frame loop next to it.
  const h = await openPage(site, BIG);
  await h.page.waitForTimeout(300);
  const calm = await countFrames(h.page);
  const values = Array.from({ length: 12 }, (_, i) => (0.3 + 0.01 * i).toFixed(2));
  for (const v of values) await moveSlider(h.page, 'alpha', v, ['input']);
  await moveSlider(h.page, 'alpha', values.at(-1), ['change']);
  assert.equal(params(await h.page.evaluate(() => location.search)).alpha, values.at(-1), 'the drag reached the URL');
  const p0 = await progressOf(h.page);
  assert.equal(p0.running, true, 'the restarted sweep is running');
  const dragged = await countFrames(h.page);
  t.diagnostic(`frames in 1 s: ${calm.n} before the drag (longest gap ${calm.maxGap.toFixed(0)} ms), ${dragged.n} after ${values.length} input events (longest gap ${dragged.maxGap.toFixed(0)} ms)`);
  // Relative to the same page before the drag (the machine's speed cancels out).
  assert.ok(dragged.n >= Math.max(2, calm.n / 2), `${dragged.n} frames/s after a ${values.length}-step drag (was ${calm.n}; longest frame gap ${dragged.maxGap.toFixed(0)} ms)`);
  await h.page.click('#phase-cancel');
  await closeClean(h);
});

/** Parses `#phase-hover`: "α = X, βλ = Y: var = M ± S; mean ρ = R" (or "; no fixed point"). */
test('hovering over a cell shows its numbers', async (t) => {
  const h = await openPage(site, SMALL);
  await waitPhaseDone(h.page);
  const ph = await phaseOf(h.page);
  const rect = await phasePlotRect(h.page);
  const g = ph.grid;
  for (const [ix, iy] of [[9, 7], [2, 1], [11, 9]]) {
    const pt = await phaseCellPoint(h.page, rect, ix, iy);
    await h.page.mouse.move(pt.x, pt.y);
    const text = await h.page.textContent('#phase-hover');
    const i = iy * g.nx + ix;
    t.diagnostic(`cell (${ix}, ${iy}): "${text}"; grid mean ${g.mean[i]}, sd ${g.sd[i]}, ρ ${ph.rho[i]}`);
    const rho = ph.rho[i] === null ? '; no fixed point (α = 1)' : `; mean ρ = ${sig(ph.rho[i])}`;
    assert.equal(text, `α = ${sig(g.x_values[ix])}, βλ = ${sig(g.y_values[iy])}: V = ${sig(g.mean[i])} ± ${sig(g.sd[i])}${rho}`);
    if (ph.rho[i] === null) assert.equal(g.x_values[ix], 1, 'no fixed point only at α = 1');
    // The readout is a tooltip at the cell.
    const tip = await h.page.$eval('#phase-hover', (el) => el.getBoundingClientRect().toJSON());
    assert.ok(Math.abs(tip.x - pt.x) < 320 && tip.y - pt.y > 0 && tip.y - pt.y < 40, `the tooltip sits at the cell: ${JSON.stringify(tip)} vs ${JSON.stringify(pt)}`);
  }
  await closeClean(h);
});

/** Tour step 8's plane on a coarser grid: rock–paper–scissors, verdict metric, T = 1,000. */
const VERDICT = 'v=2&view=phase&lam=0.8&pi0=0.34,0.33,0.33&nx=11&y1=6&ny=9&metric=verdict&ens=current&pT=1000';

test('cells where most runs collapse are drawn in their own colour and say so', async (t) => {
  const h = await openPage(site, VERDICT);
  await waitPhaseDone(h.page);
  const ph = await phaseOf(h.page);
  const g = ph.grid;
  // The engine's share collapsed equals the CLI's.
  const c = cli(VERDICT);
  assert.deepEqual(ph.collapsed, c.phase.collapsed, 'the share collapsed per cell equals the CLI\'s');
  const mostly = (i) => ph.collapsed[i] > g.mean[i] && ph.collapsed[i] > 1 - g.mean[i] - ph.collapsed[i];
  const right = [...Array(g.ny).keys()].map((iy) => iy * g.nx + g.nx - 1);
  assert.ok(right.some(mostly), `at α = 1 some runs collapse: ${right.map((i) => ph.collapsed[i]).join(', ')}`);
  for (let i = 0; i < g.mean.length; i++) if (i % g.nx !== g.nx - 1) assert.equal(ph.collapsed[i], 0, `cell ${i}: α < 1 does not collapse`);
  const rect = await phasePlotRect(h.page);
  const colours = await h.page.evaluate(([rect, nx, ny]) => {
    const cv = document.getElementById('chart-phase');
    const s = cv.width / cv.getBoundingClientRect().width;
    const ctx = cv.getContext('2d');
    const out = [];
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        // A point a quarter into the cell, away from the ρ = 1 line along cell edges.
        const x = Math.round((rect.left + (ix + 0.3) * rect.cellW) * s);
        const y = Math.round((rect.top + (ny - 1 - iy + 0.3) * rect.cellH) * s);
        out[iy * nx + ix] = [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
      }
    }
    return out;
  }, [rect, g.nx, g.ny]);
  const COLLAPSES = [196, 78, 82];
  const isCollapses = (rgb) => rgb.every((v, k) => Math.abs(v - COLLAPSES[k]) <= 2);
  for (let i = 0; i < g.mean.length; i++) {
    assert.equal(isCollapses(colours[i]), mostly(i), `cell ${i} (α = ${g.x_values[i % g.nx]}): ${colours[i]} with ${ph.collapsed[i]} collapsed, ${g.mean[i]} oscillating`);
  }
  // The tooltip says it in words.
  const top = right.filter(mostly).pop();
  const pt = await phaseCellPoint(h.page, rect, g.nx - 1, Math.floor(top / g.nx));
  await h.page.mouse.move(pt.x, pt.y);
  const text = await h.page.textContent('#phase-hover');
  t.diagnostic(`α = 1 cell: "${text}"`);
  assert.match(text, /: collapsed in 100 % of runs; no fixed point/);
  await closeClean(h);
});

/** prefdyn::phase::member_pi0_seed(seed, m). */
function memberPi0Seed(seed, m) {
  const mask = (1n << 64n) - 1n;
  const v = ((BigInt(seed) + BigInt(m)) * 0x9e3779b97f4a7c15n) & mask;
  return ((v << 17n) | (v >> 47n)) & mask;
}

test('clicking a cell opens it in Dynamics with the cell’s parameters', async (t) => {
  const h = await openPage(site, SMALL);
  await waitPhaseDone(h.page);
  const before = await pageNumbers(h.page);
  const ph = before.phase;
  const cfg = await h.page.evaluate(() => window.prefdyn.state().config);
  const rect = await phasePlotRect(h.page);
  const [ix, iy] = [9, 7];
  const len0 = await h.page.evaluate(() => history.length);
  const pt = await phaseCellPoint(h.page, rect, ix, iy);
  await h.page.mouse.click(pt.x, pt.y);
  await h.page.waitForFunction((s) => location.search !== s, before.search, { timeout: 3000 });
  const after = await pageNumbers(h.page);
  const u = params(after.search);
  t.diagnostic(`cell (${ix}, ${iy}) x=${ph.grid.x_values[ix]} βλ=${ph.grid.y_values[iy]} → ${after.search}`);
  assert.equal(await h.page.evaluate(() => history.length), len0 + 1, 'the click pushes one history entry');
  assert.equal(after.search, `?${after.query}`, 'canonical URL');
  const st = await h.page.evaluate(() => window.prefdyn.state().config);
  assert.equal(st.view, 'dynamics', 'view = dynamics');
  assert.equal(u.view, undefined, 'view=dynamics is the default, omitted from the URL');
  // α from the x axis, β = βλ/λ from the y axis (quantised to 6 decimals in the link).
  const lam = cfg.params.lam;
  assert.ok(Math.abs(Number(u.alpha) - ph.grid.x_values[ix]) <= 5e-7, `alpha=${u.alpha} vs x_values[${ix}] = ${ph.grid.x_values[ix]}`);
  assert.ok(Math.abs(Number(u.beta ?? 3) - ph.grid.y_values[iy] / lam) <= 5e-7, `beta=${u.beta} vs βλ/λ = ${ph.grid.y_values[iy] / lam}`);
  assert.ok(Math.abs(st.params.alpha - ph.grid.x_values[ix]) <= 5e-7);
  assert.ok(Math.abs(st.params.beta * st.params.lam - ph.grid.y_values[iy]) <= 5e-6, 'βλ of the new state');
  assert.equal(st.params.lam, lam, 'λ unchanged');
  // The ensemble's first matrix: gen=FAMILY&k&s&seed=ESEED, pi0 = its Dirichlet seed.
  const ens = cfg.phase.ensemble;
  assert.ok(ens && ens.family, `a family ensemble: ${JSON.stringify(ens)}`);
  assert.equal(st.matrix.kind, 'generated', 'a generated matrix');
  assert.deepEqual([st.matrix.family, st.matrix.k, st.matrix.param, st.matrix.seed], [ens.family, ens.k, ens.param, ens.seed], 'the matrix is the ensemble’s first member');
  assert.equal(u.gen, 'cyclic', 'gen = the ensemble family');
  assert.equal(u.k, String(ens.k), 'k = the ensemble K');
  assert.equal(Number(u.s ?? 0.5), ens.param, 's = the ensemble strength');
  assert.equal(u.seed ?? '1', String(ens.seed), 'seed = the ensemble seed');
  assert.equal(u.pi0, `dir${memberPi0Seed(ens.seed, 0)}`, 'π₀ = the first member’s Dirichlet draw');
  assert.equal(Number(u.T ?? 150), cfg.phase.rounds, 'T = the phase diagram’s rounds');
  // The run is the engine's for the new URL.
  const en = engine(after.search);
  assert.deepEqual(en.issues, []);
  assert.equal(en.query, after.query);
  const cmp = compareResults(after.results, en.results);
  t.diagnostic(`Dynamics after the click: verdict ${after.results.dynamics.verdict}, ρ ${after.results.dynamics.rho}; max |page − engine| ${cmp.maxDiff.toExponential(3)} (${cmp.maxPath})`);
  assert.deepEqual(cmp.mismatches, []);
  assert.ok(cmp.maxDiff <= TOL, `Results differ by ${cmp.maxDiff} at ${cmp.maxPath}`);
  assert.equal(after.results.matrix.k, ens.k);
  await closeClean(h);
});

test('bad phase parameters are named, clamped, and the grid still computes', async (t) => {
  const q = 'v=2&view=phase&nx=500&px=zzz&ens=nope&ny=4&en=2&pT=50';
  const h = await openPage(site, q);
  const en = engine(q);
  assert.deepEqual(en.issues.map((i) => i.field).sort(), ['ens', 'nx', 'px'], 'the engine names nx, px, ens');
  const shown = await h.page.evaluate(() => ({
    hidden: document.getElementById('messages').hidden,
    items: [...document.querySelectorAll('#messages li[data-field]')].map((li) => ({ field: li.dataset.field, text: li.textContent })),
  }));
  assert.equal(shown.hidden, false, '#messages visible');
  for (const f of ['nx', 'px', 'ens']) {
    const li = shown.items.find((i) => i.field === f);
    assert.ok(li, `#messages has li[data-field=${f}]`);
    assert.ok(li.text.includes(f), `the message names ${f}: ${li.text}`);
  }
  t.diagnostic(shown.items.map((i) => i.text).join(' | '));
  assert.equal(await h.page.$eval('#nx', (el) => el.value), '128', '#nx shows the clamped value');
  assert.equal(await h.page.$eval('#px', (el) => el.value), 'alpha', '#px keeps the default axis');
  await waitPhaseDone(h.page);
  const pg = await pageNumbers(h.page);
  assert.equal(pg.query, en.query);
  assert.equal(pg.phase.grid.nx, 128);
  assert.equal(pg.phase.grid.ny, 4);
  assert.ok(pg.phase.grid.mean.every(Number.isFinite), 'every cell computed');
  assertRhoFiniteOrNoFixedPoint(pg.phase);
  const ref = cli(en.query);
  const cmp = comparePhase(pg.phase, ref.phase);
  t.diagnostic(`clamped grid ${en.query}: max |page − CLI| grid ${cmp.grid.maxDiff.toExponential(3)}, ρ ${cmp.rho.maxDiff.toExponential(3)}`);
  assert.deepEqual(cmp.cells, [], 'the clamped grid equals the CLI’s');
  await closeClean(h);
});

test('the worker pool computes exactly the grid the page computes alone, and Cancel stops every worker', async (t) => {
  const q = 'v=2&view=phase&nx=16&ny=12&en=6&pT=200&x1=1&y1=6';
  const h = await openPage(site, q);
  const run = async (n) => {
    await h.page.evaluate((n) => window.prefdyn.phaseWorkers(n), n);
    await waitPhaseDone(h.page, 60000);
    return phaseOf(h.page);
  };
  const alone = await run(0);
  assert.equal(alone.workers, 0);
  for (const n of [1, 2, 3]) {
    const pool = await run(n);
    assert.equal(pool.workers, n, `${n} workers`);
    // Bit for bit: JSON numbers are the shortest exact representation of each f64.
    assert.deepEqual(pool.grid, alone.grid, `${n} workers: the grid`);
    assert.deepEqual(pool.rho, alone.rho, `${n} workers: ρ`);
  }
  t.diagnostic(`${q}: page alone ${alone.millis.toFixed(0)} ms; with workers identical`);
  // A big sweep on the pool: Cancel stops it at once, and nothing arrives afterwards.
  await h.page.evaluate(() => window.prefdyn.phaseWorkers(null));
  await h.page.evaluate(() => window.prefdyn.setState({ nx: 96, ny: 96, en: 64, pT: 600 }));
  await h.page.waitForFunction(() => window.prefdyn.results().phase.progress > 0.02, null, { timeout: 30000, polling: 50 });
  await h.page.click('#phase-cancel');
  const stopped = await phaseOf(h.page);
  await new Promise((r) => setTimeout(r, 600));
  const later = await phaseOf(h.page);
  assert.equal(stopped.running, false);
  assert.equal(later.progress, stopped.progress, 'no cell arrives after Cancel');
  assert.ok(stopped.workers >= 1, `the sweep ran on ${stopped.workers} workers`);
  await closeClean(h);
});
