import { describe, expect, it } from 'vitest';
import { anchoredVwap, ema, sessionVwap, type Bar } from '../src/tv/indicators';
import { NSE_SESSION, US_SESSION } from '../src/tv/time';

const utc = (iso: string) => Date.parse(iso) / 1000;
const bar = (time: number, close: number, volume = 100, spread = 0): Bar => ({ time, open: close, high: close + spread, low: close - spread, close, volume });

describe('ema', () => {
  it('is seeded with the SMA and follows a linear series one step behind', () => {
    const bars = Array.from({ length: 10 }, (_, i) => bar(i * 60, i + 1));
    const out = ema(bars, 3);
    expect(out).toHaveLength(8);
    expect(out[0]).toEqual({ time: 120, value: 2 });
    out.forEach((p, i) => expect(p.value).toBeCloseTo(i + 2, 10));
  });

  it('matches the StockCharts worked example (10-period)', () => {
    const closes = [22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39];
    const out = ema(closes.map((c, i) => bar(i, c)), 10);
    expect(out[0].value).toBeCloseTo(22.221, 3);
    expect(out[1].value).toBeCloseTo(22.208, 3);
    expect(out[2].value).toBeCloseTo(22.241, 3);
  });

  it('returns nothing for short input and rejects bad periods', () => {
    expect(ema([bar(0, 1)], 3)).toEqual([]);
    expect(() => ema([], 0)).toThrow(RangeError);
  });
});

describe('session VWAP', () => {
  // 30-minute bars 13:00–16:00 UTC on Friday 2026-03-06 (EST) and Monday 2026-03-09 (EDT),
  // plus a Friday post-market bar after UTC midnight.
  const times = [
    '2026-03-06T13:00:00Z', '2026-03-06T13:30:00Z', '2026-03-06T14:00:00Z', '2026-03-06T14:30:00Z', '2026-03-06T15:00:00Z',
    '2026-03-07T00:30:00Z',
    '2026-03-09T13:00:00Z', '2026-03-09T13:30:00Z', '2026-03-09T14:00:00Z',
  ].map(utc);
  const closes = [10, 11, 12, 20, 30, 40, 50, 60, 90];
  const vols = [100, 100, 100, 100, 300, 100, 100, 100, 200];
  const bars = times.map((t, i) => bar(t, closes[i], vols[i]));
  const out = sessionVwap(bars, 1800, US_SESSION);
  const at = (iso: string) => out.find((p) => p.time === utc(iso))?.value;

  it('starts at the 09:30 New York open in winter (14:30 UTC)', () => {
    expect(at('2026-03-06T13:30:00Z')).toBeUndefined();
    expect(at('2026-03-06T14:00:00Z')).toBeUndefined();
    expect(at('2026-03-06T14:30:00Z')).toBe(20);
    expect(at('2026-03-06T15:00:00Z')).toBe((20 * 100 + 30 * 300) / 400);
  });

  it('does not reset at the UTC date change', () => {
    expect(at('2026-03-07T00:30:00Z')).toBe((20 * 100 + 30 * 300 + 40 * 100) / 500);
  });

  it('resets at the 09:30 open after the DST change (13:30 UTC)', () => {
    expect(at('2026-03-09T13:00:00Z')).toBeUndefined();
    expect(at('2026-03-09T13:30:00Z')).toBe(60);
    expect(at('2026-03-09T14:00:00Z')).toBe((60 * 100 + 90 * 200) / 300);
  });

  it('uses typical price', () => {
    const b: Bar = { time: utc('2026-03-09T13:30:00Z'), open: 10, high: 13, low: 7, close: 11, volume: 5 };
    expect(sessionVwap([b], 300, US_SESSION)[0].value).toBeCloseTo((13 + 7 + 11) / 3, 12);
  });

  it('resets at 09:15 IST for NSE', () => {
    const nse = [bar(utc('2026-03-09T03:40:00Z'), 5), bar(utc('2026-03-09T03:45:00Z'), 7), bar(utc('2026-03-10T03:45:00Z'), 9)];
    expect(sessionVwap(nse, 300, NSE_SESSION)).toEqual([
      { time: utc('2026-03-09T03:45:00Z'), value: 7 },
      { time: utc('2026-03-10T03:45:00Z'), value: 9 },
    ]);
  });
});

describe('anchored VWAP', () => {
  it('starts at the bar containing the anchor', () => {
    const bars = [bar(0, 10), bar(60, 20), bar(120, 30, 300)];
    expect(anchoredVwap(bars, 90, 60).map((p) => p.value)).toEqual([20, (20 * 100 + 30 * 300) / 400]);
  });
});
