// /tv checks that need the real tradedesk server (auth on, simulator, live plan engine) and an API key:
// adopting a scenario a shared link previews, and a replan after a real stop-out, offered and then
// adopted by Auto-rearm. The page itself only ever holds view tokens, like a link opened from ChatGPT;
// the key is used from node to issue plans and to read back what the server says the plans are.

import { join } from 'node:path';
import { artifactsDir, assert, near, tv, waitReady, watchErrors } from './lib.mjs';

/** The `vt` of a /gpt/plan answer's chart link. */
export function viewTokenOf(body, base) {
  const link = body?.chart_url ?? body?.trade_detail ?? null;
  return link && link.includes('vt=') ? new URL(link, base).searchParams.get('vt') : null;
}

async function api(base, key, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  return { status: res.status, body: json };
}

/** Issues a plan with the key; returns {planId, vt, plan}. */
async function issuePlan(base, key, request) {
  const res = await api(base, key, 'POST', '/gpt/plan', request);
  assert(res.status === 201 && res.body?.plan_id, `POST /gpt/plan ${JSON.stringify(request)} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
  const vt = viewTokenOf(res.body, base);
  assert(vt, 'the plan answer carries a chart link with a view token');
  return { planId: res.body.plan_id, vt, plan: res.body };
}

/** Waits until the page follows `planId` (default: whichever it follows now) and has drawn that plan from /idea. */
async function waitPlanLoaded(page, planId = null, timeout = 15000) {
  await page.waitForFunction(
    (want) => {
      const t = window.__tv;
      const id = want ?? t.planId;
      return id !== null && t.planId === id && t.planLines.length > 0 && t.log.some((l) => l.startsWith(`Plan ${id} loaded`));
    },
    planId,
    { timeout },
  );
}

function linesByKind(state) {
  return Object.fromEntries(state.planLines.map((l) => [l.kind, l]));
}

/** Plan lines at a plan payload's prices (the page may scale a far-off plan; the factor is read back too). */
function assertLinesAt(state, plan, what) {
  const lines = linesByKind(state);
  const f = state.scaleFactor ?? 1;
  const tp1 = typeof plan.targets[0] === 'number' ? plan.targets[0] : plan.targets[0].price;
  assert(lines.entry && near(lines.entry.price, plan.entry * f, 1e-6), `${what}: entry line ${lines.entry?.price} vs ${plan.entry} ×${f}`);
  assert(lines.stop && near(lines.stop.price, plan.stop * f, 1e-6), `${what}: stop line ${lines.stop?.price} vs ${plan.stop} ×${f}`);
  assert(lines.tp1 && near(lines.tp1.price, tp1 * f, 1e-6), `${what}: TP1 line ${lines.tp1?.price} vs ${tp1} ×${f}`);
}

/**
 * Finds, by asking the real server, a plan that was stopped out (or exited) since it was issued: plans with an
 * as_of 75 to 225 one-minute bars before the newest (so within a session, the previous one early in the day),
 * followed over the bars since by the live plan engine; a stop-out is preferred. The simulator is seeded, so for
 * a given clock the same plan wins.
 */
async function findReplannedPlan(context, base, key, symbol) {
  const now = Math.floor(Date.now() / 1000);
  const bars = await (await fetch(`${base}/tv-api/bars?symbol=${encodeURIComponent(symbol)}&resolution=1m&from=${now - 5 * 86400}&to=${now}`)).json();
  assert(Array.isArray(bars.bars) && bars.bars.length > 0, `1m bars for ${symbol}: ${JSON.stringify(bars).slice(0, 200)}`);
  const list = bars.bars;
  const last = list[list.length - 1].t;
  const candidates = [];
  // Counted in bars, not minutes, so an early-morning run reaches back into the previous session.
  for (const barsBack of [75, 105, 135, 165, 195, 225]) {
    const bar = list[Math.max(0, list.length - 1 - barsBack)];
    for (const style of ['scalp', 'intraday']) {
      const asOf = new Date(bar.t * 1000).toISOString();
      const issued = await issuePlan(base, key, { symbol, style, as_of: asOf });
      candidates.push({ ...issued, style, asOf });
    }
  }
  // Watch every candidate's plan socket at once (view tokens only, from a page on the server's origin).
  const page = await context.newPage();
  try {
    await page.goto(`${base}/healthz`);
    const offers = await page.evaluate(
      async ({ list, waitMs }) => {
        const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
        const found = {};
        await Promise.all(
          list.map(
            ({ planId, vt }) =>
              new Promise((done) => {
                const ws = new WebSocket(`${proto}//${location.host}/ws/plans/${encodeURIComponent(planId)}?vt=${encodeURIComponent(vt)}`);
                const timer = setTimeout(() => {
                  ws.close();
                  done();
                }, waitMs);
                let exit = null;
                ws.onmessage = (m) => {
                  const msg = JSON.parse(m.data);
                  const ev = msg.event ?? {};
                  if (ev.t === 'plan_delta' && (ev.kind === 'stopped_out' || ev.kind === 'exited')) exit = ev.kind;
                  if (ev.t === 'plan_delta' && ev.kind === 'replan_offered' && msg.plan_id === planId) {
                    found[planId] = { changes: ev.changes, exit };
                    clearTimeout(timer);
                    ws.close();
                    done();
                  }
                };
                ws.onerror = () => {
                  clearTimeout(timer);
                  done();
                };
              }),
          ),
        );
        return found;
      },
      { list: candidates.map(({ planId, vt }) => ({ planId, vt })), waitMs: 6000 },
    );
    // A stop-out is preferred; a plan that left at its final target or on the time rule is replanned the same way.
    const hit = candidates.find((c) => offers[c.planId]?.exit === 'stopped_out') ?? candidates.find((c) => offers[c.planId]);
    assert(hit, `none of ${candidates.length} ${symbol} plans issued 75–225 session minutes before ${new Date(last * 1000).toISOString()} was replanned`);
    return { ...hit, offer: offers[hit.planId].changes, exit: offers[hit.planId].exit, replanned: Object.keys(offers).length, candidates: candidates.length };
  } finally {
    await page.close();
  }
}

export function liveServerTests(context, base, { key, symbol = 'SPY' }) {
  const shots = artifactsDir();
  return [
    ['live: a shared link previews a scenario; Adopt makes it the live plan without a reload', async () => {
      const { planId, vt, plan } = await issuePlan(base, key, { symbol, style: 'intraday' });
      const page = await context.newPage();
      const watch = watchErrors(page);
      await page.goto(`${base}/tv?plan_id=${encodeURIComponent(planId)}&vt=${encodeURIComponent(vt)}&focus=plan`, { waitUntil: 'domcontentloaded' });
      await waitReady(page);
      await page.waitForFunction(() => window.__tv.planLines.length > 0 && window.__tv.planSocketState === 'open', null, { timeout: 15000 });
      assertLinesAt(await tv(page), plan, 'the issued plan');
      await page.screenshot({ path: join(shots, 'live-plan.png') });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      // A style other than the live plan's: the page has only the link's token, so the server previews it.
      const style = plan.style === 'swing' ? 'scalp' : 'swing';
      const answered = page.waitForResponse((r) => r.url().includes('/gpt/plan') && r.request().method() === 'POST', { timeout: 20000 });
      await page.click(`[data-testid=scenarios] [data-style=${style}]`);
      const response = await answered;
      const preview = await response.json();
      assert(response.status() === 200 && preview.preview === true && preview.plan_id === undefined, `a view token gets a preview, not a stored plan: ${response.status()} ${JSON.stringify(preview).slice(0, 300)}`);
      assert(new URL(response.url()).searchParams.get('vt') === vt, 'the scenario request carried the link token');
      await page.waitForFunction(() => window.__tv.scenarioLines.length > 0, null, { timeout: 10000 });
      let state = await tv(page);
      const scen = Object.fromEntries(state.scenarioLines.map((l) => [l.kind, l]));
      const tp1 = typeof preview.targets[0] === 'number' ? preview.targets[0] : preview.targets[0].price;
      assert(near(scen.entry.price, preview.entry) && near(scen.stop.price, preview.stop) && near(scen.tp1.price, tp1), `dashed scenario at the preview's prices: ${JSON.stringify(scen)}`);
      assert(state.scenarioLines.every((l) => l.label.startsWith('Scenario · ')), 'scenario lines are labelled');
      await page.screenshot({ path: join(shots, 'live-scenario.png') });

      await page.click('[data-testid=adopt-scenario]');
      await page.waitForFunction(() => window.__tv.planId === null && window.__tv.scenarioLines.length === 0 && window.__tv.planSocketState === 'closed', null, { timeout: 10000 });
      state = await tv(page);
      assert(await page.evaluate(() => window.__sameDocument === true), 'adopted without a page reload');
      assertLinesAt(state, preview, 'the adopted scenario');
      const url = new URL(page.url());
      assert(!url.searchParams.has('plan_id') && url.searchParams.get('vt') === vt && url.searchParams.get('style') === style, `link carries the adopted plan: ${url}`);
      assert(state.log.some((l) => l.startsWith('Scenario adopted')), `log: ${state.log}`);
      await page.screenshot({ path: join(shots, 'live-scenario-adopted.png') });
      // The stored plan is untouched: the preview was never stored.
      const after = await api(base, key, 'GET', `/idea/${planId}`);
      assert(after.status === 200 && after.body.version === 1 && after.body.entry === plan.entry, 'the link plan is unchanged');
      const bad = watch.unexpected([]);
      await page.close();
      assert(bad.length === 0, `browser errors:\n  ${bad.join('\n  ')}`);
    }],
    ['live: a stopped-out plan offers its replan; Reload and Auto-rearm adopt it with next_plan_vt', async () => {
      const found = await findReplannedPlan(context, base, key, symbol);
      const nextId = found.offer.next_plan_id;
      assert(typeof found.offer.next_plan_vt === 'string' && found.offer.next_plan_vt.length > 20, `the offer carries a token for the next plan: ${JSON.stringify(found.offer)}`);
      console.log(`     ${found.replanned} of ${found.candidates} candidate plans were replanned; using ${found.planId} (${found.style}, as_of ${found.asOf}, ${found.exit}) → ${nextId}`);
      const link = `${base}/tv?plan_id=${encodeURIComponent(found.planId)}&vt=${encodeURIComponent(found.vt)}`;

      // Auto-rearm off: the offer is shown; Reload adopts it in place.
      const page = await context.newPage();
      const watch = watchErrors(page);
      await page.goto(link, { waitUntil: 'domcontentloaded' });
      await page.evaluate(() => localStorage.removeItem('td.autoRearm'));
      await waitReady(page);
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      await page.locator('[data-testid=next-plan]').waitFor({ timeout: 15000 });
      let state = await tv(page);
      assert(state.nextPlan.planId === nextId && state.nextPlan.viewToken === found.offer.next_plan_vt, `offer on the page: ${JSON.stringify(state.nextPlan)}`);
      assert(state.log.some((l) => /stop|exit/i.test(l)), `the stop-out (or exit) is in the plan log: ${state.log}`);
      await page.screenshot({ path: join(shots, 'live-next-plan.png') });
      await page.click('[data-testid=next-plan-reload]');
      await waitPlanLoaded(page, nextId);
      state = await tv(page);
      assert(await page.evaluate(() => window.__sameDocument === true), 'adopted without a page reload');
      assert(!state.messages.some((m) => m.key === 'plan'), `the next plan loaded with its own token: ${JSON.stringify(state.messages)}`);
      const next = await api(base, key, 'GET', `/idea/${nextId}`);
      assert(next.status === 200, `the next plan is stored: ${next.status}`);
      assertLinesAt(state, next.body, 'the next plan');
      const url = new URL(page.url());
      assert(url.searchParams.get('plan_id') === nextId && url.searchParams.get('vt') === found.offer.next_plan_vt, `link follows the next plan: ${url}`);

      // Auto-rearm on (stored), the original link again: the offer is adopted by itself.
      await page.click('[data-testid=auto-rearm]');
      await page.goto(link, { waitUntil: 'domcontentloaded' });
      await waitReady(page);
      assert((await tv(page)).autoRearm === true, 'the Auto-rearm choice survived the new page');
      await page.waitForFunction((id) => window.__tv.log.some((l) => l.startsWith(`Auto replan applied: now following ${id}`)), nextId, { timeout: 15000 });
      // The next plan may itself have been replanned since (Auto-rearm follows the chain): whichever plan the page
      // follows now must be drawn at the prices the server stored for it.
      // Checked once the chain has settled: the followed plan's lines at its stored prices twice in a row.
      let settled = null;
      for (let attempt = 0; attempt < 30 && !settled; attempt++) {
        await waitPlanLoaded(page);
        const seen = await tv(page);
        const stored = await api(base, key, 'GET', `/idea/${seen.planId}`);
        try {
          assertLinesAt(seen, stored.body, 'the auto-adopted plan');
          if ((await tv(page)).planId === seen.planId) settled = { state: seen, plan: stored.body };
        } catch {
          await page.waitForTimeout(300);
        }
      }
      assert(settled, `the auto-adopted plan's lines never matched its stored prices: ${JSON.stringify((await tv(page)).planLines)}`);
      state = settled.state;
      assertLinesAt(state, settled.plan, 'the auto-adopted plan');
      assert(state.planId !== found.planId, `auto-rearm left the stopped-out plan: ${state.log}`);
      assert((await page.locator('[data-testid=next-plan]').count()) === 0, 'no manual offer with Auto-rearm on');
      await page.screenshot({ path: join(shots, 'live-auto-rearm.png') });
      await page.evaluate(() => localStorage.removeItem('td.autoRearm'));
      const bad = watch.unexpected([]);
      await page.close();
      assert(bad.length === 0, `browser errors:\n  ${bad.join('\n  ')}`);
    }],
  ];
}
