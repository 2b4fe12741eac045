#!/usr/bin/env node
// `npm run bench`: the built bundle's size (raw and gzip) and the time to first candle on /tv,
// measured in Debian's chromium on loopback (target < 500 ms): against the real server when
// TD_BENCH_BASE_URL is set (`make bench-web` starts one: scripts/run-live-e2e --bench; with
// TD_E2E_API_KEY a plan is issued and its chart link, view token included, is what gets opened),
// else against the fixture server. Time to first candle = performance.now() when the first bars
// reach the chart, i.e. from the start of navigation through HTML, JS, the plan and bars requests
// and the first setData.

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
const realBase = process.env.TD_BENCH_BASE_URL?.replace(/\/+$/, '') ?? null;
const server = realBase ? null : await startFixtureServer({ port: 0 });
let url = `${server?.url}/tv?plan_id=demo-long&focus=plan`;
let what = 'fixture server, /tv?plan_id=demo-long';
if (realBase) {
  url = `${realBase}/tv?symbol=SPY&interval=5m`;
  what = `real server ${realBase}, /tv?symbol=SPY`;
  if (process.env.TD_E2E_API_KEY) {
    const res = await fetch(`${realBase}/gpt/plan`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${process.env.TD_E2E_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ symbol: 'SPY', style: 'intraday' }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || typeof body?.chart_url !== 'string') throw new Error(`POST /gpt/plan answered ${res.status}: ${JSON.stringify(body)?.slice(0, 300)}`);
    const link = new URL(body.chart_url, realBase);
    url = `${realBase}${link.pathname}${link.search}`;
    what = `real server ${realBase}, a plan's chart link (plan_id + vt)`;
  }
}
const browser = await launch();
const samples = [];
try {
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
  await server?.close();
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(`time to first candle (${what}, ${samples.length} warm runs): median ${median.toFixed(0)} ms, min ${samples[0].toFixed(0)} ms, max ${samples[samples.length - 1].toFixed(0)} ms  (target < 500 ms)`);
if (process.env.BENCH_STRICT && median >= 500) {
  console.error(`time to first candle ${median.toFixed(0)} ms is over the 500 ms target`);
  process.exit(1);
}
