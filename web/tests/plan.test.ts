import { describe, expect, it } from 'vitest';
import {
  assignPrimary,
  classifyFactor,
  decideScale,
  derivePlanStatus,
  focusLogicalRange,
  focusPriceRange,
  unionRange,
  ideaPath,
  foldLevelsIntoPlan,
  layersFromResponse,
  levelTolerance,
  mergeLevels,
  nearestBarIndex,
  normalizeFactors,
  normalizeStatus,
  normalizeZones,
  planFromParams,
  planFromPayload,
  planLines,
  rewardToRisk,
  scaleLayers,
  scalePlanView,
  unwrapPlan,
  type LevelView,
  type PlanView,
} from '../src/tv/plan';
import { parseChartParams } from '../src/tv/params';

const lvl = (price: number, label: string, primary = false, kind = 'level'): LevelView => ({ price, label, primary, kind });

function plan(over: Partial<PlanView> = {}): PlanView {
  return {
    planId: null, version: null, symbol: 'SPY', interval: '5m', direction: 'long', strategy: null, style: null,
    entry: 100, stop: 99, targets: [{ price: 101.5, rr: 1.5, prob: 0.6, reason: null, emFraction: null }, { price: 102.6, rr: 2.6, prob: null, reason: null, emFraction: null }],
    runner: null, confidence: null, factors: [], warnings: [], status: null, asOf: null, expectedMove: null, atr: null, dataSource: null,
    ...over,
  };
}

describe('reward to risk', () => {
  it('divides reward by risk for longs and shorts', () => {
    expect(rewardToRisk(100, 99, 102.5)).toBe(2.5);
    expect(rewardToRisk(100, 101, 97)).toBe(3);
    expect(rewardToRisk(100, null, 102)).toBeNull();
    expect(rewardToRisk(100, 100, 102)).toBeNull();
  });
});

describe('level de-duplication', () => {
  it('merges levels within tolerance into one line with joined labels', () => {
    const out = mergeLevels([lvl(101, 'R1'), lvl(100.04, 'Session High'), lvl(100, 'PDH', true), lvl(100.2, 'X')], 0.05);
    expect(out.map((l) => l.label)).toEqual(['PDH / Session High', 'X', 'R1']);
    expect(out[0].price).toBe(100); // the primary member's price
    expect(out[0].primary).toBe(true);
    expect(out[1].primary).toBe(false);
  });

  it('uses the mean when no member is primary and drops repeated labels', () => {
    const out = mergeLevels([lvl(50, 'VWAP'), lvl(50.02, 'vwap'), lvl(50.04, 'POC')], 0.05);
    expect(out).toHaveLength(1);
    expect(out[0].price).toBeCloseTo(50.02, 10);
    expect(out[0].label).toBe('VWAP / POC');
  });

  it('never leaves two lines within tolerance (randomised)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 200; round++) {
      const levels = Array.from({ length: 2 + Math.floor(rnd() * 20) }, (_, i) => lvl(100 + rnd() * 2, `L${i}`, rnd() < 0.3));
      const tol = 0.02 + rnd() * 0.2;
      const out = mergeLevels(levels, tol);
      for (let i = 1; i < out.length; i++) expect(out[i].price - out[i - 1].price).toBeGreaterThan(tol);
      expect(out.reduce((n, l) => n + l.labels.length, 0)).toBe(new Set(levels.map((l) => l.label.toLowerCase())).size);
    }
  });

  it('folds levels sitting on plan lines into the plan label', () => {
    const lines = planLines(plan());
    const merged = mergeLevels([lvl(101.5, 'VAH', true), lvl(100.7, 'PDH', true)], 0.05);
    const { lines: out, levels } = foldLevelsIntoPlan(lines, merged, 0.05);
    expect(out.find((l) => l.kind === 'target' && l.index === 1)?.label).toBe('TP1 1.5R · 60% · VAH');
    expect(levels.map((l) => l.label)).toEqual(['PDH']);
  });

  it('picks primaries nearest the price when the producer did not', () => {
    const levels = [lvl(90, 'a'), lvl(99, 'b'), lvl(101, 'c'), lvl(120, 'd')];
    expect(assignPrimary(levels, 100, 2).map((l) => l.primary)).toEqual([false, true, true, false]);
    expect(assignPrimary([lvl(90, 'a', true), lvl(99, 'b')], 100, 2).map((l) => l.primary)).toEqual([true, false]);
  });

  it('scales the tolerance with price and ATR', () => {
    expect(levelTolerance(10)).toBe(0.01);
    expect(levelTolerance(24000)).toBe(12);
    expect(levelTolerance(100, 4)).toBe(0.2);
  });
});

describe('scale_plan', () => {
  it('leaves a plan near price alone in auto mode', () => {
    expect(decideScale('auto', 100, 119).factor).toBe(1);
    expect(decideScale(undefined, 100, 81).factor).toBe(1);
  });

  it('rescales by last close / entry when the plan is more than 20 % away', () => {
    expect(decideScale('auto', 200, 100)).toMatchObject({ factor: 0.5, mode: 'auto' });
    expect(decideScale('auto', 100, 130).factor).toBeCloseTo(1.3, 12);
  });

  it('honours off and manual multipliers', () => {
    expect(decideScale('off', 200, 100).factor).toBe(1);
    expect(decideScale(1.5, 200, 100)).toMatchObject({ factor: 1.5, mode: 'manual' });
    expect(decideScale('auto', 200, null).factor).toBe(1);
  });

  it('scales every plan price and keeps R:R', () => {
    const p = plan({ runner: 104, atr: 2, expectedMove: 3 });
    const s = scalePlanView(p, 0.5);
    expect([s.entry, s.stop, s.runner, s.atr, s.expectedMove]).toEqual([50, 49.5, 52, 1, 1.5]);
    expect(s.targets.map((t) => t.price)).toEqual([50.75, 51.3]);
    s.targets.forEach((t, i) => expect(rewardToRisk(s.entry, s.stop, t.price)).toBeCloseTo(rewardToRisk(p.entry, p.stop, p.targets[i].price)!, 12));
    const layers = scaleLayers({ levels: [lvl(100, 'a')], zones: [{ kind: 'fvg', top: 102, bottom: 101, label: 'FVG', status: null }], avwaps: [], asOf: null }, 0.5);
    expect(layers.levels[0].price).toBe(50);
    expect(layers.zones[0]).toMatchObject({ top: 51, bottom: 50.5 });
  });
});

describe('focus=plan', () => {
  it('pads the plan range by 5 % of its span or half an ATR, whichever is larger', () => {
    const r = focusPriceRange(plan(), 100.2);
    expect(r.min).toBeCloseTo(99 - 0.18, 10);
    expect(r.max).toBeCloseTo(102.6 + 0.18, 10);
    const withAtr = focusPriceRange(plan({ atr: 1 }), null);
    expect(withAtr.min).toBeCloseTo(98.5, 10);
    expect(withAtr.max).toBeCloseTo(103.1, 10);
  });

  it('fetches the pinned plan version when the link has one', () => {
    expect(ideaPath('pl_1')).toBe('/idea/pl_1');
    expect(ideaPath('pl_1', 3)).toBe('/idea/pl_1/3');
    expect(ideaPath('a b', null)).toBe('/idea/a%20b');
  });

  it('widens to hold a scenario drawn over the plan', () => {
    expect(unionRange({ min: 99, max: 103 }, { min: 95, max: 101 })).toEqual({ min: 95, max: 103 });
    expect(unionRange({ min: 99, max: 103 }, null)).toEqual({ min: 99, max: 103 });
  });

  it('includes the runner and the last price', () => {
    const r = focusPriceRange(plan({ runner: 105 }), 97);
    expect(r.min).toBeLessThan(97);
    expect(r.max).toBeGreaterThan(105);
  });

  it('shows clamp(40 % of bars, 120, 360) bars, latest or centred', () => {
    expect(focusLogicalRange(1000)).toEqual({ from: 999 - 360 + 8, to: 1007 });
    expect(focusLogicalRange(100)).toEqual({ from: 99 - 120 + 8, to: 107 });
    expect(focusLogicalRange(500, 250)).toEqual({ from: 150, to: 350 });
  });

  it('finds the nearest bar for center_time', () => {
    expect(nearestBarIndex([0, 60, 120, 180], 95)).toBe(2);
    expect(nearestBarIndex([0, 60, 120, 180], 89)).toBe(1);
    expect(nearestBarIndex([0, 60], 9999)).toBe(1);
    expect(nearestBarIndex([], 5)).toBeNull();
  });
});

describe('plan status', () => {
  it('derives long status from the price vs the stop buffer', () => {
    const p = plan({ stop: 100, entry: 101 });
    expect(derivePlanStatus(p, 100)).toBe('invalidated');
    expect(derivePlanStatus(p, 100.2)).toBe('at_risk');
    expect(derivePlanStatus(p, 100.31)).toBe('intact');
    expect(derivePlanStatus(p, null)).toBeNull();
  });

  it('mirrors for shorts', () => {
    const p = plan({ direction: 'short', stop: 100, entry: 99 });
    expect(derivePlanStatus(p, 100.5)).toBe('invalidated');
    expect(derivePlanStatus(p, 99.8)).toBe('at_risk');
    expect(derivePlanStatus(p, 99.6)).toBe('intact');
  });

  it('normalises server wording', () => {
    expect(normalizeStatus('At Risk')).toBe('at_risk');
    expect(normalizeStatus('at-risk')).toBe('at_risk');
    expect(normalizeStatus('stop_hit')).toBe('invalidated');
    expect(normalizeStatus('entered')).toBeNull();
  });
});

describe('normalisation', () => {
  it('reads the server plan, computing missing R:R and expected-move fractions', () => {
    const v = planFromPayload({
      symbol: 'SPY', entry: 100, stop: 98, direction: 'long', expected_move: 4, confidence: 74,
      targets: [{ price: 103, prob: 0.6 }, 105, { price: 106, rr: 3.1, em_fraction: 1.4 }],
      runner: { anchor: 108 }, factors: ['EMA stack aligned', 'Below VWAP on 1h', 'Volume mixed'], warnings: ['Wait for the close', ''],
    });
    expect(v.targets.map((t) => [t.price, t.rr, t.emFraction])).toEqual([[103, 1.5, 0.75], [105, 2.5, 1.25], [106, 3.1, 1.4]]);
    expect(v.runner).toBe(108);
    expect(v.confidence).toBe(0.74);
    expect(v.factors.map((f) => f.tone)).toEqual(['good', 'warn', 'bad']);
    expect(v.warnings).toEqual(['Wait for the close']);
  });

  it('reads per-target details from target_meta when targets is a price list', () => {
    const v = planFromPayload({
      symbol: 'US:SPY', entry: 620.78, stop: 619.03, targets: [625.77, 627.88, 630],
      target_meta: [
        { price: 625.77, rr: 2.851, prob_touch: 0.653, em_fraction: 0.45, snap_tag: 'daily equal highs' },
        { price: 627.88, rr: 4.057, prob_touch: 0.213, em_fraction: 0.8 },
        { price: 999, rr: 9, prob_touch: 0.9 },
      ],
    });
    expect(v.targets.slice(0, 2).map((t) => [t.rr, t.prob, t.emFraction, t.reason])).toEqual([
      [2.851, 0.653, 0.45, 'daily equal highs'],
      [4.057, 0.213, 0.8, null],
    ]);
    // A meta row for another price is not applied: R:R is computed, probability unknown.
    expect(v.targets[2].rr).toBeCloseTo(9.22 / 1.75, 6);
    expect(v.targets[2].prob).toBeNull();
  });

  it('unwraps idea snapshots and infers the direction', () => {
    const p = unwrapPlan({ plan: { symbol: 'X', entry: 10, stop: 11 }, levels: [{ price: 9, label: 'L' }] });
    expect(p?.levels).toHaveLength(1);
    expect(planFromPayload(p!).direction).toBe('short');
    expect(unwrapPlan({ nothing: 1 })).toBeNull();
  });

  it('builds a plan from link parameters', () => {
    const v = planFromParams(parseChartParams('symbol=SPY&entry=100&stop=99&tp=102&probs=0.55').params)!;
    expect(v.targets[0]).toMatchObject({ price: 102, rr: 2, prob: 0.55 });
    expect(planLines(v).map((l) => l.label)).toEqual(['Entry', 'Stop', 'TP1 2.0R · 55%']);
  });

  it('accepts zones with top/bottom or high/low and normalises kinds', () => {
    const z = normalizeZones([
      { kind: 'supply_zone', high: 5, low: 4 },
      { kind: 'fair_value_gap', top: 3, bottom: 3.5 },
      { kind: 'equal_highs', top: 7, bottom: 7 },
      { kind: 'demand', top: 1 },
    ]);
    expect(z.map((x) => [x.kind, x.top, x.bottom, x.label])).toEqual([['supply', 5, 4, 'Supply'], ['fvg', 3.5, 3, 'FVG'], ['liquidity', 7, 7, 'Liquidity']]);
    expect(layersFromResponse({ overlays: { avwaps: [{ anchor_ts: 1, label: 'A' }] } }).avwaps).toHaveLength(1);
  });

  it('classifies confluence factors against the bias', () => {
    expect(classifyFactor('Above VWAP', 'long')).toBe('good');
    expect(classifyFactor('Above VWAP', 'short')).toBe('bad');
    expect(classifyFactor('Trend neutral', 'long')).toBe('warn');
    expect(normalizeFactors([{ label: 'x', tone: 'bad' }, 'y'], 'long').map((f) => f.label)).toEqual(['y', 'x']);
  });
});
