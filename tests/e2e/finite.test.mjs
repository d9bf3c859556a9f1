// Finite samples (issue 11): N labelled pairs per round, R realisations. The page computes
// them in slices, draws each faintly around its mean path and the population run, lists
// each verdict, and reports the same numbers as the native engine; bad N and R are named
// and clamped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  canvasStats, closeClean, compareResults, engine, openPage, pageNumbers, setControl, startSite, waitFiniteDone,
} from './helpers.mjs';

/** The paper's first observation: 32 realisations of an oscillating RPS run, out of phase. */
const OSC = 'v=2&alpha=0.95&beta=2&lam=0.8&pi0=0.34,0.33,0.33&T=300&N=256&R=32';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

test('32 realisations oscillate out of phase and their mean path looks calm; page = engine', async () => {
  const h = await openPage(site, OSC);
  await waitFiniteDone(h.page);
  const { results } = await pageNumbers(h.page);
  const f = results.finite;
  assert.equal(f.realisations, 32);
  assert.equal(f.pairs, 256);
  assert.equal(f.runs.length, 32);
  const s = f.summary;
  assert.equal(s.oscillating, 32, 'every realisation keeps oscillating');
  assert.ok(s.mean_path_variance < 0.2 * s.variance.mean, `mean path V ${s.mean_path_variance} vs runs ${s.variance.mean}`);
  const pop = results.dynamics.variance;
  for (const r of f.runs) assert.ok(r.variance < 2 * pop && r.variance > pop / 2, `run ${r.index}: V ${r.variance} vs population ${pop}`);
  // The same numbers as the native engine (the realisations' draws are identical).
  const all = compareResults(results, engine(OSC).results);
  assert.deepEqual(all.mismatches, []);
  assert.ok(all.maxDiff <= 1e-9, `largest difference ${all.maxDiff} at ${all.maxPath}`);
  // The table lists every realisation, and the summary says what the numbers say.
  assert.equal(await h.page.locator('#finite-table tbody tr').count(), 32);
  const status = await h.page.locator('#finite-status').textContent();
  assert.match(status, /32 oscillating/);
  // The faint realisations draw many more distinct colours than the population run alone.
  const withSamples = await canvasStats(h.page, 'chart-policy');
  const h2 = await openPage(site, OSC.replace('&N=256&R=32', ''));
  const alone = await canvasStats(h2.page, 'chart-policy');
  assert.ok(withSamples.distinct > alone.distinct * 2, `${withSamples.distinct} vs ${alone.distinct} colours`);
  // The same link gives the same pixels.
  const h3 = await openPage(site, OSC);
  await waitFiniteDone(h3.page);
  assert.equal((await canvasStats(h3.page, 'chart-policy')).hash, withSamples.hash);
  for (const x of [h, h2, h3]) await closeClean(x);
});

test('strong transitivity: the population collapses while the realisations spread', async () => {
  const q = 'v=2&gen=rated_sst&k=4&seed=2&alpha=0.95&beta=2&lam=1&pi0=uniform&T=150&N=8&R=32';
  const h = await openPage(site, q);
  await waitFiniteDone(h.page);
  const { results } = await pageNumbers(h.page);
  const s = results.finite.summary;
  assert.ok(results.dynamics.final_entropy < 0.05, `population H ${results.dynamics.final_entropy}`);
  assert.ok(s.final_entropy.sd > 0.05, `spread of H(π_T) across realisations: ${s.final_entropy.sd}`);
  assert.ok(s.final_entropy.max - s.final_entropy.min > 0.2);
  await closeClean(h);
});

test('bad N and R are named and clamped; N = inf is the population dynamics', async () => {
  const h = await openPage(site, 'v=2&N=0&R=999');
  const { state } = await pageNumbers(h.page);
  const fields = state.issues.map((i) => i.field).sort();
  assert.deepEqual(fields, ['N', 'R']);
  assert.equal(state.config.sampling.pairs, 1);
  assert.equal(state.config.sampling.realisations, 256);
  const messages = await h.page.locator('#messages').textContent();
  assert.match(messages, /N/);
  assert.match(messages, /clamped/);
  // Typing ∞ (an empty box) goes back to the population dynamics.
  await setControl(h.page, 'N', '');
  const after = await pageNumbers(h.page);
  assert.equal(after.results.finite, null);
  assert.ok(!after.query.includes('N='), after.query);
  assert.equal(await h.page.locator('#finite-box').isHidden(), true);
  await closeClean(h);
});

test('a slider change while the realisations compute restarts them for the new run', async () => {
  const q = 'v=2&gen=cyclic&k=10&s=0.4&seed=3&alpha=0.9&beta=3&lam=1&T=300&N=256&R=64';
  const h = await openPage(site, q);
  await h.page.evaluate(() => window.prefdyn.setState({ alpha: 0.5 }));
  await waitFiniteDone(h.page, 60000);
  const { results, query } = await pageNumbers(h.page);
  assert.match(query, /alpha=0.5/);
  const en = engine(query).results.finite;
  assert.equal(results.finite.summary.variance.mean, en.summary.variance.mean);
  assert.equal(results.finite.runs.length, 64);
  await closeClean(h);
});

test('the realisations computed by the worker pool are those computed on the page, bit for bit (IPO and DPO)', async (t) => {
  for (const q of [OSC, 'v=2&solver=dpo&gen=cyclic&k=5&s=0.4&seed=3&alpha=0.9&beta=3&lam=0.8&T=120&N=16&R=24']) {
    const h = await openPage(site, q);
    await waitFiniteDone(h.page);
    const pool = await h.page.evaluate(() => window.prefdyn.results());
    // The same run on the page alone (phaseWorkers(0): no workers for background jobs).
    await h.page.evaluate(() => window.prefdyn.phaseWorkers(0));
    await h.page.waitForFunction(() => {
      const p = window.prefdyn.results().finite_progress;
      return p.workers === 0 && !p.running && window.prefdyn.results().finite;
    }, null, { timeout: 60000, polling: 50 });
    const page = await h.page.evaluate(() => window.prefdyn.results());
    t.diagnostic(`${q}: ${pool.finite_progress.workers} workers ${pool.finite_progress.millis?.toFixed(0)} ms; page ${page.finite_progress.millis?.toFixed(0)} ms; stopped ${pool.finite.summary.stopped}`);
    assert.ok(pool.finite_progress.workers > 0, 'the first run used the worker pool');
    assert.deepEqual(pool.finite, page.finite, 'bit for bit');
    assert.equal(await h.page.evaluate(() => window.prefdyn.hasPanicked()), false);
    await closeClean(h);
  }
});
