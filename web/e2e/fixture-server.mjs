#!/usr/bin/env node
// A stand-in for the tradedesk server while its endpoints are being built: serves web/dist (with
// the index.html fallback for non-API paths) plus deterministic fixture data on the agreed
// contract — /tv-api/bars, /idea/{id}, /api/v1/gpt/chart-layers, POST /gpt/plan, SSE
// /stream/{symbol} (event ids, Last-Event-ID resume) and the WebSocket /ws/plans/{id} (plan_full,
// then plan_delta sequences including a stop-out and a replan). Prices are a fixed function of
// time, so the same bar start always gives the same candle. Plans named "private-*" and every
// scenario plan need a view token (`vt`) like the real server's; GET /__fixture/requests lists
// the API requests seen (path, query, Last-Event-ID) for the tests. Used by e2e/run-fixture.mjs and
// e2e/bench.mjs; `npm run fixture` runs it.

import { createHash, createHmac } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const DEFAULT_DIST = resolve(here, '..', 'dist');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// ---- exchange time ---------------------------------------------------------------------------

const SESSIONS = {
  us: { tz: 'America/New_York', open: 9 * 60 + 30, close: 16 * 60, base: 580 },
  nse: { tz: 'Asia/Kolkata', open: 9 * 60 + 15, close: 15 * 60 + 30, base: 24500 },
};

function sessionOf(symbol) {
  return /^(NSE|BSE|NFO|BFO|NSE_INDEX|BSE_INDEX)[:]/i.test(symbol) ? SESSIONS.nse : SESSIONS.us;
}

const fmtCache = new Map();
function localParts(unix, tz) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    fmtCache.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(unix * 1000)).map((p) => [p.type, p.value]));
  return { y: +parts.year, m: +parts.month, d: +parts.day, hh: +parts.hour % 24, mm: +parts.minute, wd: parts.weekday };
}

function offsetMin(unix, tz) {
  const p = localParts(unix, tz);
  return Math.round((Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm) / 1000 - Math.floor(unix / 60) * 60) / 60);
}

function localToUtc(y, m, d, minutes, tz) {
  const naive = Date.UTC(y, m - 1, d) / 1000 + minutes * 60;
  let guess = naive - offsetMin(naive, tz) * 60;
  guess = naive - offsetMin(guess, tz) * 60;
  return guess;
}

// ---- deterministic prices ----------------------------------------------------------------------

function hash01(n) {
  let x = (Math.floor(n) ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

function priceAt(t, base) {
  const slow = 0.04 * Math.sin(t / (86400 * 9)) + 0.02 * Math.sin(t / (86400 * 2.3));
  const fast = 0.004 * Math.sin(t / 5400) + 0.002 * Math.sin(t / 1300 + 1);
  return base * (1 + slow + fast);
}

function makeBar(t, sec, base) {
  const o = priceAt(t, base);
  const c = priceAt(t + sec, base);
  const wick = base * 0.0008 * Math.sqrt(sec / 300);
  const h = Math.max(o, c) + wick * hash01(t);
  const l = Math.min(o, c) - wick * hash01(t + 7);
  const v = Math.round(1000 * (sec / 60) * (0.5 + hash01(t + 13)));
  const r = (x) => Math.round(x * 100) / 100;
  return { t, o: r(o), h: r(h), l: r(l), c: r(c), v };
}

const RES = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14400, '1D': 86400, '1W': 604800 };

/** The last `count` session bars ending at or before `to` (weekdays only, aligned to the open). */
export function sessionBars(symbol, resolution, to, count) {
  const sec = RES[resolution];
  const s = sessionOf(symbol);
  const out = [];
  let day = localParts(to, s.tz);
  let cursor = Date.UTC(day.y, day.m - 1, day.d) / 1000;
  for (let guard = 0; guard < 4000 && out.length < count; guard++) {
    const dt = new Date(cursor * 1000);
    const y = dt.getUTCFullYear();
    const m = dt.getUTCMonth() + 1;
    const d = dt.getUTCDate();
    const wd = dt.getUTCDay();
    const isWeekday = wd >= 1 && wd <= 5;
    if (isWeekday) {
      const open = localToUtc(y, m, d, s.open, s.tz);
      const close = localToUtc(y, m, d, s.close, s.tz);
      const dayBars = [];
      if (sec >= 604800) {
        if (wd === 1) dayBars.push(makeBar(open, sec, s.base));
      } else if (sec >= 86400) {
        dayBars.push(makeBar(open, close - open, s.base));
        dayBars[0].t = open;
      } else {
        for (let t = open; t < close; t += sec) dayBars.push(makeBar(t, Math.min(sec, close - t), s.base));
      }
      for (let i = dayBars.length - 1; i >= 0 && out.length < count; i--) if (dayBars[i].t <= to) out.push(dayBars[i]);
    }
    cursor -= 86400;
  }
  return out.reverse();
}

function lastClose(symbol, now) {
  const bars = sessionBars(symbol, '5m', now, 1);
  return bars.length ? bars[bars.length - 1].c : sessionOf(symbol).base;
}

// ---- plans and layers ----------------------------------------------------------------------------

const PLANS = {
  'demo-long': { symbol: 'SPY', factor: 1, strategy: 'VWAP reclaim', style: 'intraday' },
  'demo-nifty': { symbol: 'NSE_INDEX:NIFTY', factor: 1, strategy: 'Opening range retest', style: 'intraday' },
  'demo-old': { symbol: 'SPY', factor: 2, strategy: 'Gap fill', style: 'swing' },
  // Its WebSocket walks intact → at risk → stopped out → replanned (next_plan_id demo-replan-2).
  'demo-replan': { symbol: 'SPY', factor: 1, strategy: 'Breakout retest', style: 'intraday' },
  'demo-replan-2': { symbol: 'SPY', factor: 1, strategy: 'Rearmed breakout', style: 'intraday' },
  // Needs a view token minted for it.
  'private-long': { symbol: 'SPY', factor: 1, strategy: 'Private VWAP reclaim', style: 'intraday' },
  // Private and replanned: its offer carries next_plan_vt, the only way a token-only viewer can open the next one.
  'private-replan': { symbol: 'SPY', factor: 1, strategy: 'Private breakout retest', style: 'intraday' },
  'private-replan-2': { symbol: 'SPY', factor: 1, strategy: 'Private rearmed breakout', style: 'intraday' },
};

/** Risk as a fraction of entry and the target ladder per style (scenario plans differ visibly). */
const STYLE_SHAPE = {
  scalp: { risk: 0.002, tps: [1.2, 2.0, 2.8], interval: '1m' },
  intraday: { risk: 0.006, tps: [1.5, 2.6, 3.8], interval: '5m' },
  swing: { risk: 0.02, tps: [1.8, 3.0, 4.5], interval: '1h' },
  leaps: { risk: 0.08, tps: [2.0, 3.5, 5.0], interval: '1D' },
};
const STYLES = Object.keys(STYLE_SHAPE);

/** Scenario plan ids: scn-<style>-<symbol with ':' as '~'>. */
function scenarioSpec(planId) {
  const m = /^scn-(scalp|intraday|swing|leaps)-(.+)$/.exec(planId);
  if (!m) return null;
  return { symbol: m[2].replace(/~/g, ':'), factor: 1, strategy: `${m[1][0].toUpperCase()}${m[1].slice(1)} scenario`, style: m[1] };
}

function planSpec(planId) {
  return PLANS[planId] ?? scenarioSpec(planId);
}

// ---- view tokens (same shape as the server's: base64url(payload).base64url(mac)) ---------------------------

const VT_SECRET = 'fixture-view-token-secret';

function b64url(buf) {
  return Buffer.from(buf).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function mintViewToken(planId, user = 'fixture', expires = Math.floor(Date.now() / 1000) + 7 * 86400) {
  const payload = `${planId}|${user}|${expires}`;
  return `${b64url(payload)}.${b64url(createHmac('sha256', VT_SECRET).update(payload).digest())}`;
}

/** null when the token grants reading planId now; else the reason. */
function checkViewToken(token, planId, now) {
  if (!token) return 'a view token (vt) or an API key is required';
  const [p, mac] = token.split('.');
  if (!p || !mac) return 'malformed view token';
  const payload = Buffer.from(p.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString();
  if (b64url(createHmac('sha256', VT_SECRET).update(payload).digest()) !== mac) return 'bad view token signature';
  const [pid, , exp] = payload.split('|');
  if (planId !== null && pid !== planId) return 'view token is for another plan';
  if (Number(exp) < now) return 'view token expired';
  return null;
}

function needsToken(planId) {
  return planId.startsWith('private-') || planId.startsWith('scn-');
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

export function buildPlan(planId, now) {
  const spec = planSpec(planId);
  if (!spec) return null;
  const shape = STYLE_SHAPE[spec.style] ?? STYLE_SHAPE.intraday;
  const last = lastClose(spec.symbol, now);
  // Scenario plans sit at their own style's pullback, so each is visibly different from the live plan.
  const pullback = PLANS[planId] ? 0.999 : { scalp: 0.9995, intraday: 0.998, swing: 0.994, leaps: 0.985 }[spec.style];
  const entry = round2(last * pullback * spec.factor);
  const risk = entry * shape.risk;
  const stop = round2(entry - risk);
  const tps = shape.tps.map((k) => round2(entry + k * risk));
  const probs = [0.62, 0.45, 0.3];
  const r = (k) => round2(entry + k * risk);
  return {
    plan_id: planId,
    version: 3,
    symbol: spec.symbol,
    interval: PLANS[planId] ? '5m' : shape.interval,
    direction: 'long',
    strategy: spec.strategy,
    style: spec.style,
    entry,
    stop,
    targets: tps.map((price, i) => ({ price, rr: round2((price - entry) / risk), prob: probs[i], reason: ['VAH', 'Prior day high', 'Measured move'][i], em_fraction: [0.45, 0.8, 1.1][i] })),
    runner: r(5),
    confidence: 0.74,
    factors: ['EMA stack aligned up', 'Reclaimed session VWAP', 'Volume mixed on the push', 'MTF alignment 15m/1h', 'Fighting below VWAP on 1h'],
    warnings: ['Wait for a 5m close above entry', 'Skip if spread > 2 ticks', 'CPI at 08:30 ET — size down'],
    status: 'intact',
    as_of: new Date(now * 1000).toISOString(),
    expected_move: round2(risk * 3.4),
    atr: round2(risk * 1.2),
    data_source: 'fixture',
    levels: [
      { price: tps[0], label: 'VAH', kind: 'volume_profile', primary: true },
      { price: r(0.6), label: 'PDH', kind: 'level', primary: true },
      { price: round2(r(0.6) + entry * 0.0002), label: 'Session High', kind: 'level', primary: true },
      { price: r(-0.35), label: 'POC', kind: 'volume_profile', primary: true },
      { price: r(-1.6), label: 'VAL', kind: 'volume_profile', primary: false },
      { price: r(6.2), label: 'Weekly High', kind: 'htf', primary: false },
      { price: round2(r(6.2) + entry * 0.0001), label: 'Monthly Pivot', kind: 'htf', primary: false },
    ],
    zones: [
      { kind: 'demand', top: r(-0.45), bottom: r(-0.8), label: 'Demand 5m', status: 'fresh' },
      { kind: 'supply', top: r(4.6), bottom: r(4.2), label: 'Supply 1h' },
      { kind: 'fvg', top: r(1.05), bottom: r(0.8), label: 'FVG' },
      { kind: 'liquidity', top: r(3.2), bottom: r(3.12), label: 'Equal highs' },
    ],
    avwaps: [{ anchor_ts: sessionBars(spec.symbol, '5m', now, 40)[0]?.t ?? now, label: 'AVWAP 40 bars' }],
  };
}

function buildLayers(planId, now) {
  const plan = buildPlan(planId, now);
  if (!plan) return null;
  return { plan_id: planId, levels: plan.levels, zones: plan.zones, overlays: { avwaps: plan.avwaps }, as_of: plan.as_of };
}

// ---- HTTP -------------------------------------------------------------------------------------------

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res, status, code, message, field = null) {
  sendJson(res, status, { error: { code, message, field } });
}

function serveStatic(res, distDir, pathname) {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(distDir, rel);
  if (!file.startsWith(distDir) || !existsSync(file) || !statSync(file).isFile()) file = join(distDir, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('web/dist is missing: run npm run build first');
    return;
  }
  const immutable = file.includes(`${join(distDir, 'assets')}`);
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  createReadStream(file).pipe(res);
}

function handleBars(url, res, clock) {
  const symbol = url.searchParams.get('symbol');
  const resolution = url.searchParams.get('resolution');
  const from = Number(url.searchParams.get('from'));
  const to = Math.min(Number(url.searchParams.get('to')) || clock(), clock());
  if (!symbol) return sendError(res, 400, 'invalid_argument', 'symbol is required', 'symbol');
  if (!RES[resolution]) return sendError(res, 400, 'invalid_argument', `unknown resolution ${resolution}`, 'resolution');
  if (!Number.isFinite(from) || from >= to) return sendError(res, 400, 'invalid_argument', 'from must be before to', 'from');
  if (symbol === 'FAIL') return sendError(res, 503, 'unavailable', 'market data provider down');
  const s = sessionOf(symbol);
  if (symbol === 'NODATA') return sendJson(res, 200, { symbol, resolution, tz: s.tz, bars: [], source: 'fixture' });
  const count = Math.min(5000, Math.max(1, Math.ceil((to - from) / RES[resolution])));
  sendJson(res, 200, { symbol, resolution, tz: s.tz, bars: sessionBars(symbol, resolution, to, count), source: 'fixture' });
}

/**
 * SSE per symbol. Every event has an id (one counter per symbol, like the server's history ring);
 * a reconnect with Last-Event-ID continues after it. The symbol FLAKY ends each response after
 * four events so the page has to reconnect and resume.
 */
function handleStream(symbol, req, res, clock, streamIds) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const resumeFrom = Number(req.headers['last-event-id']);
  let id = Number.isFinite(resumeFrom) && resumeFrom > 0 ? resumeFrom : streamIds.get(symbol) ?? 0;
  const bars = sessionBars(symbol, '5m', clock(), 1);
  const last = bars[bars.length - 1];
  let sent = 0;
  const timers = [];
  const stop = () => timers.forEach((t) => clearInterval(t));
  const send = (event, data) => {
    if (res.writableEnded) return;
    id += 1;
    streamIds.set(symbol, Math.max(streamIds.get(symbol) ?? 0, id));
    res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    sent += 1;
    if (symbol === 'FLAKY' && sent >= 4) {
      stop();
      res.end();
    }
  };
  send('heartbeat', { ts: new Date().toISOString() });
  send('market_status', { phase: 'regular', note: 'Market open (fixture).' });
  // A late tick (before the forming bar): the page must ignore it.
  if (last) send('tick', { p: last.c * 0.9, ts: last.t - 3000, source: 'fixture' });
  let n = 0;
  timers.push(setInterval(() => {
    n += 1;
    if (!last) return;
    send('tick', { p: round2(last.c + Math.sin(n) * last.c * 0.0004), ts: last.t + Math.min(299, n * 5), source: 'fixture' });
    // Every third tick is followed by one stamped earlier (out of order): ignored by the page.
    if (n % 3 === 0) send('tick', { p: round2(last.c * 1.05), ts: last.t + Math.min(299, n * 5) - 2, source: 'fixture' });
  }, 1000));
  timers.push(setInterval(() => send('heartbeat', { ts: new Date().toISOString() }), 2000));
  req.on('close', stop);
}

function wsFrame(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x81, len]) : len < 65536 ? Buffer.from([0x81, 126, len >> 8, len & 255]) : null;
  if (!header) throw new Error('fixture frames stay under 64 KiB');
  return Buffer.concat([header, payload]);
}

function handleUpgrade(req, socket, clock, log) {
  const url = new URL(req.url, 'http://fixture');
  const m = /^\/ws\/plans\/([^/]+)$/.exec(url.pathname);
  const key = req.headers['sec-websocket-key'];
  log.push({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), lastEventId: null, websocket: true });
  if (!m || !key) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  if (needsToken(decodeURIComponent(m[1])) && checkViewToken(url.searchParams.get('vt'), decodeURIComponent(m[1]), clock())) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const planId = decodeURIComponent(m[1]);
  const timers = [];
  const send = (obj) => {
    if (!socket.destroyed) socket.write(wsFrame(JSON.stringify(obj)));
  };
  const plan = buildPlan(planId, clock());
  if (!plan) {
    send({ plan_id: planId, event: { t: 'error', status: 404, detail: 'Plan not found' } });
  } else {
    const delta = (changes, reason = 'price_update') => ({ plan_id: planId, event: { t: 'plan_delta', plan_id: planId, version: plan.version, changes: { ...changes, timestamp: new Date().toISOString() }, reason } });
    const at = (ms, msg) => timers.push(setTimeout(() => send(msg), ms));
    // The server's first message: the whole plan (without layers; the page keeps chart-layers').
    const { levels: _levels, zones: _zones, avwaps: _avwaps, ...core } = plan;
    send({ plan_id: planId, event: { t: 'plan_full', plan_id: planId, payload: core, reason: 'subscribe' } });
    at(300, delta({ status: 'intact', note: 'Plan intact. Risk profile unchanged.', next_step: 'hold_plan', rr_to_t1: 1.5 }));
    at(600, delta({ status: 'intact', note: 'Plan intact. Risk profile unchanged.', next_step: 'hold_plan', rr_to_t1: 1.5 }));
    // A delta for another plan on the same socket must not touch this page.
    at(700, { plan_id: 'someone-else', event: { t: 'plan_delta', plan_id: 'someone-else', changes: { status: 'invalidated', note: 'Not this plan' } } });
    at(900, delta({ status: 'at_risk', note: 'Price is within stop buffer', next_step: 'tighten_stop' }));
    if (planId === 'demo-replan' || planId === 'private-replan') {
      const next = `${planId}-2`;
      at(1200, delta({ status: 'invalidated', note: `Stop level triggered at ${plan.stop}`, next_step: 'plan_invalidated', last_price: round2(plan.stop - 0.05), breach: 'stop_hit' }));
      // Like the server: every offer carries a view token for the next plan.
      at(1500, delta({ status: 'auto_replanned', note: `Plan replanned after stop; new plan ${next}.`, next_plan_id: next, next_plan_version: 1, next_plan_style: 'intraday', next_plan_vt: mintViewToken(next) }, 'auto_replan'));
    }
  }
  socket.on('data', (buf) => {
    if (buf.length && (buf[0] & 0x0f) === 0x8) socket.end(Buffer.from([0x88, 0]));
  });
  socket.on('close', () => timers.forEach(clearTimeout));
  socket.on('error', () => timers.forEach(clearTimeout));
}

function readBody(req) {
  return new Promise((done) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      if (text.length < 65536) text += c;
    });
    req.on('end', () => done(text));
    req.on('error', () => done(''));
  });
}

/** The plan id a genuine view token names. */
function tokenPlanId(token) {
  return Buffer.from(token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString().split('|')[0];
}

/**
 * POST /gpt/plan {symbol, style, as_of?}. Without a token (a trusted desk, like `serve --no-auth`) a
 * stored scenario plan with its chart link and view token; with a link's view token, like the server,
 * a preview of the token's plan's symbol only: `preview: true`, no plan_id, nothing to read back.
 */
async function handleGptPlan(req, url, res, clock) {
  const vt = url.searchParams.get('vt');
  if (vt && checkViewToken(vt, null, clock())) return sendError(res, 401, 'unauthenticated', checkViewToken(vt, null, clock()), 'vt');
  let body;
  try {
    body = JSON.parse((await readBody(req)) || 'null');
  } catch {
    return sendError(res, 400, 'invalid_argument', 'body is not JSON');
  }
  if (!body || typeof body !== 'object') return sendError(res, 400, 'invalid_argument', 'body must be an object');
  const symbol = typeof body.symbol === 'string' ? body.symbol.trim().toUpperCase() : '';
  if (!/^(?:[A-Z_]+:)?[A-Z0-9.&-]{1,20}$/.test(symbol)) return sendError(res, 400, 'invalid_argument', 'symbol is required', 'symbol');
  if (!STYLES.includes(body.style)) return sendError(res, 400, 'invalid_argument', `style must be one of ${STYLES.join(', ')}`, 'style');
  if (body.as_of !== undefined && !Number.isFinite(Date.parse(body.as_of))) return sendError(res, 400, 'invalid_argument', 'as_of must be an ISO time', 'as_of');
  if (symbol === 'NOPLAN') return sendError(res, 404, 'not_found', `No valid plan for ${symbol}`, 'symbol');
  const planId = `scn-${body.style}-${symbol.replace(/:/g, '~')}`;
  const plan = buildPlan(planId, clock());
  if (vt) {
    const own = planSpec(tokenPlanId(vt))?.symbol;
    if (!own || own !== symbol) return sendError(res, 403, 'permission_denied', `this view token previews plans for ${own ?? 'its plan'} only`, 'symbol');
    if (body.plan_id !== undefined) return sendError(res, 403, 'permission_denied', 'a view token cannot store plans', 'plan_id');
    const { plan_id: _id, version: _version, ...preview } = plan;
    return sendJson(res, 200, { ...preview, preview: true });
  }
  const token = mintViewToken(planId);
  return sendJson(res, 200, { ...plan, chart_url: `/tv?interval=${plan.interval}&plan_id=${encodeURIComponent(planId)}&symbol=${symbol}&vt=${token}` });
}

export function startFixtureServer({ port = 5174, host = '127.0.0.1', distDir = DEFAULT_DIST, now } = {}) {
  const clock = () => (now ? Number(now) : Math.floor(Date.now() / 1000));
  const log = [];
  const streamIds = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const path = url.pathname;
    if (path === '/__fixture/requests') return sendJson(res, 200, log.slice(-500));
    if (/^\/(tv-api|idea|api|gpt|stream|ws)\//.test(path)) {
      log.push({ method: req.method, path, query: Object.fromEntries(url.searchParams), lastEventId: req.headers['last-event-id'] ?? null });
    }
    const denied = (planId) => {
      const why = needsToken(planId) ? checkViewToken(url.searchParams.get('vt'), planId, clock()) : null;
      if (why) sendError(res, 401, 'unauthorized', why);
      return why !== null;
    };
    if (path === '/tv-api/bars') return handleBars(url, res, clock);
    if (path === '/gpt/plan') {
      if (req.method !== 'POST') return sendError(res, 405, 'method_not_allowed', 'use POST');
      handleGptPlan(req, url, res, clock);
      return;
    }
    if (path.startsWith('/idea/')) {
      const [rawId, rawVersion] = path.slice('/idea/'.length).split('/');
      const planId = decodeURIComponent(rawId);
      if (denied(planId)) return;
      const plan = buildPlan(planId, clock());
      if (!plan) return sendError(res, 404, 'not_found', 'Plan not found', 'plan_id');
      if (rawVersion === undefined) return sendJson(res, 200, plan);
      const version = Number(rawVersion);
      // Every fixture plan has versions 1..3 (3 is the latest).
      if (!Number.isInteger(version) || version < 1 || version > plan.version) return sendError(res, 404, 'not_found', 'Plan version not found', 'version');
      return sendJson(res, 200, { ...plan, version });
    }
    if (path === '/api/v1/gpt/chart-layers') {
      const planId = url.searchParams.get('plan_id') ?? '';
      if (denied(planId)) return;
      const layers = buildLayers(planId, clock());
      return layers ? sendJson(res, 200, layers) : sendError(res, 404, 'not_found', 'No layers for this plan', 'plan_id');
    }
    if (path.startsWith('/stream/')) return handleStream(decodeURIComponent(path.slice('/stream/'.length)), req, res, clock, streamIds);
    if (path.startsWith('/api/') || path.startsWith('/gpt/') || path.startsWith('/ws/')) return sendError(res, 404, 'not_found', `no route ${path}`);
    return serveStatic(res, distDir, path);
  });
  server.on('upgrade', (req, socket) => handleUpgrade(req, socket, clock, log));
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolvePromise({
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 5174);
  startFixtureServer({ port, now: process.env.FIXTURE_NOW }).then(({ url }) => {
    console.log(`fixture server on ${url}  (try ${url}/tv?plan_id=demo-long&focus=plan, or ${url}/tv?plan_id=private-long&vt=${mintViewToken('private-long')})`);
  });
}
