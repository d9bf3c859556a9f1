// Fixes made with the web crate's split into sections (issue 9): a listener may call the API,
// playback redraws only the dynamics charts, a phase axis's own slider does not restart the
// sweep, and every change redraws only the sections it invalidates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Q, closeClean, moveLogSlider, moveSlider, openPage, startSite, waitPhaseDone } from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** Counts drawing calls per canvas id (installed before the page's script runs). */
const COUNT_DRAWS = () => {
  window.__draws = {};
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['fillRect', 'fill', 'stroke', 'fillText', 'putImageData', 'drawImage']) {
    const orig = proto[name];
    proto[name] = function (...args) {
      const id = this.canvas && this.canvas.id;
      if (id) window.__draws[id] = (window.__draws[id] || 0) + 1;
      return orig.apply(this, args);
    };
  }
};
const draws = (page) => page.evaluate(() => ({ ...window.__draws }));
const changed = (a, b) => Object.keys({ ...a, ...b }).filter((id) => (a[id] || 0) !== (b[id] || 0)).sort();

test('an onUpdate listener may call state() and setState() without breaking the page', async () => {
  const h = await openPage(site, Q.cyclic);
  const out = await h.page.evaluate(() => {
    const seen = [];
    window.prefdyn.onUpdate((r) => {
      const s = window.prefdyn.state();
      seen.push([s.query, r.dynamics.final_entropy]);
      // The first update asks for one more change from inside the listener.
      if (seen.length === 1) window.prefdyn.setState({ eta: 0.5 });
    });
    window.prefdyn.setState({ beta: 4 });
    return { seen, panicked: window.prefdyn.hasPanicked(), query: window.prefdyn.state().query };
  });
  assert.equal(out.panicked, false, 'no internal error');
  assert.equal(out.seen.length, 2, `two updates: ${JSON.stringify(out.seen)}`);
  assert.match(out.seen[0][0], /(^|&)beta=4(&|$)/);
  assert.match(out.query, /(^|&)beta=4(&|$)/);
  assert.match(out.query, /(^|&)eta=0\.5(&|$)/, 'the listener’s own change applied');
  assert.equal(await h.page.$eval('#panic', (el) => el.hidden), true);
  await closeClean(h);
});

test('playback redraws the dynamics charts only', async () => {
  const h = await openPage(site, `${Q.cyclic}&speed=120&nx=6&ny=5&en=2&pT=50`, { init: COUNT_DRAWS });
  await waitPhaseDone(h.page);
  const d0 = await draws(h.page);
  await h.page.click('#play');
  await h.page.waitForTimeout(800);
  await h.page.click('#play');
  const d1 = await draws(h.page);
  const ids = changed(d0, d1);
  assert.ok(ids.includes('chart-policy'), `the policy chart is redrawn while playing: ${ids}`);
  assert.deepEqual(ids.filter((id) => !['chart-policy', 'chart-entropy', 'chart-simplex'].includes(id)), [], `only dynamics charts redrawn: ${ids}`);
  await closeClean(h);
});

test('a change redraws only the sections it invalidates', async () => {
  const h = await openPage(site, `${Q.cyclic}&view=phase&nx=6&ny=5&en=2&pT=50`, { init: COUNT_DRAWS });
  await waitPhaseDone(h.page);
  const cases = [
    ['eps', 0.3, ['chart-oneshot']],
    ['lam', 0.6, ['chart-entropy', 'chart-phase', 'chart-policy']],
  ];
  for (const [id, value, expected] of cases) {
    const d0 = await draws(h.page);
    await moveSlider(h.page, id, value);
    await waitPhaseDone(h.page);
    await h.page.waitForTimeout(100);
    const ids = changed(d0, await draws(h.page));
    assert.deepEqual(ids, expected, `moving ${id}: redrawn ${ids}`);
  }
  await closeClean(h);
});

test('moving a parameter that a phase axis sets does not restart the sweep; others do', async () => {
  const h = await openPage(site, 'v=2&view=phase&nx=8&ny=6&en=2&pT=80');
  await waitPhaseDone(h.page);
  const millis = () => h.page.evaluate(() => window.prefdyn.results().phase.millis);
  const m0 = await millis();
  // α is the x axis and β is set by the βλ axis: the diagram does not depend on them.
  await moveSlider(h.page, 'alpha', 0.3);
  await moveLogSlider(h.page, 'beta', 5);
  await h.page.waitForTimeout(200);
  const ph = await h.page.evaluate(() => window.prefdyn.results().phase);
  assert.equal(ph.done, true, 'still done');
  assert.equal(ph.millis, m0, 'the same sweep (not restarted)');
  // λ is not an axis: the sweep restarts.
  await moveSlider(h.page, 'lam', 0.5);
  await waitPhaseDone(h.page);
  const m1 = await millis();
  assert.notEqual(m1, m0, 'a new sweep for λ');
  await closeClean(h);
});
