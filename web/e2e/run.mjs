#!/usr/bin/env node
// `npm run e2e`: the /tv checks against a running tradedesk server at TD_E2E_BASE_URL
// (optional TD_E2E_SYMBOL, default SPY; TD_E2E_PLAN_ID with TD_E2E_VT for its view token, or
// TD_E2E_API_KEY to have a plan made by POST /gpt/plan and read its token from the chart link; with a key the
// live-server checks of e2e/live-suite.mjs run too: scenario adoption and a replan after a real stop-out).
// Skips cleanly when TD_E2E_BASE_URL is not set.

import { launch, runTests } from './lib.mjs';
import { liveServerTests } from './live-suite.mjs';
import { commonTests } from './suite.mjs';

const base = process.env.TD_E2E_BASE_URL?.replace(/\/+$/, '');
if (!base) {
  console.log('skipped: TD_E2E_BASE_URL not set (e.g. TD_E2E_BASE_URL=http://127.0.0.1:8080 npm run e2e; npm run e2e:fixture runs against the fixture server)');
  process.exit(0);
}

const symbol = process.env.TD_E2E_SYMBOL ?? 'SPY';
let planId = process.env.TD_E2E_PLAN_ID ?? null;
let viewToken = process.env.TD_E2E_VT ?? null;
if (!planId && process.env.TD_E2E_API_KEY) {
  // Make a plan as its owner, then open it the way a shared link does: with the view token only.
  const res = await fetch(`${base}/gpt/plan`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.TD_E2E_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ symbol, style: 'intraday' }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok || !body) {
    console.log(`note: POST /gpt/plan answered ${res.status} ${JSON.stringify(body)?.slice(0, 300)}; plan checks skipped`);
  } else {
    planId = body.plan_id ?? body.plan?.plan_id ?? null;
    const link = body.chart_url ?? body.charts?.interactive ?? body.trade_detail ?? null;
    viewToken = body.view_token ?? (link && link.includes('vt=') ? new URL(link, base).searchParams.get('vt') : null);
    console.log(`plan ${planId} made by POST /gpt/plan; view token ${viewToken ? 'found' : 'not found'} in its chart link`);
  }
}

const browser = await launch();
let failed = 1;
try {
  const tests = commonTests(browser.context, base, { symbol, planId, viewToken });
  // Scenario adoption and replans need a key to issue plans (the page itself only holds view tokens).
  if (process.env.TD_E2E_API_KEY) tests.push(...liveServerTests(browser.context, base, { key: process.env.TD_E2E_API_KEY, symbol }));
  else console.log('note: TD_E2E_API_KEY not set; the scenario-adoption and replan checks are skipped');
  failed = await runTests(`tradedesk /tv e2e against ${base}`, tests);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
