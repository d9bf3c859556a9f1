// Controls → URL → results; back/forward; play/pause/step from the keyboard.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Q, TOL, closeClean, compareResults, diffSnapshot, engine, engineBinary, moveSlider, openPage, pageNumbers, params,
  setControl, snapshot, startSite,
} from './helpers.mjs';

let site;
before(async () => {
  engineBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

function assertEngine(label, results, search) {
  const cmp = compareResults(results, engine(search).results);
  assert.deepEqual(cmp.mismatches, [], `${label}: structure vs engine`);
  assert.ok(cmp.maxDiff <= TOL, `${label}: differs from the engine by ${cmp.maxDiff} at ${cmp.maxPath}`);
  return cmp.maxDiff;
}

const round = async (page) => {
  const text = (await page.textContent('#round-out')).trim();
  const m = /round (\d+) of (\d+)/.exec(text);
  assert.ok(m, `#round-out reads "${text}"`);
  return { t: Number(m[1]), of: Number(m[2]) };
};

test('(c) moving the α slider changes the URL and the results', async (t) => {
  const h = await openPage(site, Q.cyclic);
  const before = await pageNumbers(h.page);
  const len0 = await h.page.evaluate(() => history.length);
  // Dragging: `input` only → the URL is replaced, no new history entry.
  await moveSlider(h.page, 'alpha', 0.42, ['input']);
  const dragging = await pageNumbers(h.page);
  assert.equal(params(dragging.search).alpha, '0.42', `URL while dragging: ${dragging.search}`);
  assert.equal(await h.page.evaluate(() => history.length), len0, 'input events replace the history entry');
  assert.equal(await h.page.inputValue('#alpha-num'), '0.42', 'the exact-value box next to the slider');
  // Release at another value.
  await moveSlider(h.page, 'alpha', 0.35, ['input', 'change']);
  const after = await pageNumbers(h.page);
  assert.equal(params(after.search).alpha, '0.35', `URL after release: ${after.search}`);
  assert.equal(after.search, `?${after.query}`);
  const { alpha, ...rest } = params(after.search);
  const { alpha: alpha0, ...rest0 } = params(before.search);
  assert.deepEqual(rest, rest0, 'only alpha changed in the URL');
  assert.notDeepEqual(after.results.dynamics.final_policy, before.results.dynamics.final_policy, 'the final policy changed');
  assert.notEqual(after.results.dynamics.rho, before.results.dynamics.rho, 'ρ changed');
  t.diagnostic(`ρ ${before.results.dynamics.rho} → ${after.results.dynamics.rho}; max |page − engine| ${assertEngine('after slider', after.results, after.search)}`);
  await closeClean(h);
});

test('(c) releasing a slider adds one history entry; Back undoes the drag', async () => {
  const h = await openPage(site, Q.cyclic);
  const before = await pageNumbers(h.page);
  const len0 = await h.page.evaluate(() => history.length);
  await moveSlider(h.page, 'alpha', 0.3, ['input']);
  await moveSlider(h.page, 'alpha', 0.35, ['input']);
  await moveSlider(h.page, 'alpha', 0.35, ['change']);
  const after = await pageNumbers(h.page);
  assert.equal(params(after.search).alpha, '0.35');
  const len1 = await h.page.evaluate(() => history.length);
  assert.equal(len1, len0 + 1, `a drag released with \`change\` should push one entry (history.length ${len0} → ${len1})`);
  await h.page.goBack();
  await h.page.waitForFunction((q) => location.search === q, before.search, { timeout: 3000 });
  const back = await pageNumbers(h.page);
  assert.equal(back.query, before.query, 'Back restores the state before the drag');
  assert.deepEqual(back.results, before.results);
  await closeClean(h);
});

test('(c) a fast drag writes the address a few times, not at every move; its release writes the last value', async () => {
  const h = await openPage(site, Q.cyclic);
  await h.page.evaluate(() => {
    window.__writes = 0;
    for (const name of ['replaceState', 'pushState']) {
      const original = history[name].bind(history);
      history[name] = (...args) => { window.__writes += 1; return original(...args); };
    }
  });
  const t0 = Date.now();
  for (let i = 0; i < 30; i++) await moveSlider(h.page, 'alpha', 0.3 + 0.01 * i, ['input']);
  const took = Date.now() - t0;
  const writes = await h.page.evaluate(() => window.__writes);
  // One write, then at most one per 250 ms of dragging.
  assert.ok(writes >= 1 && writes <= 1 + Math.ceil(took / 250), `${writes} history writes in a ${took} ms drag of 30 moves`);
  await moveSlider(h.page, 'alpha', 0.59, ['change']);
  const after = await pageNumbers(h.page);
  assert.equal(params(after.search).alpha, '0.59', `URL after release: ${after.search}`);
  assert.equal(after.search, `?${after.query}`);
  await closeClean(h);
});

test('(c) arrow keys on a focused slider move that slider', async () => {
  const h = await openPage(site, Q.cyclic);
  // α: a linear slider, one step of 0.01 per key.
  await h.page.focus('#alpha');
  const a0 = Number(await h.page.$eval('#alpha', (el) => el.value));
  await h.page.keyboard.press('ArrowRight');
  await h.page.waitForTimeout(50);
  const a1 = Number(await h.page.$eval('#alpha', (el) => el.value));
  assert.ok(Math.abs(a1 - (a0 + 0.01)) < 1e-9, `#alpha ${a0} → ${a1} after ArrowRight (WAI-ARIA slider keys)`);
  assert.equal(params(await h.page.evaluate(() => location.search)).alpha, String(Math.round((a0 + 0.01) * 100) / 100));
  // β spans orders of magnitude: its slider stops at round values (…, 4, 5, 6, …), one per key.
  await h.page.focus('#beta');
  const stops = (await h.page.$eval('#beta', (el) => el.dataset.stops)).split(',').map(Number);
  const b0 = Number(await h.page.$eval('#beta', (el) => el.value));
  assert.equal(stops[b0], 5, `the slider stands at β = 5 (stop ${b0} of ${stops.join(',')})`);
  await h.page.keyboard.press('ArrowRight');
  await h.page.waitForTimeout(50);
  const b1 = Number(await h.page.$eval('#beta', (el) => el.value));
  const search = await h.page.evaluate(() => location.search);
  assert.equal(b1, b0 + 1, `#beta ${b0} → ${b1} after ArrowRight`);
  assert.equal(Number(params(search).beta), 6, `URL β is the next stop: ${search}`);
  assert.equal(await h.page.inputValue('#beta-num'), params(search).beta, '#beta-num shows β');
  assert.equal(await h.page.$eval('#beta', (el) => el.getAttribute('aria-valuetext')), params(search).beta);
  await closeClean(h);
});

test('(e) back/forward restore earlier states (two discrete controls)', async (t) => {
  const h = await openPage(site, Q.cyclic);
  const s0 = await pageNumbers(h.page);
  await setControl(h.page, 'seed', 7);
  await h.page.waitForFunction(() => new URLSearchParams(location.search).get('seed') === '7');
  const s1 = await pageNumbers(h.page);
  await setControl(h.page, 'solver', 'dpo');
  await h.page.waitForFunction(() => new URLSearchParams(location.search).get('solver') === 'dpo');
  const s2 = await pageNumbers(h.page);
  assert.equal(params(s1.search).seed, '7');
  assert.equal(params(s2.search).seed, '7');
  assert.notDeepEqual(s1.results.matrix.P, s0.results.matrix.P, 'a new seed draws a new matrix');
  assert.notDeepEqual(s2.results.dynamics?.final_policy, s1.results.dynamics?.final_policy, 'DPO runs differently');
  let maxDiff = 0;
  for (const s of [s0, s1, s2]) maxDiff = Math.max(maxDiff, assertEngine(s.search, s.results, s.search));

  const expectState = async (label, s, controls) => {
    await h.page.waitForFunction((q) => location.search === q, s.search, { timeout: 3000 }).catch(() => {});
    const now = await pageNumbers(h.page);
    assert.equal(now.search, s.search, `${label}: URL`);
    assert.equal(now.query, s.query, `${label}: state().query`);
    assert.deepEqual(now.results, s.results, `${label}: results`);
    for (const [id, value] of Object.entries(controls)) {
      assert.equal(await h.page.$eval(`#${id}`, (el) => el.value), value, `${label}: #${id}`);
    }
  };
  await h.page.goBack();
  await expectState('back 1', s1, { seed: '7', solver: 'ipo' });
  await h.page.goBack();
  await expectState('back 2', s0, { seed: '3', solver: 'ipo', alpha: '0.5', lam: '0.7' });
  await h.page.goForward();
  await expectState('forward 1', s1, { seed: '7', solver: 'ipo' });
  await h.page.goForward();
  await expectState('forward 2', s2, { seed: '7', solver: 'dpo' });
  t.diagnostic(`max |page − engine| over the three states: ${maxDiff}`);
  await closeClean(h);
});

test('(i) Space plays and pauses, ArrowRight/Left step one round, buttons too', async (t) => {
  const h = await openPage(site, `${Q.cyclic}&speed=30`);
  const { page } = h;
  const r0 = await round(page);
  assert.deepEqual(r0, { t: 200, of: 200 }, 'a link opens on the last round');
  await snapshot(page, 'chart-policy', 'end');
  await page.keyboard.press('Space');
  assert.equal((await page.textContent('#play')).trim(), 'Pause', '#play reads Pause while playing');
  await page.waitForTimeout(700);
  const r1 = await round(page);
  assert.ok(r1.t > 0 && r1.t < 200, `playing from round 0: after 0.7 s at 30 rounds/s, round ${r1.t}`);
  await page.keyboard.press('Space');
  const paused = await round(page);
  assert.equal((await page.textContent('#play')).trim(), 'Play');
  await page.waitForTimeout(400);
  const still = await round(page);
  assert.equal(still.t, paused.t, 'paused: the round does not move');
  const d = await diffSnapshot(page, 'chart-policy', 'end');
  t.diagnostic(`paused at round ${paused.t}; ${(100 * d.share).toFixed(1)}% of the policy chart differs from the full run`);
  assert.ok(d.share > 0.001, 'the policy chart shows the partial trajectory');
  await page.keyboard.press('ArrowRight');
  assert.equal((await round(page)).t, paused.t + 1, 'ArrowRight: one round forward');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await round(page)).t, paused.t + 1, 'ArrowLeft: one round back');
  await page.click('#step');
  assert.equal((await round(page)).t, paused.t + 2, '#step: one round forward');
  await page.click('#reset');
  assert.equal((await round(page)).t, 0, '#reset: round 0');
  await page.click('#play');
  await page.waitForTimeout(300);
  assert.ok((await round(page)).t > 0, '#play starts playing');
  await page.click('#play');
  // Playback does not change the configuration or the numbers.
  const n = await pageNumbers(page);
  assertEngine('after playback', n.results, n.search);
  await closeClean(h);
});
