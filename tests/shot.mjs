// Quick manual screenshot: node shot.mjs 'QUERY' out.png [width height]
// SEL='#phase' screenshots one element; WAIT_PHASE=1 waits for the phase diagram to finish.
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
const [q = '', out = '/tmp/shot.png', w = '1280', h = '800'] = process.argv.slice(2);
const server = await serve(new URL('../dist', import.meta.url).pathname);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const page = await browser.newPage({ viewport: { width: +w, height: +h } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(`http://127.0.0.1:${server.address().port}/?${q}`);
await page.waitForSelector('body[data-ready]', { timeout: 20000 }).catch((e) => console.log('not ready', e.message));
if (process.env.WAIT_PHASE) {
  await page.waitForFunction(() => window.prefdyn.results().phase.done, null, { timeout: 120000 });
}
if (process.env.SEL) await page.locator(process.env.SEL).screenshot({ path: out });
else await page.screenshot({ path: out, fullPage: !process.env.VIEWPORT });
console.log(JSON.stringify(await page.evaluate(() => window.prefdyn && window.prefdyn.state().query)));
await browser.close(); server.close();
