// Shared helpers for the browser checks: Debian's chromium through playwright-core, a tiny test
// runner, and page-error collection.

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const ARTIFACTS = join(WEB_DIR, 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser context in a fresh profile directory; close() removes the profile. */
export async function launch({ viewport = { width: 1400, height: 860 } } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'td-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects uncaught page errors and console errors; `allow` filters expected ones. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return {
    errors,
    unexpected(allow = []) {
      return errors.filter((e) => !allow.some((re) => re.test(e)));
    },
  };
}

/** Waits for the /tv page to settle (bars loaded, empty, or failed). */
export async function waitReady(page, timeout = 15000) {
  await page.waitForFunction(() => window.__tv && window.__tv.ready, null, { timeout });
}

export function tv(page) {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__tv)));
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function near(a, b, tol = 1e-6) {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

export function artifactsDir() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** Runs named async tests in order; prints a line each; returns the failure count. */
export async function runTests(title, tests) {
  console.log(`# ${title}`);
  let failed = 0;
  for (const [name, fn] of tests) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed += 1;
      console.log(`FAIL ${name}\n     ${String(err?.stack ?? err).split('\n').slice(0, 4).join('\n     ')}`);
    }
  }
  console.log(`# ${tests.length - failed}/${tests.length} passed`);
  return failed;
}
