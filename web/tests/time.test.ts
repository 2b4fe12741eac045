import { describe, expect, it } from 'vitest';
import {
  formatTick,
  marketPhase,
  normalizeInterval,
  NSE_SESSION,
  sessionFor,
  sessionForSymbol,
  sessionKey,
  tzOffsetMinutes,
  US_SESSION,
  zonedToUtc,
} from '../src/tv/time';

const utc = (iso: string) => Date.parse(iso) / 1000;

describe('time zones via Intl', () => {
  it('knows New York offsets on both sides of the 2026 spring change and India has none', () => {
    expect(tzOffsetMinutes(utc('2026-03-06T15:00:00Z'), 'America/New_York')).toBe(-300);
    expect(tzOffsetMinutes(utc('2026-03-09T15:00:00Z'), 'America/New_York')).toBe(-240);
    expect(tzOffsetMinutes(utc('2026-03-09T15:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('converts exchange wall time to UTC across DST', () => {
    expect(zonedToUtc(2026, 3, 6, 9, 30, 'America/New_York')).toBe(utc('2026-03-06T14:30:00Z'));
    expect(zonedToUtc(2026, 3, 9, 9, 30, 'America/New_York')).toBe(utc('2026-03-09T13:30:00Z'));
    expect(zonedToUtc(2026, 3, 9, 9, 15, 'Asia/Kolkata')).toBe(utc('2026-03-09T03:45:00Z'));
  });

  it('resolves skipped and repeated wall times', () => {
    // 02:30 does not exist on 2026-03-08 in New York: read as 03:30 EDT.
    expect(zonedToUtc(2026, 3, 8, 2, 30, 'America/New_York')).toBe(utc('2026-03-08T07:30:00Z'));
    // 01:30 happens twice on 2026-11-01: the first (EDT) one.
    expect(zonedToUtc(2026, 11, 1, 1, 30, 'America/New_York')).toBe(utc('2026-11-01T05:30:00Z'));
  });
});

describe('exchange sessions', () => {
  it('maps symbols to exchanges', () => {
    expect(sessionForSymbol('NSE_INDEX:NIFTY')).toBe(NSE_SESSION);
    expect(sessionForSymbol('NFO:BANKNIFTY24APR24FUT')).toBe(NSE_SESSION);
    expect(sessionForSymbol('SPY')).toBe(US_SESSION);
    expect(sessionForSymbol('I:SPX')).toBe(US_SESSION);
    expect(sessionFor('SPY', 'Asia/Kolkata')).toBe(NSE_SESSION);
  });

  it('assigns bars to sessions from the local open, including a bar that straddles it', () => {
    // 5m bar 09:25–09:30 EDT is pre-market; 09:30 starts the session.
    expect(sessionKey(utc('2026-03-09T13:25:00Z'), 300, US_SESSION)).toBeNull();
    expect(sessionKey(utc('2026-03-09T13:30:00Z'), 300, US_SESSION)).toBe('2026-03-09');
    // 1h bar 09:00–10:00 overlaps the open.
    expect(sessionKey(utc('2026-03-09T13:00:00Z'), 3600, US_SESSION)).toBe('2026-03-09');
    // Friday 19:30 EST is 00:30 UTC Saturday and still Friday's session.
    expect(sessionKey(utc('2026-03-07T00:30:00Z'), 300, US_SESSION)).toBe('2026-03-06');
    expect(sessionKey(utc('2026-03-09T03:40:00Z'), 300, NSE_SESSION)).toBeNull();
    expect(sessionKey(utc('2026-03-09T03:45:00Z'), 300, NSE_SESSION)).toBe('2026-03-09');
  });

  it('reports the market phase by exchange hours', () => {
    expect(marketPhase(utc('2026-03-09T13:29:00Z'), US_SESSION)).toBe('premarket');
    expect(marketPhase(utc('2026-03-09T13:30:00Z'), US_SESSION)).toBe('open');
    expect(marketPhase(utc('2026-03-09T19:59:00Z'), US_SESSION)).toBe('open');
    expect(marketPhase(utc('2026-03-09T20:00:00Z'), US_SESSION)).toBe('afterhours');
    expect(marketPhase(utc('2026-03-10T01:00:00Z'), US_SESSION)).toBe('closed');
    expect(marketPhase(utc('2026-03-07T15:00:00Z'), US_SESSION)).toBe('closed');
    expect(marketPhase(utc('2026-03-09T04:00:00Z'), NSE_SESSION)).toBe('open');
  });
});

describe('intervals and axis labels', () => {
  it('normalises interval aliases', () => {
    expect(normalizeInterval('5')).toBe('5m');
    expect(normalizeInterval('60')).toBe('1h');
    expect(normalizeInterval('D')).toBe('1D');
    expect(normalizeInterval('1w')).toBe('1W');
    expect(normalizeInterval('240')).toBe('4h');
    expect(normalizeInterval('2h')).toBeNull();
  });

  it('labels ticks in the exchange zone', () => {
    expect(formatTick(utc('2026-03-09T13:30:00Z'), 'time', 'America/New_York', '5m')).toBe('09:30');
    expect(formatTick(utc('2026-03-06T14:30:00Z'), 'time', 'America/New_York', '5m')).toBe('09:30');
    expect(formatTick(utc('2026-03-09T03:45:00Z'), 'time', 'Asia/Kolkata', '5m')).toBe('09:15');
  });

  it('labels daily bars with the right date whatever instant producers stamp them with', () => {
    for (const stamp of ['2026-03-09T00:00:00Z', '2026-03-09T04:00:00Z', '2026-03-09T13:30:00Z']) {
      expect(formatTick(utc(stamp), 'day', 'America/New_York', '1D')).toBe('9 Mar');
    }
    for (const stamp of ['2026-03-08T18:30:00Z', '2026-03-09T00:00:00Z', '2026-03-09T03:45:00Z']) {
      expect(formatTick(utc(stamp), 'day', 'Asia/Kolkata', '1D')).toBe('9 Mar');
    }
  });
});

describe('zone names', () => {
  it('names India IST and New York by its DST state', async () => {
    const { zoneAbbreviation } = await import('../src/tv/time');
    expect(zoneAbbreviation(utc('2026-03-09T15:00:00Z'), 'Asia/Kolkata')).toBe('IST');
    expect(zoneAbbreviation(utc('2026-03-09T15:00:00Z'), 'America/New_York')).toBe('EDT');
    expect(zoneAbbreviation(utc('2026-03-06T15:00:00Z'), 'America/New_York')).toBe('EST');
  });
});

describe('chart time axis', () => {
  it('shifts bar times to exchange wall time', async () => {
    const { toChartTimes } = await import('../src/tv/time');
    expect(toChartTimes([utc('2026-03-06T14:30:00Z'), utc('2026-03-09T13:30:00Z')], 'America/New_York')).toEqual([
      utc('2026-03-06T09:30:00Z'),
      utc('2026-03-09T09:30:00Z'),
    ]);
    expect(toChartTimes([utc('2026-03-09T03:45:00Z')], 'Asia/Kolkata')).toEqual([utc('2026-03-09T09:15:00Z')]);
  });

  it('stays strictly increasing through the fall-back hour', async () => {
    const { toChartTimes, nextChartTime } = await import('../src/tv/time');
    // 30-minute bars from 05:00Z to 07:30Z on 2026-11-01: local 01:00, 01:30 (EDT), 01:00, 01:30 (EST), 02:00, 02:30.
    const times = Array.from({ length: 6 }, (_, i) => utc('2026-11-01T05:00:00Z') + i * 1800);
    const out = toChartTimes(times, 'America/New_York');
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]);
    expect(out[0]).toBe(utc('2026-11-01T01:00:00Z'));
    expect(out[5]).toBe(utc('2026-11-01T02:30:00Z'));
    expect(nextChartTime(utc('2026-11-01T06:00:00Z'), 'America/New_York', out[1])).toBe(out[1] + 1);
  });
});
