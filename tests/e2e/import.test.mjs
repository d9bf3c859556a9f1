// Bring your own preferences: each format pasted, a file dropped, labels and the compact
// matrix in the link (K = 20 ≤ 2,000 characters), diagnostics, and the dynamics against
// the CLI on the same file; bad input named by row and column with nothing lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cliBinary, closeClean, compareResults, openPage, pageNumbers, params, startSite, waitReady } from './helpers.mjs';

let site;
const dir = mkdtempSync(join(tmpdir(), 'prefdyn-import-'));
before(async () => {
  cliBinary();
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** `prefdyn run LINK --matrix FILE --quiet`: `{query, results}`. */
function cliWith(link, text, name) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const out = execFileSync(cliBinary(), ['run', link, '--matrix', file, '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

async function paste(page, text, format = 'auto') {
  await page.click('#import summary');
  await page.fill('#import-text', text);
  await page.selectOption('#import-format', format);
  await page.click('#import-go');
}

const MATRIX = 'model,gpt-4,claude-v1,vicuna-13b\ngpt-4,,0.62,0.79\nclaude-v1,0.38,,0.71\nvicuna-13b,0.21,0.29,\n';
const COUNTS = 'item\talpha\tbeta\tgamma\tdelta\nalpha\t\t12\t3\t0\nbeta\t4\t\t9\t0\ngamma\t11\t2\t\t0\ndelta\t0\t0\t0\t\n';
const PAIRS = 'model_a,model_b,winner\nred,blue,red\nred,blue,blue\nblue,green,blue\ngreen,red,green\ngreen,red,tie\nred,green,red\n';

for (const [name, text, format, labels, extra] of [
  ['a matrix of P with a header and a label column', MATRIX, 'auto', ['gpt-4', 'claude-v1', 'vicuna-13b'], {}],
  ['win counts (TSV)', COUNTS, 'auto', ['alpha', 'beta', 'gamma', 'delta'], { never: 3 }],
  ['a list of comparisons', PAIRS, 'auto', ['red', 'blue', 'green'], {}],
]) {
  test(`paste ${name}: labels, diagnostics and the dynamics equal the CLI's on the same data`, async (t) => {
    const h = await openPage(site, 'v=2&alpha=0.6&beta=2&lam=0.8');
    await paste(h.page, text, format);
    await h.page.waitForFunction((n) => window.prefdyn.results().matrix.labels.length === n, labels.length);
    const pg = await pageNumbers(h.page);
    assert.deepEqual(pg.results.matrix.labels, labels);
    assert.equal(params(pg.search).labels, labels.join(','), 'the labels travel in the link');
    assert.match(await h.page.textContent('#import-report'), new RegExp(`K = ${labels.length}`));
    if (extra.never) {
      // Hovering the heatmap shows the counts behind a cell.
      await h.page.locator('#chart-matrix').scrollIntoViewIfNeeded();
      const box = await h.page.locator('#chart-matrix').boundingBox();
      const titles = new Set();
      for (let a = 0.1; a < 1; a += 0.1) {
        for (let b = 0.1; b < 1; b += 0.1) {
          await h.page.mouse.move(box.x + a * box.width, box.y + b * box.height);
          titles.add(await h.page.getAttribute('#chart-matrix', 'title'));
        }
      }
      const want = `alpha beat beta 12 times, lost 4 times: P = ${(12.5 / 17).toFixed(3)}`;
      assert.ok([...titles].includes(want), [...titles].join(' | '));
      assert.match(await h.page.textContent('#diag-never'), new RegExp(`^${extra.never} pair`));
      assert.match(await h.page.textContent('#import-report'), /delta/);
    }
    const cli = cliWith('v=2&alpha=0.6&beta=2&lam=0.8', text, `${labels[0]}.txt`);
    assert.equal(cli.query, pg.query, 'the CLI writes the same link');
    const cmp = compareResults(pg.results, cli.results);
    t.diagnostic(`max |page − CLI| = ${cmp.maxDiff}`);
    assert.ok(cmp.maxDiff <= 1e-9 && cmp.mismatches.length === 0, JSON.stringify(cmp).slice(0, 300));
    // The link alone reopens the same matrix and labels.
    const again = await openPage(site, pg.query);
    const re = await pageNumbers(again.page);
    assert.deepEqual(re.results.matrix, pg.results.matrix);
    await closeClean(again);
    await closeClean(h);
  });
}

test('paste a preset\'s JSON; drop a file onto the text area', async () => {
  const h = await openPage(site, 'v=2');
  const json = JSON.stringify({ name: 'tiny', items: ['x', 'y', 'z'], P: [[null, 0.7, 0.4], [0.3, null, 0.8], [0.6, 0.2, null]] });
  await paste(h.page, json);
  await h.page.waitForFunction(() => window.prefdyn.results().matrix.labels.join() === 'x,y,z');
  assert.match(await h.page.textContent('#import-report'), /preset JSON/);
  await h.page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'counts.csv', { type: 'text/csv' }));
    const area = document.getElementById('import-text');
    area.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, COUNTS);
  await h.page.waitForFunction(() => window.prefdyn.results().matrix.labels.join() === 'alpha,beta,gamma,delta');
  assert.match(await h.page.inputValue('#import-text'), /^item\talpha/);
  await closeClean(h);
});

test('an imported K = 20 matrix with labels fits a link of at most 2,000 characters and reopens within its precision', async (t) => {
  const names = Array.from({ length: 20 }, (_, i) => `model-${String.fromCharCode(97 + i)}-${7 + i}b-chat`);
  const rows = names.map((a, i) => [a, ...names.map((_, j) => (i === j ? '' : String(((i * 7 + j * 13) % 50) + 1)))].join(','));
  const text = [['model', ...names].join(','), ...rows].join('\n');
  const h = await openPage(site, 'v=2');
  await paste(h.page, text);
  await h.page.waitForFunction(() => window.prefdyn.results().matrix.k === 20);
  const pg = await pageNumbers(h.page);
  const url = await h.page.evaluate(() => location.href);
  t.diagnostic(`link: ${url.length} characters`);
  assert.ok(url.length <= 2000, `${url.length} characters`);
  assert.match(params(pg.search).P, /^b64/);
  const again = await openPage(site, pg.query);
  const re = await pageNumbers(again.page);
  assert.deepEqual(re.results.matrix.labels, names);
  let worst = 0;
  re.results.matrix.P.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - pg.results.matrix.P[i][j])); }));
  assert.ok(worst === 0, 'the page already holds what its link carries');
  // Against the counts themselves: within the link's 16-bit precision (1/131070).
  const cells = text.split('\n').slice(1).map((r) => r.split(',').slice(1).map(Number));
  const p = (i, j) => (cells[i][j] + 0.5) / (cells[i][j] + cells[j][i] + 1);
  let err = 0;
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) if (i !== j) err = Math.max(err, Math.abs(re.results.matrix.P[i][j] - p(i, j)));
  t.diagnostic(`largest |P(link) − P(counts)| = ${err.toExponential(2)}`);
  assert.ok(err <= 1 / 131070 + 1e-6, String(err));
  await closeClean(again);
  await closeClean(h);
});

test('inconsistent pairs are named and fixed on request; bad input is named by row and column and nothing is lost', async () => {
  const h = await openPage(site, 'v=2&gen=random&k=5&seed=57&alpha=0.3');
  const before = await pageNumbers(h.page);
  await paste(h.page, 'a,b,c\n,0.7,0.5\n0.4,,0.6\n0.5,0.4,\n');
  assert.match(await h.page.textContent('#import-report'), /1 pair\(s\) have P_ij \+ P_ji ≠ 1/);
  assert.match(await h.page.textContent('#import-report'), /P\(a ≻ b\) = 0.7 and P\(b ≻ a\) = 0.4/);
  assert.deepEqual((await pageNumbers(h.page)).results.matrix, before.results.matrix, 'not imported yet');
  await h.page.click('#import-fix');
  await h.page.waitForFunction(() => window.prefdyn.results().matrix.k === 3);
  const fixed = await pageNumbers(h.page);
  assert.ok(Math.abs(fixed.results.matrix.P[0][1] - 0.65) < 1e-12, 'P_ab = (0.7 + 1 − 0.4)/2');
  for (const [bad, where] of [
    ['a,b,c\n,0.7\n0.3,,0.6\n', /row|line/i],
    ['a,b\n,x\n0.5,\n', /row 2.*column 2|x/],
    ['a,b\n,1.7\n-0.7,\n', /row 3, column 1: the count -0.7 is negative/],
  ]) {
    await h.page.fill('#import-text', bad);
    await h.page.click('#import-go');
    const report = await h.page.textContent('#import-report');
    assert.match(report, /Not imported/);
    assert.match(report, where, report);
    const now = await pageNumbers(h.page);
    assert.deepEqual(now.results.matrix, fixed.results.matrix, 'the matrix is unchanged');
    assert.equal(now.state.config.params.alpha, 0.3, 'and nothing else was lost');
  }
  await closeClean(h);
});

test('the matrix\'s CSV export re-imports to the same P and labels', async () => {
  const h = await openPage(site, 'v=2&preset=chatbot_arena_2023may_5');
  const before = await pageNumbers(h.page);
  const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click('#export-matrix-csv')]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /gpt-4/, 'full labels in the export');
  await h.page.goto(site.url('v=2'));
  await waitReady(h.page);
  await paste(h.page, text);
  await h.page.waitForFunction(() => window.prefdyn.results().matrix.k === 5);
  const after = await pageNumbers(h.page);
  assert.deepEqual(after.results.matrix.labels, before.results.matrix.labels);
  let worst = 0;
  after.results.matrix.P.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - before.results.matrix.P[i][j])); }));
  assert.ok(worst <= 1e-6, `P within the export's precision (${worst})`);
  await closeClean(h);
});
