#!/usr/bin/env node
// `npm run e2e:fixture`: builds nothing — serves the existing web/dist with the fixture API on a
// free port, then runs the common and fixture-specific /tv checks. Screenshots go to
// web/test-artifacts/.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, runTests, WEB_DIR } from './lib.mjs';
import { startFixtureServer } from './fixture-server.mjs';
import { commonTests, fixtureTests } from './suite.mjs';

if (!existsSync(join(WEB_DIR, 'dist', 'index.html'))) {
  console.error('web/dist is missing: run `npm run build` first');
  process.exit(1);
}
const server = await startFixtureServer({ port: 0 });
const browser = await launch();
let failed = 1;
try {
  const tests = [...commonTests(browser.context, server.url, { symbol: 'SPY', planId: 'demo-long', allowNetworkErrors: false }), ...fixtureTests(browser.context, server.url)];
  failed = await runTests(`tradedesk /tv e2e against the fixture server ${server.url}`, tests);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
