// Every word matches its picture (issue 16): verdicts that agree with the captions and the
// chart, links that land on their section, tour steps whose element and numbers are on
// screen, numbers written for people, and the interactions a reader expects.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ROOT, artifactsDir, closeClean, figurePresets, moveSlider, openPage, pageNumbers, startSite, verdictAgrees,
  waitFiniteDone, waitPhaseDone, waitReady,
} from './helpers.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 800 };

/** The rectangle of `sel` and whether all of it lies in the viewport. */
async function inViewport(page, sel) {
  return page.$eval(sel, (el) => {
    const r = el.getBoundingClientRect();
    const shown = getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;
    return { top: Math.round(r.top), bottom: Math.round(r.bottom), shown, inside: shown && r.top >= -1 && r.bottom <= window.innerHeight + 1 };
  });
}

/** The text a reader can see (rendered, not hidden), plus the charts' text alternatives. */
async function visibleText(page) {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll('canvas[aria-label]')].map((c) => c.getAttribute('aria-label'));
    return `${document.body.innerText}\n${labels.join('\n')}`;
  });
}

test('the verdict of every figure preset agrees with its caption, and each word is explained', async (t) => {
  const figs = figurePresets().filter((f) => f.claim);
  assert.ok(figs.length >= 9, `${figs.length} figures with a claim`);
  for (const f of figs) {
    const h = await openPage(site, f.query);
    const why = await verdictAgrees(h.page, f.claim);
    t.diagnostic(`${f.id}: ${await h.page.textContent('#verdict')}`);
    assert.equal(why, null, `${f.id}: ${why}`);
    const word = await h.page.$eval('#verdict', (el) => el.getAttribute('data-verdict'));
    const explained = await h.page.textContent('#verdict-why');
    assert.ok(explained.toLowerCase().startsWith(word), `${f.id}: the explanation starts with "${word}": ${explained}`);
    await closeClean(h);
  }
  const h = await openPage(site, '');
  const terms = await h.page.$$eval('#glossary dt', (dts) => dts.map((d) => d.textContent.toLowerCase()));
  for (const w of ['converged', 'converging', 'oscillating', 'collapsed', 'not settled', 'concentrated', 'v', 'h(π_t)', 'ρ']) {
    assert.ok(terms.some((d) => d.startsWith(w)), `the glossary explains ${w}: ${terms}`);
  }
  await closeClean(h);
});

test('?v=2&beta=1.5 settles as the hint promises, and the hint is written from the run', async () => {
  const h = await openPage(site, '');
  const hint = await h.page.textContent('#dyn-hint');
  assert.match(hint, /oscillates because ρ = 1\.05 > 1/);
  assert.match(hint, /α\* = 0\.887/);
  const s = await openPage(site, 'v=2&beta=1.5');
  assert.equal(await s.page.$eval('#verdict', (el) => el.getAttribute('data-verdict')), 'converged');
  assert.match(await s.page.textContent('#dyn-hint'), /settles because ρ = 0\.882 < 1/);
  const sst = await openPage(site, 'v=2&gen=sst&k=5&seed=2&alpha=0.5&beta=2&lam=0.8&T=30');
  assert.match(await sst.page.textContent('#dyn-hint'), /strongly transitive.*concentrates the policy on E/);
  for (const x of [h, s, sst]) await closeClean(x);
});

test('the README\'s example links show the verdicts it states', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/`\?(v=2[^`]*)` \(verdict: ([a-z ]+?)\)/g)].map((m) => ({ q: m[1], word: m[2] }));
  assert.ok(examples.length >= 3, `${examples.length} README examples with a stated verdict`);
  for (const { q, word } of examples) {
    const h = await openPage(site, q);
    const got = await h.page.$eval('#verdict', (el) => el.getAttribute('data-verdict'));
    t.diagnostic(`${q}: ${got}`);
    assert.equal(got, word, `README says ${q} is ${word}`);
    await closeClean(h);
  }
});

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`a view= link opens scrolled to its section (${name})`, async () => {
    for (const [view, id] of [['phase', 'phase'], ['oneshot', 'oneshot'], ['prefs', 'preferences']]) {
      const h = await openPage(site, `v=2&view=${view}&nx=6&ny=5&en=2&pT=50`, { viewport });
      const top = await h.page.$eval(`#${id}`, (el) => el.getBoundingClientRect().top);
      assert.ok(Math.abs(top) <= 40, `view=${view}: #${id} at ${top}px from the top`);
      await closeClean(h);
    }
  });
}

/** Every number a tour step's text states (1,000 and ½ are written as the page writes them). */
function numbersIn(text) {
  return [...text.matchAll(/(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?![\w])/g)].map((m) => m[1]).filter((n) => !['1', '2', '3', '11'].includes(n));
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`each tour step shows its element in the first screen and the numbers it quotes (${name})`, async (t) => {
    for (let n = 1; n <= 9; n++) {
      const h = await openPage(site, `tour=${n}`, { viewport });
      if (n === 8) await waitPhaseDone(h.page, 60000);
      if (n === 9) await waitFiniteDone(h.page, 60000);
      await h.page.waitForTimeout(100);
      const focus = await h.page.$eval('[data-focus]', (el) => el.id);
      const r = await inViewport(h.page, '[data-focus]');
      t.diagnostic(`step ${n}: #${focus} at ${r.top}–${r.bottom}px`);
      assert.ok(r.inside, `step ${n}: #${focus} is in the viewport (${r.top}–${r.bottom})`);
      const tour = await inViewport(h.page, '#tour-title');
      assert.ok(tour.inside, `step ${n}: the step's title is on screen too (${tour.top}–${tour.bottom})`);
      const text = await h.page.textContent('#tour-text');
      const shown = (await visibleText(h.page)).replace(text, '');
      for (const num of numbersIn(text)) {
        assert.ok(shown.includes(num), `step ${n}: ${num} is shown on the page, not only in the text`);
      }
      if (n === 1 || n === 4) {
        await h.page.screenshot({ path: join(artifactsDir(), `tour-${n}-${viewport.width}x${viewport.height}.png`) });
      }
      await closeClean(h);
    }
  });
}

test('tour steps 1 and 2 frame different one-shot panels (chart and table)', async () => {
  const one = await openPage(site, 'tour=1');
  const two = await openPage(site, 'tour=2');
  const rows = await Promise.all([one, two].map((h) => h.page.$eval('#oneshot-table tr.focus th', (th) => th.textContent)));
  assert.match(rows[0], /^uniform/);
  assert.match(rows[1], /^maximal lottery/);
  const px = await Promise.all([one, two].map((h) => h.page.$eval('#chart-oneshot', (c) => c.toDataURL())));
  assert.notEqual(px[0], px[1], 'the framed panel differs between the steps');
  for (const h of [one, two]) await closeClean(h);
});

test('numbers are written for people: 3 significant digits, ×10^ below 10⁻³, no e-notation, plurals', async () => {
  for (const q of ['', 'v=2&beta=1.5', 'v=2&view=phase&nx=6&ny=5&en=2&pT=50', 'v=2&N=64&R=4&T=60', 'v=2&gen=random&k=5&seed=57&view=oneshot']) {
    const h = await openPage(site, q);
    if (q.includes('phase')) await waitPhaseDone(h.page);
    if (q.includes('N=')) await waitFiniteDone(h.page);
    const text = await visibleText(h.page);
    assert.doesNotMatch(text, /\d\.?\d*e[-+]?\d/, `${q || 'home'}: no e-notation`);
    assert.doesNotMatch(text, /\d{5,} ms/, `${q || 'home'}: durations in s`);
    assert.doesNotMatch(text, /\b1 [a-z-]+ 3-cycles\b/, 'singular after 1');
    await closeClean(h);
  }
  const rps = await openPage(site, 'v=2&view=oneshot');
  assert.match(await rps.page.textContent('#p-summary-text'), /1 majority 3-cycle\./);
  const cells = await rps.page.$$eval('#oneshot-table tbody tr td:first-of-type', (tds) => tds.map((d) => d.textContent));
  assert.ok(cells.every((c) => c === 'tie: A, B, C (0.333 each)'), `a three-way tie is called a tie: ${cells}`);
  await closeClean(rps);
});

test('an import of plain words names the cell that is not a number', async () => {
  const h = await openPage(site, 'v=2&view=prefs');
  await h.page.click('#import summary');
  await h.page.fill('#import-text', 'The quick brown fox jumps over\nthe lazy dog');
  await h.page.click('#import-go');
  const report = await h.page.textContent('#import-report');
  assert.match(report, /row 2, column 2: “lazy” is not a number/, report);
  await closeClean(h);
});

test('hover readouts: π_t chart (round and each π_i), simplex (π and the step), phase cell tooltip', async () => {
  const h = await openPage(site, '');
  const box = await h.page.$eval('#chart-policy', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await h.page.mouse.move(box.x + box.w * 0.5, box.y + box.h * 0.5);
  const tip = await h.page.textContent('#policy-tip');
  assert.match(tip, /^round \d+: A 0\.\d+, B 0\.\d+, C 0\.\d+$/, tip);
  const t = Number(tip.match(/round (\d+)/)[1]);
  const csv = await h.page.evaluate(() => window.prefdyn.results().dynamics.final_policy);
  assert.ok(t > 20 && t < 80, `the middle of the chart is a middle round (${t}); final ${csv}`);
  const s = await h.page.$eval('#chart-simplex', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await h.page.mouse.move(s.x + s.w / 2, s.y + s.h * 0.62);
  assert.match(await h.page.textContent('#simplex-tip'), /^π: A 0\.\d+, B 0\.\d+, C 0\.\d+\. One round moves it by A [+−]/);
  await closeClean(h);
  const p = await openPage(site, 'v=2&view=phase&nx=6&ny=5&en=2&pT=50&metric=verdict');
  await waitPhaseDone(p.page);
  const c = await p.page.$eval('#chart-phase', (el) => { el.scrollIntoView({ block: 'center' }); const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await p.page.mouse.move(c.x + c.w / 2, c.y + c.h / 2);
  const ph = await p.page.$eval('#phase-hover', (el) => ({ text: el.textContent, hidden: el.hidden, r: el.getBoundingClientRect().toJSON() }));
  assert.equal(ph.hidden, false);
  assert.match(ph.text, /^α = [\d.]+, βλ = [\d.]+: oscillating in [\d.]+ % of runs; mean ρ = [\d.]+$/, ph.text);
  assert.ok(Math.abs(ph.r.x - (c.x + c.w / 2)) < 300 && Math.abs(ph.r.y - (c.y + c.h / 2)) < 80, 'the tooltip sits at the cell');
  await closeClean(p);
});

test('on touch a first tap on a phase cell shows its readout and a second tap opens it', async () => {
  const context = await site.browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(site.url('v=2&view=phase&nx=6&ny=5&en=2&pT=50'));
  await waitReady(page);
  await waitPhaseDone(page);
  const c = await page.$eval('#chart-phase', (el) => { el.scrollIntoView({ block: 'center' }); const r = el.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  await page.touchscreen.tap(c.x, c.y);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.prefdyn.state().config.view), 'phase', 'the first tap does not navigate');
  assert.match(await page.textContent('#phase-hover'), /V = /);
  await page.touchscreen.tap(c.x, c.y);
  await page.waitForFunction(() => window.prefdyn.state().config.view === 'dynamics');
  await context.close();
});

test('log sliders stop at round values: β = 1.5 and β = 5 are reachable', async () => {
  const h = await openPage(site, 'v=2');
  const stops = (await h.page.$eval('#beta', (el) => el.dataset.stops)).split(',').map(Number);
  for (const want of [1.5, 5, 2, 100, 0.001]) {
    const i = stops.indexOf(want);
    assert.ok(i >= 0, `${want} is a stop of the β slider: ${stops}`);
    await moveSlider(h.page, 'beta', i);
    assert.equal(await h.page.evaluate(() => window.prefdyn.state().config.params.beta), want);
  }
  await closeClean(h);
});

test('a phone shows the one-line description; print shows charts, verdict and theory, no controls', async () => {
  const phone = await openPage(site, '', { viewport: PHONE });
  assert.ok((await inViewport(phone.page, '.tagline')).inside, 'the tagline on a phone');
  await closeClean(phone);
  const h = await openPage(site, '');
  await h.page.emulateMedia({ media: 'print' });
  const shown = await h.page.evaluate(() => Object.fromEntries(['#chart-policy', '#verdict', '#theory', '#alpha', '#play', '.actions', '#phase .controls'].map((s) => {
    const el = document.querySelector(s);
    return [s, !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0];
  })));
  assert.deepEqual(shown, { '#chart-policy': true, '#verdict': true, '#theory': true, '#alpha': false, '#play': false, '.actions': false, '#phase .controls': false });
  await h.page.pdf({ path: join(artifactsDir(), 'print.pdf') }).catch(() => {});
  await closeClean(h);
});

test('K = 64: the π_t legend stays readable (labels at the line ends, a note for the rest)', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=64&seed=3&T=40');
  const label = await h.page.$eval('#chart-policy', (c) => c.getAttribute('aria-label'));
  assert.match(label, /K = 64/);
  await closeClean(h);
});

test('"paper scale" runs again after Cancel', async () => {
  const h = await openPage(site, '');
  const q = await h.page.$eval('#figure-list button.paper-scale', (b) => b.dataset.query);
  await h.page.click(`#figure-list button.paper-scale[data-query="${q}"]`);
  await h.page.waitForFunction(() => window.prefdyn.results().phase.running);
  await h.page.click('#phase-cancel');
  await h.page.waitForFunction(() => window.prefdyn.results().phase.cancelled);
  await h.page.click(`#figure-list button.paper-scale[data-query="${q}"]`);
  await h.page.waitForFunction(() => window.prefdyn.results().phase.running, null, { timeout: 5000 });
  await h.page.click('#phase-cancel');
  await closeClean(h);
});

test('the first view: Figure 1 (centre), the portrait beside the chart on a desktop', async () => {
  const h = await openPage(site, '');
  const pg = await pageNumbers(h.page);
  assert.equal(pg.query, 'v=2&alpha=0.95&beta=2&lam=0.8&T=100');
  assert.equal(pg.results.dynamics.verdict, 'oscillating');
  const [chart, portrait] = await Promise.all(['#chart-policy', '#chart-simplex'].map((s) => inViewport(h.page, s)));
  assert.ok(chart.inside && portrait.inside, 'both in the first screen');
  const side = await h.page.evaluate(() => document.getElementById('chart-simplex').getBoundingClientRect().left >= document.getElementById('chart-policy').getBoundingClientRect().right);
  assert.ok(side, 'the portrait beside the chart');
  await h.page.screenshot({ path: join(artifactsDir(), 'first-view-1280x800.png') });
  await closeClean(h);
  const phone = await openPage(site, '', { viewport: PHONE });
  await phone.page.screenshot({ path: join(artifactsDir(), 'first-view-375x800.png') });
  await closeClean(phone);
  const f = await openPage(site, 'v=2&alpha=0.95&beta=2&lam=0.8&pi0=0.34,0.33,0.33&T=300&N=256');
  await waitFiniteDone(f.page, 60000);
  await f.page.screenshot({ path: join(artifactsDir(), 'finite-1280x800.png') });
  await closeClean(f);
});
