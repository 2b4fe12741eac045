// Pure live-data rules: forming-bar merge (late and out-of-order data ignored), heartbeat-age
// colouring, the plan log, and reconnect backoff.

import type { Bar } from './indicators';

export type BarUpdate =
  | { kind: 'ignored'; reason: 'late' | 'invalid' }
  | { kind: 'update'; bar: Bar } // replaces the forming (last) bar
  | { kind: 'append'; bar: Bar }; // starts a new bar

/**
 * Applies a trade tick to the last bar. Ticks older than the last bar's start are late and ignored.
 * Buckets are aligned to the last bar's start (not to the epoch), so sessions that open at :15 or
 * :30 keep their alignment.
 */
export function applyTick(last: Bar | null, price: number, ts: number, barSeconds: number, size = 0): BarUpdate {
  if (!Number.isFinite(price) || price <= 0 || !Number.isFinite(ts)) return { kind: 'ignored', reason: 'invalid' };
  if (last === null) {
    const start = Math.floor(ts / barSeconds) * barSeconds;
    return { kind: 'append', bar: { time: start, open: price, high: price, low: price, close: price, volume: size } };
  }
  if (ts < last.time) return { kind: 'ignored', reason: 'late' };
  if (ts < last.time + barSeconds) {
    return {
      kind: 'update',
      bar: { ...last, high: Math.max(last.high, price), low: Math.min(last.low, price), close: price, volume: last.volume + size },
    };
  }
  const start = last.time + Math.floor((ts - last.time) / barSeconds) * barSeconds;
  return { kind: 'append', bar: { time: start, open: price, high: price, low: price, close: price, volume: size } };
}

/**
 * A tick stamped before the newest tick already applied arrived out of order: its price is older
 * than the bar's close, so it is dropped (a late tick before the bar's start is caught by applyTick).
 */
export function isOutOfOrderTick(lastTickTs: number | null, ts: number): boolean {
  return lastTickTs !== null && ts < lastTickTs;
}

/** Applies a whole bar from the stream: older than the last bar → ignored, same start → replace, newer → append. */
export function applyBar(last: Bar | null, bar: Bar): BarUpdate {
  const values = [bar.time, bar.open, bar.high, bar.low, bar.close];
  if (values.some((v) => !Number.isFinite(v)) || bar.high < bar.low) return { kind: 'ignored', reason: 'invalid' };
  if (last === null || bar.time > last.time) return { kind: 'append', bar };
  if (bar.time === last.time) return { kind: 'update', bar };
  return { kind: 'ignored', reason: 'late' };
}

// ---- heartbeat ----------------------------------------------------------------------------------

export type StreamHealth = 'idle' | 'good' | 'warn' | 'stale';

/** Streaming pill colour: no data yet → idle; age ≤ 15 s good; ≤ 60 s warn; older stale. */
export function heartbeatHealth(lastBeatMs: number | null, nowMs: number): StreamHealth {
  if (lastBeatMs === null) return 'idle';
  const age = (nowMs - lastBeatMs) / 1000;
  if (age <= 15) return 'good';
  if (age <= 60) return 'warn';
  return 'stale';
}

export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

// ---- plan log ------------------------------------------------------------------------------------

export interface LogEntry {
  text: string;
  at: number; // ms
  severity: 'info' | 'alert';
}

export const LOG_KEEP = 50;
export const LOG_SHOW = 5;

/**
 * Adds a line to the plan log (newest first). An identical line to the newest is dropped; an
 * identical older line is removed so the text appears once, at the top. At most 50 kept.
 */
export function pushLog(log: readonly LogEntry[], entry: LogEntry): LogEntry[] {
  if (log.length && log[0].text === entry.text) return log as LogEntry[];
  const rest = log.filter((e) => e.text !== entry.text);
  return [entry, ...rest].slice(0, LOG_KEEP);
}

export function logSeverity(status: string | null | undefined): 'info' | 'alert' {
  const s = (status ?? '').toLowerCase();
  return s.includes('risk') || s.includes('invalid') || s.includes('stop') ? 'alert' : 'info';
}

/** "Status → At Risk • note • Next: tighten stop" from a plan_delta's changes. */
export function deltaLogText(changes: { status?: string; note?: string; next_step?: string }): string {
  const parts: string[] = [];
  if (changes.status) parts.push(`Status → ${humanize(changes.status)}`);
  if (changes.note) parts.push(changes.note);
  if (changes.next_step) parts.push(`Next: ${humanize(changes.next_step).toLowerCase()}`);
  return parts.join(' • ') || 'Plan updated';
}

export function humanize(s: string): string {
  return s.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

// ---- reconnect backoff -----------------------------------------------------------------------------

/** Exponential backoff with equal jitter: attempt n waits between ½ and 1 × min(30 s, 1 s × 2^n). */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 30000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Parses a stream timestamp (unix s, unix ms or ISO string) to unix seconds. */
export function toUnixSeconds(ts: number | string | undefined | null): number | null {
  if (typeof ts === 'number' && Number.isFinite(ts)) return ts > 1e11 ? ts / 1000 : ts;
  if (typeof ts === 'string' && ts) {
    const asNum = Number(ts);
    if (Number.isFinite(asNum)) return asNum > 1e11 ? asNum / 1000 : asNum;
    const ms = Date.parse(ts);
    return Number.isFinite(ms) ? ms / 1000 : null;
  }
  return null;
}

// ---- wire conversion -------------------------------------------------------------------------------

/** History bars from the wire: invalid rows dropped, sorted ascending, one bar per start time (last wins). */
export function barsFromWire(rows: ReadonlyArray<{ t: number; o: number; h: number; l: number; c: number; v?: number }>): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const r of rows) {
    const vals = [r?.t, r?.o, r?.h, r?.l, r?.c];
    if (vals.some((x) => typeof x !== 'number' || !Number.isFinite(x))) continue;
    if (r.h < r.l) continue;
    const t = r.t > 1e11 ? Math.floor(r.t / 1000) : r.t;
    byTime.set(t, { time: t, open: r.o, high: r.h, low: r.l, close: r.c, volume: typeof r.v === 'number' && Number.isFinite(r.v) ? r.v : 0 });
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** A stream `bar` event (short or long field names) as a Bar, or null when incomplete. */
export function barFromStream(ev: {
  t?: number; time?: number; o?: number; h?: number; l?: number; c?: number; v?: number;
  open?: number; high?: number; low?: number; close?: number; volume?: number;
}): Bar | null {
  const time = toUnixSeconds(ev.t ?? ev.time);
  const open = ev.o ?? ev.open;
  const high = ev.h ?? ev.high;
  const low = ev.l ?? ev.low;
  const close = ev.c ?? ev.close;
  if (time === null || [open, high, low, close].some((x) => typeof x !== 'number' || !Number.isFinite(x))) return null;
  return { time: Math.floor(time), open: open!, high: high!, low: low!, close: close!, volume: ev.v ?? ev.volume ?? 0 };
}
