#!/usr/bin/env node
// `npm run e2e`: the /tv checks against a running tradedesk server at TD_E2E_BASE_URL
// (optional TD_E2E_SYMBOL, default SPY, and TD_E2E_PLAN_ID). Skips cleanly when it is not set.

import { launch, runTests } from './lib.mjs';
import { commonTests } from './suite.mjs';

const base = process.env.TD_E2E_BASE_URL?.replace(/\/+$/, '');
if (!base) {
  console.log('skipped: TD_E2E_BASE_URL not set (e.g. TD_E2E_BASE_URL=http://127.0.0.1:8080 npm run e2e; npm run e2e:fixture runs against the fixture server)');
  process.exit(0);
}

const browser = await launch();
let failed = 1;
try {
  failed = await runTests(`tradedesk /tv e2e against ${base}`, commonTests(browser.context, base, { symbol: process.env.TD_E2E_SYMBOL ?? 'SPY', planId: process.env.TD_E2E_PLAN_ID ?? null }));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
