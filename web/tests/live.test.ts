import { describe, expect, it } from 'vitest';
import type { Bar } from '../src/tv/indicators';
import {
  applyBar,
  applyTick,
  backoffDelay,
  barFromStream,
  barsFromWire,
  deltaLogText,
  heartbeatHealth,
  isOutOfOrderTick,
  LOG_KEEP,
  logSeverity,
  pushLog,
  toUnixSeconds,
  type LogEntry,
} from '../src/tv/live';

const bar = (time: number, o = 10, h = 11, l = 9, c = 10.5, v = 100): Bar => ({ time, open: o, high: h, low: l, close: c, volume: v });

describe('forming bar', () => {
  const last = bar(1000);

  it('updates the forming bar in the same bucket', () => {
    const u = applyTick(last, 11.5, 1100, 300, 5);
    expect(u).toEqual({ kind: 'update', bar: { time: 1000, open: 10, high: 11.5, low: 9, close: 11.5, volume: 105 } });
    expect(applyTick(last, 8, 1299, 300)).toMatchObject({ kind: 'update', bar: { low: 8, close: 8, high: 11 } });
  });

  it('drops ticks older than the newest applied tick', () => {
    expect(isOutOfOrderTick(null, 5)).toBe(false);
    expect(isOutOfOrderTick(1100, 1100)).toBe(false);
    expect(isOutOfOrderTick(1100, 1101)).toBe(false);
    expect(isOutOfOrderTick(1100, 1099.5)).toBe(true);
  });

  it('ignores late ticks', () => {
    expect(applyTick(last, 12, 999, 300)).toEqual({ kind: 'ignored', reason: 'late' });
    expect(applyTick(last, NaN, 1100, 300)).toEqual({ kind: 'ignored', reason: 'invalid' });
  });

  it('starts new bars aligned to the last bar, not the epoch (NSE 09:15 with 1h bars)', () => {
    const nseOpen = Date.parse('2026-03-09T03:45:00Z') / 1000;
    const u = applyTick(bar(nseOpen), 20, nseOpen + 3600 + 120, 3600);
    expect(u).toMatchObject({ kind: 'append', bar: { time: nseOpen + 3600, open: 20, close: 20 } });
    const skip = applyTick(bar(nseOpen), 20, nseOpen + 3 * 3600 + 5, 3600);
    expect(skip).toMatchObject({ kind: 'append', bar: { time: nseOpen + 3 * 3600 } });
  });

  it('handles stream bars: newer appends, same start replaces, older ignored', () => {
    expect(applyBar(last, bar(1300))).toMatchObject({ kind: 'append' });
    expect(applyBar(last, bar(1000, 10, 12, 9, 11))).toMatchObject({ kind: 'update', bar: { high: 12 } });
    expect(applyBar(last, bar(700))).toEqual({ kind: 'ignored', reason: 'late' });
    expect(applyBar(last, bar(1300, 10, 9, 11, 10))).toEqual({ kind: 'ignored', reason: 'invalid' });
    expect(applyBar(null, bar(5))).toMatchObject({ kind: 'append' });
  });
});

describe('wire bars', () => {
  it('drops invalid rows, sorts, dedupes and accepts milliseconds', () => {
    const out = barsFromWire([
      { t: 300, o: 1, h: 2, l: 0.5, c: 1.5, v: 10 },
      { t: 0, o: 1, h: 2, l: 0.5, c: 1.5 },
      { t: 300, o: 1, h: 3, l: 0.5, c: 2.5, v: 11 },
      { t: 600, o: 1, h: 0, l: 2, c: 1 },
      { t: 1_700_000_000_000, o: 1, h: 2, l: 1, c: 2, v: 1 },
      { t: 900, o: NaN, h: 2, l: 1, c: 2, v: 1 },
    ]);
    expect(out.map((b) => [b.time, b.close, b.volume])).toEqual([[0, 1.5, 0], [300, 2.5, 11], [1_700_000_000, 2, 1]]);
  });

  it('reads stream bars with short or long names', () => {
    expect(barFromStream({ t: 60, o: 1, h: 2, l: 0.5, c: 1.5, v: 3 })).toEqual({ time: 60, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });
    expect(barFromStream({ time: 60_000_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5 })?.time).toBe(60_000_000_000);
    expect(barFromStream({ t: 60, o: 1 })).toBeNull();
    expect(toUnixSeconds('2026-03-09T13:30:00Z')).toBe(Date.parse('2026-03-09T13:30:00Z') / 1000);
    expect(toUnixSeconds('junk')).toBeNull();
  });
});

describe('heartbeat colouring', () => {
  it('is idle before data, then good ≤ 15 s, warn ≤ 60 s, stale after', () => {
    const now = 1_000_000;
    expect(heartbeatHealth(null, now)).toBe('idle');
    expect(heartbeatHealth(now - 15_000, now)).toBe('good');
    expect(heartbeatHealth(now - 15_001, now)).toBe('warn');
    expect(heartbeatHealth(now - 60_000, now)).toBe('warn');
    expect(heartbeatHealth(now - 60_001, now)).toBe('stale');
  });
});

describe('plan log', () => {
  const e = (text: string, at = 0): LogEntry => ({ text, at, severity: 'info' });

  it('keeps newest first and drops a repeat of the newest line', () => {
    let log = pushLog([], e('a', 1));
    log = pushLog(log, e('b', 2));
    log = pushLog(log, e('b', 3));
    expect(log.map((x) => x.text)).toEqual(['b', 'a']);
    expect(log[0].at).toBe(2);
  });

  it('moves an older duplicate to the top instead of keeping two', () => {
    let log = [e('a'), e('b'), e('c')].reduce((l, x) => pushLog(l, x), [] as LogEntry[]);
    log = pushLog(log, e('a', 9));
    expect(log.map((x) => x.text)).toEqual(['a', 'c', 'b']);
  });

  it('keeps at most 50', () => {
    let log: LogEntry[] = [];
    for (let i = 0; i < 80; i++) log = pushLog(log, e(`line ${i}`, i));
    expect(log).toHaveLength(LOG_KEEP);
    expect(log[0].text).toBe('line 79');
    expect(log[49].text).toBe('line 30');
  });

  it('formats deltas and flags risk', () => {
    expect(deltaLogText({ status: 'at_risk', note: 'Price is within stop buffer', next_step: 'tighten_stop' })).toBe('Status → At Risk • Price is within stop buffer • Next: tighten stop');
    expect(logSeverity('at_risk')).toBe('alert');
    expect(logSeverity('invalidated')).toBe('alert');
    expect(logSeverity('intact')).toBe('info');
  });
});

describe('backoff', () => {
  it('doubles with jitter between half and full, capped at 30 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 0.5)).toBe(6000);
    expect(backoffDelay(12, () => 1)).toBe(30000);
    expect(backoffDelay(12, () => 0)).toBe(15000);
  });
});
