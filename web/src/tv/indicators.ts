// Client-side indicators over bars: EMA, session VWAP (reset at the exchange session open) and
// anchored VWAP. Bars are in ascending time order.

import { sessionKey, type ExchangeSession } from './time';

export interface Bar {
  time: number; // unix seconds, bar start
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Point {
  time: number;
  value: number;
}

/**
 * Exponential moving average of closes, seeded with the simple average of the first `period`
 * closes (the StockCharts convention); the first value is at index period-1.
 */
export function ema(bars: readonly Bar[], period: number): Point[] {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`EMA period must be a positive integer, got ${period}`);
  const out: Point[] = [];
  if (bars.length < period) return out;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += bars[i].close;
  let value = sum / period;
  out.push({ time: bars[period - 1].time, value });
  for (let i = period; i < bars.length; i++) {
    value = bars[i].close * k + value * (1 - k);
    out.push({ time: bars[i].time, value });
  }
  return out;
}

function typical(bar: Bar): number {
  return (bar.high + bar.low + bar.close) / 3;
}

/**
 * Session VWAP on typical price. It restarts at the first bar of each exchange session (the
 * regular open in the exchange's own zone, so DST moves it in UTC) and has no value for
 * pre-market bars. Bars with zero volume carry the running value (or the typical price when the
 * session has no volume yet).
 */
export function sessionVwap(bars: readonly Bar[], barSeconds: number, session: ExchangeSession): Point[] {
  const out: Point[] = [];
  let key: string | null = null;
  let pv = 0;
  let vol = 0;
  for (const bar of bars) {
    const k = sessionKey(bar.time, barSeconds, session);
    if (k === null) continue;
    if (k !== key) {
      key = k;
      pv = 0;
      vol = 0;
    }
    pv += typical(bar) * bar.volume;
    vol += bar.volume;
    out.push({ time: bar.time, value: vol > 0 ? pv / vol : typical(bar) });
  }
  return out;
}

/** VWAP anchored at the bar containing `anchorTs` (typical price), to the last bar. */
export function anchoredVwap(bars: readonly Bar[], anchorTs: number, barSeconds: number): Point[] {
  const out: Point[] = [];
  let pv = 0;
  let vol = 0;
  for (const bar of bars) {
    if (bar.time + barSeconds <= anchorTs) continue;
    pv += typical(bar) * bar.volume;
    vol += bar.volume;
    out.push({ time: bar.time, value: vol > 0 ? pv / vol : typical(bar) });
  }
  return out;
}
