#!/usr/bin/env node
// `npm run bench`: the built bundle's size (raw and gzip) and the time to first candle on /tv,
// measured in Debian's chromium against the fixture server on loopback (target < 500 ms).
// Time to first candle = performance.now() when the first bars reach the chart, i.e. from the
// start of navigation through HTML, JS, the bars request and the first setData.

import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, WEB_DIR } from './lib.mjs';
import { startFixtureServer } from './fixture-server.mjs';

const dist = join(WEB_DIR, 'dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('web/dist is missing: run `npm run build` first');
  process.exit(1);
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
let raw = 0;
let gz = 0;
console.log('bundle (web/dist):');
for (const f of files(dist).sort()) {
  const buf = readFileSync(f);
  const g = gzipSync(buf, { level: 9 }).length;
  raw += buf.length;
  gz += g;
  console.log(`  ${f.slice(dist.length + 1).padEnd(36)} ${kb(buf.length).padStart(10)}  gzip ${kb(g).padStart(9)}`);
}
console.log(`  ${'total'.padEnd(36)} ${kb(raw).padStart(10)}  gzip ${kb(gz).padStart(9)}`);

const runs = Number(process.env.BENCH_RUNS ?? 7);
const server = await startFixtureServer({ port: 0 });
const browser = await launch();
const samples = [];
try {
  const url = `${server.url}/tv?plan_id=demo-long&focus=plan`;
  for (let i = 0; i <= runs; i++) {
    const page = await browser.context.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => window.__tv && window.__tv.firstCandleMs !== null, null, { timeout: 20000 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const find = (part) => res.find((r) => r.name.includes(part));
      const span = (r) => (r ? [Math.round(r.startTime), Math.round(r.responseEnd)] : null);
      return {
        ttfc: window.__tv.firstCandleMs,
        html: Math.round(nav.responseEnd),
        dcl: Math.round(nav.domContentLoadedEventEnd),
        js: span(res.find((r) => r.name.endsWith('.js'))),
        idea: span(find('/idea/')),
        bars: span(find('/tv-api/bars')),
      };
    });
    await page.close();
    if (i > 0) {
      samples.push(t.ttfc); // the first run warms the HTTP and compile caches
      if (process.env.BENCH_VERBOSE) console.log(`  run ${i}: html ${t.html} ms, js ${t.js}, DOMContentLoaded ${t.dcl} ms, idea ${t.idea}, bars ${t.bars}, first candle ${t.ttfc.toFixed(0)} ms`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(`time to first candle (/tv?plan_id=demo-long, ${samples.length} warm runs): median ${median.toFixed(0)} ms, min ${samples[0].toFixed(0)} ms, max ${samples[samples.length - 1].toFixed(0)} ms  (target < 500 ms)`);
