// The page computes what the engine computes: window.prefdyn.results() against the native
// `results` example, to 1e-9, for the issue's configurations, after a reload, through
// setState/onUpdate, and for bad URLs.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Q, TOL, allNumbers, artifactsDir, assertDrawn, canvasStats, closeClean, compareJson, compareResults, engine, engineBinary,
  engineView, keyFields, moveSlider, openPage, pageNumbers, sig, startSite, waitReady,
} from './helpers.mjs';

let site;
const summary = {};

before(async () => {
  engineBinary();
  site = await startSite();
});
after(async () => {
  writeFileSync(join(artifactsDir(), 'numbers.json'), JSON.stringify(summary, null, 2));
  await site?.close();
});

/** Compares page and engine numbers; records and reports the max difference. */
function assertSameNumbers(t, label, pageRes, engineRes) {
  const key = compareJson(keyFields(pageRes), keyFields(engineRes));
  const all = compareResults(pageRes, engineRes);
  summary[label] = { keyMaxDiff: key.maxDiff, keyMaxPath: key.maxPath, allMaxDiff: all.maxDiff, allMaxPath: all.maxPath, mismatches: all.mismatches, ties: all.ties };
  if (all.ties.length) t.diagnostic(`${label}: ties broken differently: ${all.ties.join('; ')}`);
  t.diagnostic(`${label}: max |page − engine| = ${key.maxDiff.toExponential(3)} (${key.maxPath}) on the issue's fields, ${all.maxDiff.toExponential(3)} (${all.maxPath}) on the whole Results`);
  assert.deepEqual(key.mismatches, [], `${label}: structural differences in the key fields`);
  assert.ok(key.maxDiff <= TOL, `${label}: key fields differ by ${key.maxDiff} at ${key.maxPath}`);
  assert.deepEqual(all.mismatches, [], `${label}: structural differences in Results`);
  assert.ok(all.maxDiff <= TOL, `${label}: Results differ by ${all.maxDiff} at ${all.maxPath}`);
}

describe('(a) page numbers equal the engine numbers', () => {
  for (const name of ['cyclic', 'preset', 'dpo']) {
    test(`${name}: ?${Q[name]}`, async (t) => {
      const h = await openPage(site, Q[name]);
      const pg = await pageNumbers(h.page);
      const en = engine(Q[name]);
      assert.equal(pg.query, en.query, 'canonical query');
      assert.equal(pg.search, `?${en.query}`, 'location.search is the canonical query');
      assert.deepEqual(pg.issues, en.issues, 'parse issues');
      assert.deepEqual(en.issues, [], 'the configuration is valid');
      assert.ok(en.results.dynamics, `the engine runs the dynamics (${en.results.dynamics_error})`);
      assert.ok(pg.results.dynamics, `the page runs the dynamics (${pg.results.dynamics_error})`);
      assertSameNumbers(t, name, pg.results, en.results);
      // What the page shows agrees with the numbers.
      const verdict = await h.page.$eval('#verdict', (el) => el.getAttribute('data-verdict'));
      assert.equal(verdict.replace(/ /g, '_'), en.results.dynamics.verdict, '#verdict data-verdict');
      const round = await h.page.textContent('#round-out');
      const T = await h.page.evaluate(() => window.prefdyn.state().config.rounds);
      assert.equal(T, Number(new URLSearchParams(en.query).get('T') || T));
      assert.equal(round.trim(), `round ${T} of ${T}`, '#round-out shows the last round');
      const messagesHidden = await h.page.$eval('#messages', (el) => el.hidden);
      assert.equal(messagesHidden, true, '#messages hidden for a valid link');
      if (name === 'preset') {
        const attribution = await h.page.textContent('#attribution');
        assert.match(attribution, /Source/, 'a preset shows its attribution');
        assert.equal(await h.page.$eval('#source', (el) => el.value), 'preset:chatbot_arena_2023may_5');
        assert.equal(en.results.matrix.k, 5);
      }
      if (name === 'dpo') assert.equal(await h.page.$eval('#solver', (el) => el.value), 'dpo');
      if (name === 'cyclic') {
        assert.equal(await h.page.$eval('#source', (el) => el.value), 'gen:cyclic');
        assert.equal(await h.page.$eval('#k', (el) => el.value), '5');
        assert.equal(await h.page.$eval('#seed', (el) => el.value), '3');
        assert.equal(await h.page.$eval('#alpha', (el) => el.value), '0.5');
        assert.equal(await h.page.$eval('#lam', (el) => el.value), '0.7');
      }
      await closeClean(h);
    });
  }
});

test('(a) one-shot rankings (properties.top) agree exactly between page and engine', async (t) => {
  // An argmax over a policy that is uniform up to rounding: wasm and native differ in the
  // last ulp, so a link's "top response" must not depend on it (ties need a tolerance).
  const h = await openPage(site, '');
  const bad = [];
  for (const name of ['cyclic', 'preset', 'dpo']) {
    await h.page.goto(site.url(Q[name]));
    await waitReady(h.page);
    const pg = await pageNumbers(h.page);
    const en = engine(Q[name]).results;
    pg.results.one_shot.forEach((p, i) => {
      const e = en.one_shot[i];
      if (p.properties.top !== e.properties.top) {
        bad.push(`${name} one_shot[${i}] "${p.label}": page top=${p.properties.top} (π=${JSON.stringify(p.policy)}), engine top=${e.properties.top} (π=${JSON.stringify(e.policy)})`);
      }
    });
  }
  if (bad.length) t.diagnostic(bad.join('\n'));
  assert.deepEqual(bad, [], 'the same top response on the page and in the engine/CLI');
  await closeClean(h);
});

test('(d) reloading a URL made by a control gives identical results', async (t) => {
  const h = await openPage(site, Q.cyclic);
  await moveSlider(h.page, 'alpha', 0.35);
  const before = await pageNumbers(h.page);
  assert.match(before.search, /(^\?|&)alpha=0\.35(&|$)/);
  await h.page.reload();
  await waitReady(h.page);
  const reloaded = await pageNumbers(h.page);
  assert.equal(reloaded.search, before.search, 'the URL survives the reload');
  assert.equal(reloaded.query, before.query);
  assert.deepEqual(reloaded.results, before.results, 'bit-identical results after reload');
  // The same URL in a fresh tab, and the engine on that URL.
  const fresh = await openPage(site, before.search);
  assert.deepEqual((await pageNumbers(fresh.page)).results, before.results, 'bit-identical results in a new tab');
  assertSameNumbers(t, 'reload', reloaded.results, engine(before.search).results);
  await closeClean(fresh);
  await closeClean(h);
});

test('(j) setState({alpha: 0.3}) updates the URL and calls onUpdate with the results', async (t) => {
  const h = await openPage(site, Q.cyclic);
  const out = await h.page.evaluate(() => {
    window.__updates = [];
    window.prefdyn.onUpdate((r) => window.__updates.push(r));
    const len0 = history.length;
    const s = window.prefdyn.setState({ alpha: 0.3 });
    return { returned: s, search: location.search, updates: window.__updates, results: window.prefdyn.results(), lenDelta: history.length - len0 };
  });
  assert.match(out.search, /(^\?|&)alpha=0\.3(&|$)/, `URL after setState: ${out.search}`);
  assert.equal(out.returned.config.params.alpha, 0.3, 'setState returns the new state');
  assert.equal(out.returned.query, out.search.slice(1));
  assert.ok(out.updates.length >= 1, 'onUpdate fired');
  assert.deepEqual(engineView(out.updates.at(-1)), engineView(out.results), 'onUpdate receives results()');
  assert.equal(out.lenDelta, 1, 'setState pushes one history entry');
  assertSameNumbers(t, 'setState alpha=0.3', engineView(out.results), engine(out.search).results);
  // The string form.
  const s2 = await h.page.evaluate(() => {
    // Counted from here: the phase diagram, computed in the background, also calls
    // onUpdate when it completes (at a time that depends on the machine).
    const n0 = window.__updates.length;
    window.prefdyn.setState('beta=3.5&lam=0.25');
    return { search: location.search, n: window.__updates.length - n0, last: window.__updates.at(-1), results: window.prefdyn.results() };
  });
  assert.match(s2.search, /(^\?|&)beta=3\.5(&|$)/);
  assert.match(s2.search, /(^\?|&)lam=0\.25(&|$)/);
  assert.match(s2.search, /(^\?|&)alpha=0\.3(&|$)/, 'earlier changes are kept');
  assert.equal(s2.n, 1, 'one more onUpdate call');
  assert.deepEqual(engineView(s2.last), engineView(s2.results));
  assertSameNumbers(t, 'setState beta=3.5&lam=0.25', engineView(s2.results), engine(s2.search).results);
  // A bad value through the API is reported, not thrown, and changes nothing else.
  const s3 = await h.page.evaluate(() => {
    const st = window.prefdyn.setState({ eta: 'oops' });
    return { issues: st.issues, search: location.search, hidden: document.getElementById('messages').hidden };
  });
  assert.deepEqual(s3.issues.map((i) => i.field), ['eta']);
  assert.equal(s3.hidden, false, '#messages shows the bad eta');
  assert.equal(s3.search, s2.search, 'a bad value keeps the state');
  await closeClean(h);
});

describe('(f) bad parameters', () => {
  test(`?${Q.bad}: every bad field named, charts drawn, numbers finite`, async (t) => {
    const h = await openPage(site, Q.bad);
    const en = engine(Q.bad);
    const expected = ['alpha', 'beta', 'k', 'zzz', 'T', 'pi0'];
    assert.deepEqual(en.issues.map((i) => i.field).sort(), [...expected].sort(), 'the engine names each bad field');
    const shown = await h.page.evaluate(() => ({
      hidden: document.getElementById('messages').hidden,
      display: getComputedStyle(document.getElementById('messages')).display,
      items: [...document.querySelectorAll('#messages li[data-field]')].map((li) => ({ field: li.dataset.field, text: li.textContent })),
    }));
    assert.equal(shown.hidden, false, '#messages visible');
    assert.notEqual(shown.display, 'none');
    for (const f of expected) {
      const li = shown.items.find((i) => i.field === f);
      assert.ok(li, `#messages has li[data-field=${f}] (got ${shown.items.map((i) => i.field).join(', ')})`);
      assert.ok(li.text.includes(f), `the message names ${f}: ${li.text}`);
    }
    assert.equal(shown.items.length, en.issues.length, 'one message per issue');
    const pg = await pageNumbers(h.page);
    assert.deepEqual(pg.issues, en.issues);
    assert.ok(pg.results.dynamics, 'the rest of the state still runs');
    const nums = allNumbers(pg.results);
    assert.ok(nums.length > 20 && nums.every(Number.isFinite), 'every number finite');
    const sum = pg.results.dynamics.final_policy.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `final policy sums to 1 (${sum})`);
    assertSameNumbers(t, 'bad', pg.results, en.results);
    for (const id of ['chart-matrix', 'chart-policy', 'chart-entropy', 'chart-simplex']) assertDrawn(await canvasStats(h.page, id));
    await closeClean(h);
  });

  // More malformed links: each issue the engine finds is shown, nothing panics, numbers stay finite.
  const more = [
    'P=1.5,0.2,0.3',
    'k=3&P=0.5,0.5',
    'preset=nope&beta=3',
    'gen=circulant&k=4',
    'gen=nope&seed=-1',
    'pi0=0,0,0',
    'solver=xyz&eta=0',
    'T=999999999999999999999',
    'gen=cyclic&k=64&T=20000&s=NaN',
    'alpha=Infinity&lam=-0.5&speed=1e308',
    'mu0=dir&ref=1,2,3,4&mu=-1,1,1',
    'px=alpha&py=alpha&nx=100000&en=0',
    'alpha=%E2%88%9E&%3Cscript%3E=1',
  ];
  test('more malformed links are reported by field and never blank the page', async (t) => {
    const h = await openPage(site, '');
    for (const q of more) {
      const en = engine(q);
      await h.page.goto(site.url(q));
      await waitReady(h.page);
      const shown = await h.page.$$eval('#messages li[data-field]', (lis) => lis.map((li) => li.dataset.field));
      const hidden = await h.page.$eval('#messages', (el) => el.hidden);
      assert.ok(en.issues.length > 0, `${q}: the engine finds an issue`);
      assert.equal(hidden, false, `${q}: #messages visible`);
      assert.deepEqual(shown, en.issues.map((i) => i.field), `${q}: fields shown`);
      const pg = await pageNumbers(h.page);
      assert.ok(allNumbers(pg.results).every(Number.isFinite), `${q}: finite numbers`);
      assert.ok(pg.results.dynamics || pg.results.dynamics_error, `${q}: a run or its explanation`);
      const cmp = compareResults(pg.results, en.results);
      assert.deepEqual(cmp.mismatches, [], `${q}: structure`);
      assert.ok(cmp.maxDiff <= TOL, `${q}: numbers differ by ${cmp.maxDiff} at ${cmp.maxPath}`);
      assertDrawn(await canvasStats(h.page, 'chart-matrix'));
      const hasPanicked = await h.page.evaluate(() => window.prefdyn.hasPanicked());
      assert.equal(hasPanicked, false, `${q}: no panic`);
    }
    t.diagnostic(`${more.length} malformed links checked`);
    await closeClean(h);
  });
});

test('a format-1 link opens the same run, says so once, and the address becomes v=2', async (t) => {
  const old = await openPage(site, Q.v1);
  const en = engine(Q.v1);
  const pg = await pageNumbers(old.page);
  assert.ok(pg.search.startsWith('?v=2&'), `upgraded address ${pg.search}`);
  assert.equal(pg.search, `?${en.query}`, 'the canonical v=2 link of the engine');
  assert.equal(await old.page.$eval('#upgrade-note', (el) => el.hidden), false, 'the note is shown');
  assert.match(await old.page.textContent('#upgrade-note'), /earlier prefdyn.*upgraded.*same run/);
  assert.equal(await old.page.$eval('#messages', (el) => el.hidden), true, 'no error messages for an old link');
  // The v=1 values land on the paper's names: its alpha (0.7) is λ, its lam (0.5) is α.
  assert.equal(pg.state.config.params.lam, 0.7);
  assert.equal(pg.state.config.params.alpha, 0.5);
  // Same numbers as the v=2 link written by hand (Q.cyclic plus the v=1 default axes).
  const fresh = await openPage(site, `${Q.cyclic}&px=lam&py=betaalpha`);
  const pf = await pageNumbers(fresh.page);
  assert.deepEqual(pf.results, pg.results, 'v=1 and v=2 links give the same results()');
  assert.equal(await fresh.page.$eval('#upgrade-note', (el) => el.hidden), true, 'no note for a v=2 link');
  // Reloading the upgraded address does not upgrade again.
  await old.page.reload();
  await waitReady(old.page);
  assert.equal(await old.page.$eval('#upgrade-note', (el) => el.hidden), true, 'the note shows once');
  t.diagnostic(`${Q.v1} → ${pg.search}`);
  await closeClean(fresh);
  await closeClean(old);
});

test('Dynamics states the theory that applies: ρ, the contraction bound, the 3-cycle threshold', async () => {
  const h = await openPage(site, 'v=2');
  const items = await h.page.$$eval('#theory li', (li) => li.map((x) => x.textContent));
  const d = (await pageNumbers(h.page)).results.dynamics;
  const th = d.theory;
  assert.equal(items.length, 3, items.join(' | '));
  assert.ok(items[0].startsWith(`ρ = ${sig(d.rho)} > 1 at the fixed point π*`), items[0]);
  assert.ok(items[1].includes(`Contraction bound α + (βλ/2)‖P − ½11ᵀ‖₂ = ${sig(th.contraction)}`), items[1]);
  // Field defaults: rock–paper–scissors (s = 0.5), α = 0.8, β = 3, λ = 1: 0.64 + 0.25·9/3 = 1.39.
  assert.ok(Math.abs(th.circulant.three_cycle.value - 1.39) < 1e-12, `${th.circulant.three_cycle.value}`);
  assert.match(items[2], /^3-cycle threshold α² \+ s²β²λ²\/3 = 1\.39 > 1 \(s = 0\.5: /);
  await closeClean(h);
});
