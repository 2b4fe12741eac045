// Intervals, exchange time zones and sessions, with Intl time-zone math (no tz database of our own).

export const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1D', '1W'] as const;
export type Interval = (typeof INTERVALS)[number];

const INTERVAL_SECONDS: Record<Interval, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '4h': 14400,
  '1D': 86400,
  '1W': 604800,
};

const INTERVAL_ALIASES: Record<string, Interval> = {
  '1': '1m', '1m': '1m', '1min': '1m',
  '5': '5m', '5m': '5m', '5min': '5m',
  '15': '15m', '15m': '15m', '15min': '15m',
  '60': '1h', '60m': '1h', '1h': '1h', 'h': '1h', '1hr': '1h',
  '240': '4h', '240m': '4h', '4h': '4h', '4hr': '4h',
  'd': '1D', '1d': '1D', 'day': '1D', 'daily': '1D',
  'w': '1W', '1w': '1W', 'week': '1W', 'weekly': '1W',
};

/** Normalises an interval token ("5", "5min", "60", "D", "1w" …) or returns null when unknown. */
export function normalizeInterval(raw: string): Interval | null {
  return INTERVAL_ALIASES[raw.trim().toLowerCase()] ?? null;
}

export function intervalSeconds(interval: Interval): number {
  return INTERVAL_SECONDS[interval];
}

export function isIntraday(interval: Interval): boolean {
  return INTERVAL_SECONDS[interval] < 86400;
}

// ---- time zones ------------------------------------------------------------------------------

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    partsFormatters.set(tz, f);
  }
  return f;
}

export interface ZonedParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of a UTC instant (unix seconds) in the zone. Cached per zone and minute. */
const partsCache = new Map<string, ZonedParts>();
export function zonedParts(unixSeconds: number, tz: string): ZonedParts {
  const minute = Math.floor(unixSeconds / 60);
  const key = `${tz}|${minute}`;
  let base = partsCache.get(key);
  if (!base) {
    const parts = partsFormatter(tz).formatToParts(new Date(minute * 60000));
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
    base = {
      year: Number(get('year')),
      month: Number(get('month')),
      day: Number(get('day')),
      hour: Number(get('hour')) % 24,
      minute: Number(get('minute')),
      second: 0,
      weekday: WEEKDAYS[get('weekday')] ?? 0,
    };
    if (partsCache.size > 50000) partsCache.clear();
    partsCache.set(key, base);
  }
  return { ...base, second: ((unixSeconds % 60) + 60) % 60 };
}

/** Offset of the zone from UTC at an instant, in minutes (New York in winter: -300). */
export function tzOffsetMinutes(unixSeconds: number, tz: string): number {
  const p = zonedParts(unixSeconds, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
  return Math.round((asUtc - unixSeconds) / 60);
}

/**
 * The UTC instant (unix s) of a wall-clock time in the zone. A wall time repeated by a DST fall-back
 * resolves to its first occurrence; a wall time skipped by a spring-forward jump is read with the
 * offset before the jump, which lands the same distance after it (02:30 → 03:30 in New York).
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute) / 1000;
  const before = tzOffsetMinutes(naive - 86400, tz);
  const after = tzOffsetMinutes(naive + 86400, tz);
  const matches = (t: number) => {
    const p = zonedParts(t, tz);
    return p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute;
  };
  const candidates = [...new Set([naive - before * 60, naive - after * 60])].filter(matches).sort((a, b) => a - b);
  return candidates.length ? candidates[0] : naive - before * 60;
}

/** "YYYY-MM-DD" of the instant in the zone. */
export function zonedDateKey(unixSeconds: number, tz: string): string {
  const p = zonedParts(unixSeconds, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

// ---- exchanges and sessions -----------------------------------------------------------------

export interface ExchangeSession {
  tz: string;
  /** Regular session open and close, minutes after local midnight. */
  openMin: number;
  closeMin: number;
  /** Pre-market start, minutes after local midnight (equal to openMin when there is none). */
  preMin: number;
  postMin: number;
  name: string;
}

export const US_SESSION: ExchangeSession = {
  tz: 'America/New_York', openMin: 9 * 60 + 30, closeMin: 16 * 60, preMin: 4 * 60, postMin: 20 * 60, name: 'NYSE',
};
export const NSE_SESSION: ExchangeSession = {
  tz: 'Asia/Kolkata', openMin: 9 * 60 + 15, closeMin: 15 * 60 + 30, preMin: 9 * 60, postMin: 16 * 60, name: 'NSE',
};
export const MCX_SESSION: ExchangeSession = {
  tz: 'Asia/Kolkata', openMin: 9 * 60, closeMin: 23 * 60 + 30, preMin: 9 * 60, postMin: 23 * 60 + 30, name: 'MCX',
};

const INDIA_PREFIXES = new Set(['NSE', 'BSE', 'NFO', 'BFO', 'CDS', 'BCD', 'NSE_INDEX', 'BSE_INDEX']);

/** The exchange session of a symbol ("NSE_INDEX:NIFTY", "NSE:RELIANCE", "SPY", "I:SPX"). */
export function sessionForSymbol(symbol: string): ExchangeSession {
  const colon = symbol.indexOf(':');
  const prefix = colon > 0 ? symbol.slice(0, colon).toUpperCase() : '';
  if (prefix === 'MCX' || prefix === 'MCX_INDEX') return MCX_SESSION;
  if (INDIA_PREFIXES.has(prefix)) return NSE_SESSION;
  return US_SESSION;
}

/** The session for a zone the server reported (bars response `tz`), keeping the symbol's hours when they agree. */
export function sessionFor(symbol: string, tz: string | undefined): ExchangeSession {
  const bySymbol = sessionForSymbol(symbol);
  if (!tz || tz === bySymbol.tz) return bySymbol;
  if (tz === 'Asia/Kolkata') return NSE_SESSION;
  if (tz === 'America/New_York') return US_SESSION;
  return { ...bySymbol, tz };
}

export type MarketPhase = 'premarket' | 'open' | 'afterhours' | 'closed';

/** The phase by exchange hours (weekends closed; exchange holidays are the server's business). */
export function marketPhase(unixSeconds: number, session: ExchangeSession): MarketPhase {
  const p = zonedParts(unixSeconds, session.tz);
  if (p.weekday === 0 || p.weekday === 6) return 'closed';
  const m = p.hour * 60 + p.minute;
  if (m >= session.openMin && m < session.closeMin) return 'open';
  if (m >= session.preMin && m < session.openMin) return 'premarket';
  if (m >= session.closeMin && m < session.postMin) return 'afterhours';
  return 'closed';
}

/**
 * The session a bar belongs to for session-anchored indicators, or null when the bar lies before
 * the regular open of its local day (pre-market). A bar belongs to the session when any part of it
 * is at or after the open: local start + duration > open. Keys are the exchange-local date.
 */
export function sessionKey(barStart: number, barSeconds: number, session: ExchangeSession): string | null {
  const p = zonedParts(barStart, session.tz);
  const startMin = p.hour * 60 + p.minute + p.second / 60;
  if (startMin + barSeconds / 60 <= session.openMin) return null;
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

// ---- formatting ------------------------------------------------------------------------------

const labelFormatters = new Map<string, Intl.DateTimeFormat>();
function labelFormatter(tz: string, kind: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${tz}|${kind}`;
  let f = labelFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts });
    labelFormatters.set(key, f);
  }
  return f;
}

/**
 * Daily and weekly bars are labelled by the exchange-local date of t + 12 h. That gives the right
 * date whether a producer stamps daily bars at UTC midnight, local midnight or the session open.
 */
export function barDateInstant(t: number, interval: Interval): number {
  return isIntraday(interval) ? t : t + 12 * 3600;
}

export type TickKind = 'year' | 'month' | 'day' | 'time' | 'seconds';

/** Axis tick label in the exchange zone. */
export function formatTick(t: number, kind: TickKind, tz: string, interval: Interval): string {
  const at = new Date(barDateInstant(t, interval) * 1000);
  switch (kind) {
    case 'year':
      return labelFormatter(tz, 'y', { year: 'numeric' }).format(at);
    case 'month':
      return labelFormatter(tz, 'm', { month: 'short', year: '2-digit' }).format(at);
    case 'day':
      return labelFormatter(tz, 'd', { day: 'numeric', month: 'short' }).format(at);
    case 'seconds':
      return labelFormatter(tz, 's', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
    default:
      return labelFormatter(tz, 't', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  }
}

/** Crosshair/tooltip time in the exchange zone, e.g. "Mon 09 Mar 2026 10:05". */
export function formatCrosshair(t: number, tz: string, interval: Interval): string {
  const at = new Date(barDateInstant(t, interval) * 1000);
  if (!isIntraday(interval)) {
    return labelFormatter(tz, 'cd', { weekday: 'short', day: '2-digit', month: 'short', year: 'numeric' }).format(at);
  }
  return labelFormatter(tz, 'ct', {
    weekday: 'short', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(at);
}

/** Short zone name: "EST"/"EDT" from Intl, "IST" for India (Intl says "GMT+5:30" in en-US). */
const ZONE_NAMES: Record<string, string> = { 'Asia/Kolkata': 'IST', 'Asia/Calcutta': 'IST' };

export function zoneAbbreviation(unixSeconds: number, tz: string): string {
  const fixed = ZONE_NAMES[tz];
  if (fixed) return fixed;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date(unixSeconds * 1000));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? tz;
}

/** "HH:MM" in the zone. */
export function formatClock(unixSeconds: number, tz: string): string {
  return labelFormatter(tz, 'clock', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(unixSeconds * 1000));
}

// ---- chart time axis ---------------------------------------------------------------------------

/**
 * lightweight-charts works in UTC only; to put the exchange's wall clock on the axis (tick marks
 * on local hours and local midnights, not UTC ones) each bar time is shifted by the zone's offset
 * at that instant and the labels are formatted as UTC. In a DST fall-back hour two real times can
 * map to one wall time; such times are nudged forward one second each so chart times stay strictly
 * increasing, which the chart requires.
 */
export function toChartTimes(times: readonly number[], tz: string): number[] {
  const out: number[] = new Array(times.length);
  let prev = -Infinity;
  for (let i = 0; i < times.length; i++) {
    let c = times[i] + tzOffsetMinutes(times[i], tz) * 60;
    if (c <= prev) c = prev + 1;
    out[i] = c;
    prev = c;
  }
  return out;
}

/** The chart time for one more bar after `prevChartTime`. */
export function nextChartTime(t: number, tz: string, prevChartTime: number | null): number {
  const c = t + tzOffsetMinutes(t, tz) * 60;
  return prevChartTime !== null && c <= prevChartTime ? prevChartTime + 1 : c;
}
