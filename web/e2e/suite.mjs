// The /tv end-to-end checks. `commonTests` hold for any server that implements the contract (the
// real tradedesk server or the fixture); `fixtureTests` also know the fixture's exact data.

import { join } from 'node:path';
import { artifactsDir, assert, near, tv, waitReady, watchErrors } from './lib.mjs';

const NETWORK_ERRORS = [/Failed to load resource/];

async function open(context, url, allow = []) {
  const page = await context.newPage();
  const watch = watchErrors(page);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await waitReady(page);
  return { page, watch, allow };
}

async function finish({ page, watch, allow }) {
  const bad = watch.unexpected(allow);
  await page.close();
  assert(bad.length === 0, `unexpected browser errors:\n  ${bad.join('\n  ')}`);
}

/** Checks for any contract-compliant server. */
export function commonTests(context, base, { symbol = 'SPY', planId = null, allowNetworkErrors = true } = {}) {
  const allow = allowNetworkErrors ? NETWORK_ERRORS : [];
  const tests = [
    [`/tv?symbol=${symbol} shows candles or a clear message, never a blank chart`, async () => {
      const s = await open(context, `${base}/tv?symbol=${encodeURIComponent(symbol)}&interval=5m`, allow);
      const state = await tv(s.page);
      const overlayLocator = s.page.locator('[data-testid=chart-overlay]');
      const overlay = (await overlayLocator.count()) ? await overlayLocator.textContent() : null;
      assert(state.barCount > 0 || (overlay && overlay.trim().length > 10), `no bars and no message (overlay: ${overlay})`);
      assert((await s.page.locator('[data-testid=hdr-symbol]').textContent()) === symbol, 'header shows the symbol');
      assert((await s.page.locator('.tv-lwc-attribution, a[href*="tradingview"]').count()) > 0, 'TradingView attribution link is present');
      await finish(s);
    }],
    ['unknown and malformed parameters are listed on the page', async () => {
      const s = await open(context, `${base}/tv?symbol=${encodeURIComponent(symbol)}&bogus=1&entry=abc&interval=7m`, allow);
      const text = await s.page.locator('[data-testid=messages]').innerText();
      for (const needle of ['bogus', 'entry', 'interval']) assert(text.includes(needle), `message mentions ${needle}: ${text}`);
      await finish(s);
    }],
    ['a link with neither symbol nor plan says so', async () => {
      // No symbol means no bars request, so the page never becomes "ready": read the overlay.
      const page = await context.newPage();
      const watch = watchErrors(page);
      await page.goto(`${base}/tv`, { waitUntil: 'domcontentloaded' });
      const overlay = page.locator('[data-testid=chart-overlay]');
      await overlay.waitFor({ timeout: 10000 });
      assert((await overlay.innerText()).includes('no symbol'), 'overlay explains the missing symbol');
      assert((await page.locator('[data-testid=messages]').innerText()).includes('No symbol'), 'message list explains it too');
      await finish({ page, watch, allow });
    }],
    ['the theme toggle persists across reloads', async () => {
      const s = await open(context, `${base}/tv?symbol=${encodeURIComponent(symbol)}`, allow);
      await s.page.evaluate(() => localStorage.removeItem('td.theme'));
      const before = await s.page.evaluate(() => document.documentElement.dataset.theme);
      await s.page.click('[data-testid=theme-toggle]');
      const after = await s.page.evaluate(() => document.documentElement.dataset.theme);
      assert(before !== after, 'toggle changes the theme');
      await s.page.reload({ waitUntil: 'domcontentloaded' });
      await waitReady(s.page);
      assert((await s.page.evaluate(() => document.documentElement.dataset.theme)) === after, 'theme survives reload');
      await s.page.evaluate(() => localStorage.removeItem('td.theme'));
      await finish(s);
    }],
    ['timeframe buttons switch the interval and rewrite the link canonically', async () => {
      const s = await open(context, `${base}/tv?symbol=${encodeURIComponent(symbol)}&interval=5m`, allow);
      await s.page.click('[data-testid=timeframes] >> text=15m');
      await s.page.waitForFunction(() => window.__tv.interval === '15m' && window.__tv.ready);
      const url = new URL(s.page.url());
      assert(url.searchParams.get('interval') === '15m', `url interval is 15m: ${url}`);
      await finish(s);
    }],
  ];
  if (planId) {
    tests.push([`/tv?plan_id=${planId} draws the plan from the server`, async () => {
      const s = await open(context, `${base}/tv?plan_id=${encodeURIComponent(planId)}&focus=plan`, allow);
      const state = await tv(s.page);
      const kinds = state.planLines.map((l) => l.kind);
      assert(kinds.includes('entry') && kinds.includes('stop'), `entry and stop lines drawn: ${kinds}`);
      await finish(s);
    }]);
  }
  return tests;
}

/** Checks that know the fixture server's data. */
export function fixtureTests(context, base) {
  const shots = artifactsDir();
  const fetchJson = async (path) => (await fetch(`${base}${path}`)).json();
  return [
    ['plan_id link: plan lines, merged levels, zones, indicators, live updates', async () => {
      const plan = await fetchJson('/idea/demo-long');
      const s = await open(context, `${base}/tv?plan_id=demo-long&focus=plan&theme=dark`);
      const { page } = s;
      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', 'theme=dark applies');
      await page.waitForFunction(() => window.__tv.barCount > 0 && window.__tv.planLines.length > 0);
      let state = await tv(page);
      const byKind = Object.fromEntries(state.planLines.map((l) => [l.kind, l]));
      assert(near(byKind.entry.price, plan.entry) && near(byKind.stop.price, plan.stop), 'entry/stop prices');
      plan.targets.forEach((t, i) => assert(near(byKind[`tp${i + 1}`].price, t.price), `tp${i + 1} price`));
      assert(near(byKind.runner.price, plan.runner), 'runner price');
      assert(byKind.tp1.label === 'TP1 1.5R · 62% · VAH', `TP1 label carries R:R, probability and the folded VAH level: ${byKind.tp1.label}`);
      const levelLabels = state.levels.map((l) => l.label).sort();
      assert(JSON.stringify(levelLabels) === JSON.stringify(['PDH / Session High', 'POC']), `primary levels merged: ${levelLabels}`);
      assert(state.hiddenLevels === 2, `two supplemental levels hidden: ${state.hiddenLevels}`);
      assert(state.zones.length === 4 && new Set(state.zones.map((z) => z.kind)).size === 4, 'four zones of four kinds');
      assert(state.focus && state.focus.min < plan.stop && state.focus.max > plan.runner, 'focus range spans the plan');
      assert(state.emas.length === 3 && state.emas.every((e) => e.points > 0), 'EMAs drawn');
      assert(state.vwapPoints > 0 && state.avwaps.length === 1 && state.avwaps[0].points > 0, 'VWAP and AVWAP drawn');
      assert(state.tz === 'America/New_York', 'exchange zone');
      // Live: the fixture sends a late tick (ignored), heartbeats, forming-bar ticks and plan deltas.
      await page.waitForFunction(() => window.__tv.log.some((l) => l.startsWith('Status → At Risk')), null, { timeout: 8000 });
      await page.waitForFunction(() => document.querySelector('[data-testid=pill-stream]')?.getAttribute('data-health') === 'good', null, { timeout: 8000 });
      state = await tv(page);
      const intactLines = state.log.filter((l) => l.startsWith('Status → Intact'));
      assert(intactLines.length === 1, `duplicate plan-log lines dropped: ${state.log}`);
      assert(state.planStatus === 'at_risk', 'status pill follows plan_delta');
      assert(state.lastBar.close > plan.entry * 0.95, 'late tick (−10 %) was ignored');
      assert((await page.locator('[data-testid=pill-plan]').innerText()) === 'At risk', 'plan pill text');
      assert((await page.locator('[data-testid=targets] tbody tr').count()) === 4, 'three targets and the runner in the panel');
      assert((await page.locator('[data-testid=checklist] li').count()) === 3, 'warnings as checklist');
      assert((await page.locator('[data-testid=factors] li').count()) === 5, 'confluence factors');
      await page.screenshot({ path: join(shots, 'tv-plan-dark.png') });
      await page.click('[data-testid=more-levels]');
      state = await tv(page);
      const all = state.levels.map((l) => l.label);
      assert(all.includes('VAL') && all.includes('Weekly High / Monthly Pivot'), `show more levels: ${all}`);
      await page.click('[data-testid=theme-toggle]');
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(shots, 'tv-plan-light.png') });
      await page.evaluate(() => localStorage.removeItem('td.theme'));
      await finish(s);
    }],
    ['panning pauses Follow Live; the button resumes it', async () => {
      const s = await open(context, `${base}/tv?symbol=SPY&interval=5m`);
      const { page } = s;
      assert((await tv(page)).following === true, 'follows by default');
      const box = await page.locator('[data-testid=chart]').boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.4, { steps: 12 });
      await page.mouse.up();
      await page.waitForFunction(() => window.__tv.following === false, null, { timeout: 3000 });
      await page.click('[data-testid=follow-live]');
      await page.waitForFunction(() => window.__tv.following === true, null, { timeout: 3000 });
      await finish(s);
    }],
    ['scale_plan=auto rescales an old plan to the current price', async () => {
      const plan = await fetchJson('/idea/demo-old');
      const s = await open(context, `${base}/tv?plan_id=demo-old&focus=plan`);
      await s.page.waitForFunction(() => window.__tv.planLines.length > 0 && window.__tv.scaleFactor !== 1);
      const state = await tv(s.page);
      assert(state.scaleFactor > 0.45 && state.scaleFactor < 0.55, `factor ≈ 0.5: ${state.scaleFactor}`);
      const entry = state.planLines.find((l) => l.kind === 'entry');
      assert(near(entry.price, plan.entry * state.scaleFactor), 'entry scaled');
      assert(state.messages.some((m) => m.text.includes('scaled')), 'visible scale message');
      await finish(s);
      const off = await open(context, `${base}/tv?plan_id=demo-old&scale_plan=off`);
      await off.page.waitForFunction(() => window.__tv.planLines.length > 0);
      const offState = await tv(off.page);
      assert(offState.scaleFactor === 1 && near(offState.planLines.find((l) => l.kind === 'entry').price, plan.entry), 'scale_plan=off keeps prices');
      await finish(off);
    }],
    ['NSE symbol: Asia/Kolkata axis and VWAP reset at 09:15 IST', async () => {
      const s = await open(context, `${base}/tv?plan_id=demo-nifty&interval=15m&focus=plan`);
      const { page } = s;
      await page.waitForFunction(() => window.__tv.barCount > 0 && window.__tv.planLines.length > 0);
      const state = await tv(page);
      assert(state.tz === 'Asia/Kolkata' && state.symbol === 'NSE_INDEX:NIFTY', 'zone and symbol from the plan');
      const legend = await page.locator('[data-testid=legend]').innerText();
      assert(legend.includes('NSE 09:15') && legend.includes('Asia/Kolkata'), `legend: ${legend}`);
      await page.screenshot({ path: join(shots, 'tv-nifty-15m.png') });
      await finish(s);
    }],
    ['missing plan degrades to the link plan with a visible 404 message', async () => {
      const s = await open(context, `${base}/tv?plan_id=missing-plan&symbol=SPY&entry=600&stop=598&tp=603`, NETWORK_ERRORS);
      await s.page.waitForFunction(() => window.__tv.messages.some((m) => m.text.includes('404')));
      const state = await tv(s.page);
      assert(state.barCount > 0, 'bars still drawn');
      assert(state.planLines.some((l) => l.kind === 'entry' && l.price === 600), 'link plan drawn');
      await s.page.screenshot({ path: join(shots, 'tv-missing-plan.png') });
      await finish(s);
    }],
    ['bars endpoint failure shows the server error, not a blank chart', async () => {
      const s = await open(context, `${base}/tv?symbol=FAIL`, NETWORK_ERRORS);
      const overlay = await s.page.locator('[data-testid=chart-overlay]').innerText();
      assert(overlay.includes('unavailable') && overlay.includes('market data provider down'), `overlay: ${overlay}`);
      const state = await tv(s.page);
      assert(state.barCount === 0 && state.streamState === 'closed', 'no stream or stray bars after a failed history load');
      await s.page.screenshot({ path: join(shots, 'tv-bars-error.png') });
      await finish(s);
    }],
  ];
}
