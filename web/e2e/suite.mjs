// The /tv end-to-end checks. `commonTests` hold for any server that implements the contract (the
// real tradedesk server or the fixture); `fixtureTests` also know the fixture's exact data.

import { join } from 'node:path';
import { artifactsDir, assert, near, tv, waitReady, watchErrors } from './lib.mjs';
import { mintViewToken } from './fixture-server.mjs';

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
export function commonTests(context, base, { symbol = 'SPY', planId = null, viewToken = null, allowNetworkErrors = true } = {}) {
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
  tests.push([`a scenario style button draws a dashed plan or says why not`, async () => {
    const s = await open(context, `${base}/tv?symbol=${encodeURIComponent(symbol)}&interval=5m`, allow);
    await s.page.click('[data-testid=scenarios] [data-style=intraday]');
    await s.page.waitForFunction(() => {
      const t = window.__tv;
      return t.scenarios.intraday === 'ready' || t.scenarios.intraday === 'error';
    }, null, { timeout: 20000 });
    const state = await tv(s.page);
    if (state.scenarios.intraday === 'ready') assert(state.scenarioLines.length >= 2 && state.scenarioLines.every((l) => l.label.startsWith('Scenario · Intraday')), `dashed scenario lines: ${JSON.stringify(state.scenarioLines)}`);
    else assert(state.messages.some((m) => m.text.startsWith('Scenario intraday')), 'a failed scenario is explained on the page');
    await finish(s);
  }]);
  if (planId) {
    const vtPart = viewToken ? `&vt=${encodeURIComponent(viewToken)}` : '';
    tests.push([`/tv?plan_id=${planId}${viewToken ? '&vt=…' : ''} draws the plan from the server and follows it live`, async () => {
      // No symbol in this link: the plan names it, so a refused plan leaves the page explaining why, never ready.
      const page = await context.newPage();
      const s = { page, watch: watchErrors(page), allow };
      await page.goto(`${base}/tv?plan_id=${encodeURIComponent(planId)}&focus=plan${vtPart}`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => window.__tv && (window.__tv.planLines.length > 0 || window.__tv.messages.some((m) => m.key === 'plan')), null, { timeout: 15000 });
      const state = await tv(s.page);
      const planMsg = state.messages.find((m) => m.key === 'plan');
      assert(!planMsg, `plan loaded without an error: ${planMsg?.text}`);
      const kinds = state.planLines.map((l) => l.kind);
      assert(kinds.includes('entry') && kinds.includes('stop'), `entry and stop lines drawn: ${kinds}`);
      await s.page.waitForFunction(() => window.__tv.planSocketState === 'open', null, { timeout: 10000 });
      await s.page.click('[data-testid=timeframes] >> text=15m');
      await s.page.waitForFunction(() => window.__tv.interval === '15m' && window.__tv.ready);
      const url = new URL(s.page.url());
      assert(url.searchParams.get('plan_id') === planId && (!viewToken || url.searchParams.get('vt') === viewToken), `plan link kept: ${url}`);
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
    ['live: out-of-order ticks are ignored and the stream pill follows the heartbeat', async () => {
      const s = await open(context, `${base}/tv?symbol=SPY&interval=5m`);
      const { page } = s;
      const before = await tv(page);
      await page.waitForFunction(() => window.__tv.ignoredTicks >= 2, null, { timeout: 8000 });
      const state = await tv(page);
      assert(state.lastBar.high < before.lastBar.close * 1.03, `the +5 % out-of-order tick never reached the bar: ${JSON.stringify(state.lastBar)}`);
      assert(state.lastBar.time === before.lastBar.time, 'ticks update the forming bar');
      assert((await page.locator('[data-testid=pill-stream]').getAttribute('data-health')) === 'good', 'heartbeat fresh');
      assert((await page.locator('[data-testid=pill-market]').innerText()) === 'Market open', 'market_status event drives the market pill');
      await finish(s);
    }],
    ['live: a dropped stream reconnects with backoff and resumes with Last-Event-ID', async () => {
      const s = await open(context, `${base}/tv?symbol=FLAKY&interval=5m`);
      const { page } = s;
      let streams = [];
      for (let i = 0; i < 60 && streams.length < 3; i++) {
        await page.waitForTimeout(250);
        streams = (await fetchJson('/__fixture/requests')).filter((r) => r.path === '/stream/FLAKY');
      }
      assert(streams.length >= 3, `reconnected twice: ${streams.length}`);
      const ids = streams.slice(-3).map((r) => Number(r.lastEventId));
      assert(ids[1] > 0 && ids[2] > ids[1], `each reconnect resumes after the last event id: ${streams.map((r) => r.lastEventId)}`);
      const state = await tv(page);
      assert(state.lastEventId !== null, 'the page tracks the last event id');
      await finish(s);
    }],
    ['scenario with a view token: dashed preview, adopt without reload (plan carried in the link), vt forwarded everywhere', async () => {
      const vt = mintViewToken('private-long');
      const s = await open(context, `${base}/tv?plan_id=private-long&vt=${vt}&focus=plan`);
      const { page } = s;
      await page.waitForFunction(() => window.__tv.planLines.length > 0 && window.__tv.planSocketState === 'open', null, { timeout: 8000 });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const seen = await fetchJson('/__fixture/requests');
      for (const path of ['/idea/private-long', '/api/v1/gpt/chart-layers', '/ws/plans/private-long']) {
        const hit = seen.filter((r) => r.path === path && (r.query.plan_id ?? 'private-long') === 'private-long').slice(-1);
        assert(hit.length > 0 && hit.every((r) => r.query.vt === vt), `${path} carried vt: ${JSON.stringify(hit)}`);
      }
      // What the server previews for this token (computed, not stored: no plan_id).
      const swing = await (await fetch(`${base}/gpt/plan?vt=${vt}`, { method: 'POST', body: JSON.stringify({ symbol: 'SPY', style: 'swing' }) })).json();
      assert(swing.preview === true && swing.plan_id === undefined, `a token gets a preview: ${JSON.stringify(swing).slice(0, 200)}`);
      const other = await fetch(`${base}/gpt/plan?vt=${vt}`, { method: 'POST', body: JSON.stringify({ symbol: 'QQQ', style: 'swing' }) });
      assert(other.status === 403 && (await other.json()).error.field === 'symbol', 'another symbol is refused naming the field');
      await page.click('[data-testid=scenarios] [data-style=swing]');
      await page.waitForFunction(() => window.__tv.scenarioLines.length > 0);
      let state = await tv(page);
      const scen = Object.fromEntries(state.scenarioLines.map((l) => [l.kind, l]));
      assert(near(scen.entry.price, swing.entry) && near(scen.stop.price, swing.stop) && near(scen.tp1.price, swing.targets[0].price), `scenario prices: ${JSON.stringify(scen)}`);
      assert(state.scenarioLines.every((l) => l.label.startsWith('Scenario · Swing')), 'labelled as the swing scenario');
      assert(state.planLines.find((l) => l.kind === 'entry').price !== swing.entry, 'the live plan is still drawn');
      const planPost = (await fetchJson('/__fixture/requests')).filter((r) => r.path === '/gpt/plan' && r.method === 'POST').pop();
      assert(planPost && planPost.query.vt === vt, `POST /gpt/plan carried vt: ${JSON.stringify(planPost)}`);
      await page.screenshot({ path: join(shots, 'tv-scenario-swing.png') });
      await page.click('[data-testid=adopt-scenario]');
      await page.waitForFunction(() => window.__tv.planId === null && window.__tv.planSocketState === 'closed', null, { timeout: 8000 });
      state = await tv(page);
      assert(await page.evaluate(() => window.__sameDocument === true), 'adopted without a page reload');
      const lines = Object.fromEntries(state.planLines.map((l) => [l.kind, l]));
      assert(near(lines.entry.price, swing.entry) && near(lines.stop.price, swing.stop) && near(lines.tp1.price, swing.targets[0].price), `the preview is now the live plan: ${JSON.stringify(lines)}`);
      assert(state.scenarioLines.length === 0, 'the overlay is gone once adopted');
      assert(state.log.some((l) => l.startsWith('Scenario adopted')), `log: ${state.log}`);
      const url = new URL(page.url());
      assert(!url.searchParams.has('plan_id') && url.searchParams.get('vt') === vt && Number(url.searchParams.get('entry')) === swing.entry && url.searchParams.get('style') === 'swing', `link carries the adopted plan and keeps the token: ${url}`);
      await page.screenshot({ path: join(shots, 'tv-scenario-adopted.png') });
      // The rewritten link alone shows the adopted plan.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await waitReady(page);
      await page.waitForFunction(() => window.__tv.planLines.length > 0);
      assert(near((await tv(page)).planLines.find((l) => l.kind === 'entry').price, swing.entry), 'the link reloads the adopted plan');
      await finish(s);
    }],
    ['scenario on a trusted desk: a stored scenario is adopted by id and followed live', async () => {
      const s = await open(context, `${base}/tv?symbol=SPY&interval=5m`);
      const { page } = s;
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const leaps = await (await fetch(`${base}/gpt/plan`, { method: 'POST', body: JSON.stringify({ symbol: 'SPY', style: 'leaps' }) })).json();
      await page.click('[data-testid=scenarios] [data-style=leaps]');
      await page.waitForFunction(() => window.__tv.scenarioLines.length > 0);
      await page.click('[data-testid=adopt-scenario]');
      await page.waitForFunction(() => window.__tv.planId === 'scn-leaps-SPY' && window.__tv.planSocketState === 'open', null, { timeout: 8000 });
      const state = await tv(page);
      assert(await page.evaluate(() => window.__sameDocument === true), 'adopted without a page reload');
      assert(near(state.planLines.find((l) => l.kind === 'entry').price, leaps.entry), 'the scenario is now the live plan');
      // The new plan's token came with the /gpt/plan answer (its chart link) and names that plan.
      const newVt = state.viewToken;
      assert(newVt && Buffer.from(newVt.split('.')[0], 'base64url').toString().startsWith('scn-leaps-SPY|'), `token for the adopted plan: ${newVt}`);
      const url = new URL(page.url());
      assert(url.searchParams.get('plan_id') === 'scn-leaps-SPY' && url.searchParams.get('vt') === newVt, `link rewritten: ${url}`);
      const after = await fetchJson('/__fixture/requests');
      for (const path of ['/idea/scn-leaps-SPY', '/api/v1/gpt/chart-layers', '/ws/plans/scn-leaps-SPY']) {
        const hit = after.filter((r) => r.path === path && (r.query.plan_id ?? 'scn-leaps-SPY') === 'scn-leaps-SPY');
        assert(hit.length > 0 && hit.every((r) => r.query.vt === newVt), `${path} carried the new plan's vt`);
      }
      await finish(s);
    }],
    ['replan with only a view token: next_plan_vt in the offer opens the next plan', async () => {
      const vt = mintViewToken('private-replan');
      const s = await open(context, `${base}/tv?plan_id=private-replan&vt=${vt}`);
      const { page } = s;
      await page.evaluate(() => localStorage.removeItem('td.autoRearm'));
      await page.locator('[data-testid=next-plan]').waitFor({ timeout: 8000 });
      let state = await tv(page);
      const nextVt = state.nextPlan.viewToken;
      assert(state.nextPlan.planId === 'private-replan-2' && nextVt && nextVt !== vt, `offer with its own token: ${JSON.stringify(state.nextPlan)}`);
      await page.click('[data-testid=next-plan-reload]');
      await page.waitForFunction(() => window.__tv.planId === 'private-replan-2' && window.__tv.planLines.length > 0 && window.__tv.planSocketState === 'open', null, { timeout: 8000 });
      state = await tv(page);
      assert(!state.messages.some((m) => m.key === 'plan'), `the next plan loaded: ${JSON.stringify(state.messages)}`);
      const url = new URL(page.url());
      assert(url.searchParams.get('plan_id') === 'private-replan-2' && url.searchParams.get('vt') === nextVt, `link follows with the new token: ${url}`);
      const reqs = (await fetchJson('/__fixture/requests')).filter((r) => r.path === '/idea/private-replan-2' || r.path === '/ws/plans/private-replan-2');
      assert(reqs.length >= 2 && reqs.every((r) => r.query.vt === nextVt), `the next plan is read with next_plan_vt: ${JSON.stringify(reqs)}`);
      await finish(s);
    }],
    ['replan: stop-out, then the next-plan offer; Reload adopts it in place', async () => {
      const s = await open(context, `${base}/tv?plan_id=demo-replan`);
      const { page } = s;
      await page.evaluate(() => {
        localStorage.removeItem('td.autoRearm');
        window.__sameDocument = true;
      });
      await page.locator('[data-testid=next-plan]').waitFor({ timeout: 8000 });
      let state = await tv(page);
      assert(state.log.some((l) => l.startsWith('Status → Invalidated')), `stop-out logged: ${state.log}`);
      assert(state.planStatus === 'invalidated', `status pill shows the stop-out: ${state.planStatus}`);
      assert(!state.log.some((l) => l.includes('Not this plan')), 'a delta for another plan is ignored');
      assert(state.nextPlan.planId === 'demo-replan-2', 'next plan offered');
      assert((await page.locator('[data-testid=next-plan]').innerText()).includes('demo-replan-2'), 'banner names the next plan');
      await page.screenshot({ path: join(shots, 'tv-next-plan.png') });
      await page.click('[data-testid=next-plan-reload]');
      await page.waitForFunction(() => window.__tv.planId === 'demo-replan-2' && window.__tv.planLines.length > 0);
      state = await tv(page);
      assert(await page.evaluate(() => window.__sameDocument === true), 'no page reload');
      assert(new URL(page.url()).searchParams.get('plan_id') === 'demo-replan-2', 'link follows the next plan');
      assert((await page.locator('[data-testid=next-plan]').count()) === 0, 'offer dismissed');
      await finish(s);
    }],
    ['auto-rearm: the persisted toggle adopts the next plan automatically', async () => {
      const s = await open(context, `${base}/tv?plan_id=demo-long`);
      const { page } = s;
      await page.evaluate(() => localStorage.removeItem('td.autoRearm'));
      assert((await page.locator('[data-testid=auto-rearm]').innerText()).includes('Off'), 'off by default');
      await page.click('[data-testid=auto-rearm]');
      assert((await page.evaluate(() => localStorage.getItem('td.autoRearm'))) === '1', 'stored');
      await page.goto(`${base}/tv?plan_id=demo-replan`, { waitUntil: 'domcontentloaded' });
      await waitReady(page);
      assert((await tv(page)).autoRearm === true, 'the choice survives a new page');
      await page.waitForFunction(() => window.__tv.planId === 'demo-replan-2', null, { timeout: 8000 });
      const state = await tv(page);
      assert(state.log.some((l) => l.startsWith('Auto replan applied')), `log: ${state.log}`);
      assert((await page.locator('[data-testid=next-plan]').count()) === 0, 'no manual offer when auto-rearm is on');
      assert(new URL(page.url()).searchParams.get('plan_id') === 'demo-replan-2', 'link follows');
      await page.screenshot({ path: join(shots, 'tv-auto-rearm.png') });
      await page.evaluate(() => localStorage.removeItem('td.autoRearm'));
      await finish(s);
    }],
    ['timeframes: switching keeps plan_id and vt in the link and redraws', async () => {
      const vt = mintViewToken('private-long');
      const s = await open(context, `${base}/tv?plan_id=private-long&vt=${vt}`);
      const { page } = s;
      await page.waitForFunction(() => window.__tv.planLines.length > 0);
      for (const iv of ['15m', '1h', '1D', '1m']) {
        await page.click(`[data-testid=timeframes] >> text=${iv}`);
        await page.waitForFunction((want) => window.__tv.interval === want && window.__tv.ready && window.__tv.barCount > 0, iv);
        const url = new URL(page.url());
        assert(url.searchParams.get('interval') === iv && url.searchParams.get('plan_id') === 'private-long' && url.searchParams.get('vt') === vt, `link after ${iv}: ${url}`);
        assert((await tv(page)).planLines.length > 0, `plan still drawn on ${iv}`);
        if (iv === '1h') await page.screenshot({ path: join(shots, 'tv-private-1h.png') });
      }
      await finish(s);
    }],
    ['replay: the last N minutes play through the live path; speed control applies', async () => {
      const s = await open(context, `${base}/tv?symbol=SPY&interval=1m`);
      const { page } = s;
      const full = (await tv(page)).barCount;
      await page.fill('[data-testid=replay-minutes]', '4');
      await page.click('[data-testid=replay-start]');
      await page.waitForFunction(() => window.__tv.replay.running && window.__tv.replay.total === 4);
      let state = await tv(page);
      assert(state.barCount <= full - 3, `history cut back for the replay: ${state.barCount} of ${full}`);
      await page.waitForFunction(() => window.__tv.replay.position >= 2);
      await page.screenshot({ path: join(shots, 'tv-replay.png') });
      await page.selectOption('[data-testid=replay-speed]', '8');
      await page.waitForFunction(() => !window.__tv.replay.running, null, { timeout: 5000 });
      state = await tv(page);
      assert(state.replay.speed === 8, 'speed changed');
      assert(state.barCount >= full, `bars restored after the replay: ${state.barCount} vs ${full}`);
      assert(state.log.some((l) => l === 'Replay of the last 4 min finished'), `log: ${state.log}`);
      const req = (await fetchJson('/__fixture/requests')).filter((r) => r.path === '/tv-api/bars' && r.query.resolution === '1m').pop();
      assert(req && Number(req.query.to) - Number(req.query.from) <= 5 * 60, `replay fetched its window from /tv-api/bars: ${JSON.stringify(req)}`);
      await finish(s);
    }],
    ['auth: a private plan without a valid view token says so clearly, never a blank chart', async () => {
      const s = await open(context, `${base}/tv?plan_id=private-long&symbol=SPY`, NETWORK_ERRORS);
      const { page } = s;
      await page.waitForFunction(() => window.__tv.messages.some((m) => m.text.includes('401')));
      const state = await tv(page);
      const msg = state.messages.find((m) => m.text.includes('401'));
      assert(msg.severity === 'error' && msg.text.includes('view token'), `clear message: ${msg.text}`);
      assert(state.barCount > 0, 'market data still drawn');
      await page.screenshot({ path: join(shots, 'tv-unauthorised.png') });
      await finish(s);
      const wrongVt = mintViewToken('demo-long');
      const page2 = await context.newPage();
      const watch2 = watchErrors(page2);
      await page2.goto(`${base}/tv?plan_id=private-long&vt=${wrongVt}`, { waitUntil: 'domcontentloaded' });
      const wrong = { page: page2, watch: watch2, allow: NETWORK_ERRORS };
      await page2.locator('[data-testid=chart-overlay]').waitFor();
      await page2.waitForFunction(() => window.__tv && window.__tv.messages.some((m) => m.text.includes('401')));
      const overlay = await page2.locator('[data-testid=chart-overlay]').innerText();
      const text = await page2.locator('[data-testid=messages]').innerText();
      assert(overlay.length > 10 && text.includes('another plan'), `wrong-plan token explained: ${overlay} / ${text}`);
      const sockets = (await fetchJson('/__fixture/requests')).filter((r) => r.websocket && r.path === '/ws/plans/private-long' && (!r.query.vt || r.query.vt === wrongVt));
      assert(sockets.length === 0, 'no plan socket is opened for a plan the server refused');
      await finish(wrong);
      // A token the server does not accept cannot make scenario plans: said on the page, nothing drawn.
      const forged = await open(context, `${base}/tv?symbol=SPY&vt=Zm9yZ2Vk.AAAAAAAAAAAAAAAAAAAAAA`, NETWORK_ERRORS);
      await forged.page.click('[data-testid=scenarios] [data-style=scalp]');
      await forged.page.waitForFunction(() => window.__tv.scenarios.scalp === 'error');
      const fstate = await tv(forged.page);
      assert(fstate.scenarioLines.length === 0 && fstate.messages.some((m) => m.text.includes('needs an API key')), `scenario refusal explained: ${JSON.stringify(fstate.messages)}`);
      await finish(forged);
    }],
    ['plan_version loads that version; the live socket moves it (and the link) to the newer one', async () => {
      const s = await open(context, `${base}/tv?plan_id=demo-long&plan_version=2`);
      await s.page.waitForFunction(() => window.__tv.planLines.length > 0);
      const ideaReq = (await fetchJson('/__fixture/requests')).filter((r) => r.path.startsWith('/idea/demo-long')).pop();
      assert(ideaReq.path === '/idea/demo-long/2', `pinned version fetched: ${ideaReq.path}`);
      await s.page.waitForFunction(() => window.__tv.log.includes('Plan updated to v3'), null, { timeout: 8000 });
      assert((await s.page.locator('[data-testid=plan-panel] h2').innerText()).includes('demo-long v3'), 'panel shows the live version');
      assert(new URL(s.page.url()).searchParams.get('plan_version') === '3', 'link follows the version on screen');
      await finish(s);
      const bad = await open(context, `${base}/tv?plan_id=demo-long&plan_version=9&symbol=SPY`, NETWORK_ERRORS);
      await bad.page.waitForFunction(() => window.__tv.messages.some((m) => m.key === 'plan' && m.text.includes('Plan version not found')));
      assert((await tv(bad.page)).barCount > 0, 'bars still drawn');
      await finish(bad);
    }],
  ];
}
