import { describe, expect, it } from 'vitest';
import { formatChartParams, formatPrice, historySpanSeconds, parseChartParams, parseLevels, validatePlanGeometry } from '../src/tv/params';

const SEED_VECTOR = 'center_time=latest&direction=long&entry=430.1&focus=plan&interval=5m&stop=428.8&symbol=SPY&tp=432.1,433.55&view=6M';

describe('parseChartParams', () => {
  it('reads the canonical seed link without issues and formats it back byte for byte', () => {
    const { params, issues } = parseChartParams(SEED_VECTOR);
    expect(issues).toEqual([]);
    expect(params).toMatchObject({ symbol: 'SPY', interval: '5m', direction: 'long', entry: 430.1, stop: 428.8, targets: [432.1, 433.55], focus: 'plan', centerTime: 'latest', view: '6M' });
    expect(formatChartParams(params)).toBe(SEED_VECTOR);
  });

  it('canonicalises order, number formatting and aliases', () => {
    const { params } = parseChartParams('?symbol=spy&resolution=5&entry=430.10&stop=428.80&tp1=432.100&tp2=433.55&direction=LONG');
    expect(formatChartParams(params)).toBe('direction=long&entry=430.1&interval=5m&stop=428.8&symbol=SPY&tp=432.1,433.55');
  });

  it('round-trips every supported field', () => {
    const link =
      'symbol=NSE_INDEX:NIFTY&interval=15m&direction=short&entry=24510.5&stop=24580&tp=24400,24310.25&probs=0.62,0.45&runner=24200&strategy=ORB%20retest&style=intraday&confidence=0.74&levels=24450|PDH;24380|VAL&overlays=levels,fvg&ema=9,21&vwap=0&focus=plan&scale_plan=auto&plan_id=nifty-intraday-short-2026-03&plan_version=2&theme=light&center_time=1773063000&range=5d&atr=42.5&live=1';
    const first = parseChartParams(link);
    expect(first.issues).toEqual([]);
    const again = parseChartParams(formatChartParams(first.params));
    expect(again.issues).toEqual([]);
    expect(again.params).toEqual(first.params);
    expect(first.params.confidence).toBe(0.74);
    expect(first.params.levels).toEqual([{ price: 24450, label: 'PDH' }, { price: 24380, label: 'VAL' }]);
    expect(first.params.overlays).toEqual(['levels', 'fvg']);
    expect(first.params.vwap).toBe(false);
  });

  it('reports unknown parameters as warnings and keeps the rest', () => {
    const { params, issues } = parseChartParams('symbol=SPY&foo=1&utm_source=x');
    expect(params.symbol).toBe('SPY');
    expect(issues.map((i) => [i.param, i.severity])).toEqual([
      ['foo', 'warning'],
      ['utm_source', 'warning'],
    ]);
    expect(issues[0].message).toContain('foo');
  });

  it('reports malformed values as errors and does not use them', () => {
    const { params, issues } = parseChartParams('symbol=SPY&entry=abc&stop=-1&interval=2h&direction=up&ema=9,x&confidence=140&scale_plan=big&theme=blue&tp=1e3');
    expect(params.entry).toBeUndefined();
    expect(params.stop).toBeUndefined();
    expect(params.interval).toBeUndefined();
    expect(params.direction).toBeUndefined();
    expect(params.emas).toEqual([9]);
    expect(params.confidence).toBeUndefined();
    expect(params.scalePlan).toBeUndefined();
    expect(params.theme).toBeUndefined();
    expect(params.targets).toEqual([]);
    const bad = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.param));
    for (const k of ['entry', 'stop', 'interval', 'direction', 'ema', 'confidence', 'scale_plan', 'theme', 'tp']) expect(bad.has(k)).toBe(true);
  });

  it('requires a symbol or a plan_id', () => {
    expect(parseChartParams('').issues.some((i) => i.param === 'symbol' && i.severity === 'error')).toBe(true);
    expect(parseChartParams('plan_id=spy-intraday-long-2026-03').issues).toEqual([]);
  });

  it('validates symbols', () => {
    expect(parseChartParams('symbol=nse:reliance').params.symbol).toBe('NSE:RELIANCE');
    expect(parseChartParams('symbol=BRK.B').params.symbol).toBe('BRK.B');
    expect(parseChartParams('symbol=SP%20Y').params.symbol).toBeUndefined();
    expect(parseChartParams('symbol=%3Cscript%3E').params.symbol).toBeUndefined();
  });

  it('numbers tp1..tpN without gaps', () => {
    const { params, issues } = parseChartParams('symbol=SPY&entry=10&stop=9&tp1=11&tp3=13');
    expect(params.targets).toEqual([11, 13]);
    expect(issues.some((i) => i.param === 'tp2' && i.severity === 'error')).toBe(true);
  });

  it('flags duplicated keys and extra probabilities', () => {
    const { params, issues } = parseChartParams('symbol=SPY&symbol=QQQ&entry=10&stop=9&tp=11&probs=0.6,0.4');
    expect(params.symbol).toBe('SPY');
    expect(params.probs).toEqual([0.6]);
    expect(issues.map((i) => i.param)).toEqual(['symbol', 'probs']);
  });

  it('accepts percentages for probabilities and confidence', () => {
    const { params } = parseChartParams('symbol=SPY&entry=10&stop=9&tp=11,12&probs=62,45&confidence=74');
    expect(params.probs).toEqual([0.62, 0.45]);
    expect(params.confidence).toBeCloseTo(0.74);
  });
});

describe('plan geometry', () => {
  it('accepts an ordered long plan and an ordered short plan', () => {
    expect(validatePlanGeometry({ direction: 'long', entry: 100, stop: 99, targets: [101, 102] })).toEqual([]);
    expect(validatePlanGeometry({ direction: 'short', entry: 100, stop: 101, targets: [99, 98] })).toEqual([]);
  });

  it('rejects a long plan with the stop above the entry and targets out of order', () => {
    const issues = validatePlanGeometry({ direction: 'long', entry: 100, stop: 101, targets: [102, 101.5] });
    expect(issues.map((i) => i.param)).toEqual(['stop', 'tp']);
    expect(issues[1].message).toContain('TP2');
  });
});

describe('levels and formatting', () => {
  it('parses price|label tokens with ; or , separators', () => {
    expect(parseLevels('430.5|VAH;428|PDL').levels).toEqual([{ price: 430.5, label: 'VAH' }, { price: 428, label: 'PDL' }]);
    expect(parseLevels('430.5|VAH,428').levels).toEqual([{ price: 430.5, label: 'VAH' }, { price: 428, label: 'Level' }]);
    expect(parseLevels('x|bad;1|ok').bad).toEqual(['x|bad']);
  });

  it('trims trailing zeros with precision by magnitude', () => {
    expect(formatPrice(430.1)).toBe('430.1');
    expect(formatPrice(177)).toBe('177');
    expect(formatPrice(24510.456)).toBe('24510.46');
    expect(formatPrice(1.23456)).toBe('1.2346');
    expect(formatPrice(0.1234567)).toBe('0.123457');
  });

  it('keeps , : | ; unescaped and escapes the rest', () => {
    const { params, issues } = parseChartParams('symbol=NSE:TCS&levels=3500|PDH%20%26%20more;3400|VAL&strategy=a%26b');
    expect(issues).toEqual([]);
    const s = formatChartParams(params);
    expect(s).toContain('symbol=NSE:TCS');
    expect(s).toContain('levels=3500|PDH%20%26%20more;3400|VAL');
    expect(s).toContain('strategy=a%26b');
  });
});

describe('historySpanSeconds', () => {
  it('uses 600 bars by default and range when given', () => {
    expect(historySpanSeconds({}, 300)).toBe(600 * 300);
    expect(historySpanSeconds({ range: '300' }, 300)).toBe(300 * 300);
    expect(historySpanSeconds({ range: '5d' }, 60)).toBe(5 * 86400);
    expect(historySpanSeconds({ view: '1M' }, 3600)).toBe(30 * 86400);
  });

  it('clamps to at least 200 bars and at most two years', () => {
    expect(historySpanSeconds({ range: '10' }, 300)).toBe(200 * 300);
    expect(historySpanSeconds({ range: '9y' }, 3600)).toBe(2 * 365 * 86400);
  });
});

describe('link parameters added for shared plan links', () => {
  const VT = 'cGxfYWJjfGFsaWNlfDE3NzM2NjgwMDA.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl';

  it('keeps the view token, notes, supporting levels and force_interval through a round trip', () => {
    const link = `symbol=SPY&interval=1h&plan_id=pl_0123456789abcdef01234567&vt=${VT}&notes=SPY%20%7C%20Swing&supportingLevels=590|VAL;612|Weekly%20High&force_interval=1`;
    const first = parseChartParams(link);
    expect(first.issues).toEqual([]);
    expect(first.params.viewToken).toBe(VT);
    expect(first.params.notes).toBe('SPY | Swing');
    expect(first.params.supportingLevels).toEqual([{ price: 590, label: 'VAL' }, { price: 612, label: 'Weekly High' }]);
    expect(first.params.forceInterval).toBe(true);
    const canonical = formatChartParams(first.params);
    expect(canonical).toContain(`vt=${VT}`);
    expect(parseChartParams(canonical).params).toEqual(first.params);
  });

  it('reports a malformed view token and other bad values clearly', () => {
    const { params, issues } = parseChartParams('symbol=SPY&vt=not%20a%20token&force_interval=maybe&supportingLevels=abc|x');
    expect(params.viewToken).toBeUndefined();
    expect(issues.map((i) => i.param)).toEqual(['vt', 'force_interval', 'supportingLevels']);
    expect(issues[0].message).toContain('fresh chart link');
  });
});
