import { describe, expect, it } from 'vitest';
import type { PlanPayload } from '../src/api/types';
import { formatChartParams, parseChartParams } from '../src/tv/params';
import { planFromParams, planFromPayload } from '../src/tv/plan';
import {
  adoptedLink,
  AUTO_REARM_KEY,
  initialScenarioState,
  isPreviewScenario,
  nextPlanOffer,
  previewAdoptedParams,
  readAutoRearm,
  scenarioReducer,
  scenarioRequest,
  shownScenario,
  viewTokenFromPlanResponse,
  writeAutoRearm,
} from '../src/tv/scenarios';

const payload: PlanPayload = { plan_id: 'pl_swing', symbol: 'SPY', style: 'swing', entry: 600, stop: 590, targets: [620] };
const plan = planFromPayload(payload);

describe('scenario state', () => {
  it('requests, loads and shows a style; a stale answer is dropped', () => {
    let s = scenarioReducer(initialScenarioState, { type: 'request', style: 'swing' });
    expect(s.shown).toBe('swing');
    expect(s.entries.swing).toEqual({ style: 'swing', status: 'loading' });
    expect(shownScenario(s)).toBeNull();
    const firstSeq = s.seq;
    s = scenarioReducer(s, { type: 'request', style: 'swing' });
    const stale = scenarioReducer(s, { type: 'loaded', style: 'swing', seq: firstSeq, plan, payload, viewToken: null });
    expect(stale).toBe(s);
    s = scenarioReducer(s, { type: 'loaded', style: 'swing', seq: s.seq, plan, payload, viewToken: 'tok' });
    expect(shownScenario(s)?.plan.entry).toBe(600);
    expect(shownScenario(s)?.viewToken).toBe('tok');
  });

  it('clears the overlay but keeps the plan; show brings it back; failures are kept per style', () => {
    let s = scenarioReducer(initialScenarioState, { type: 'request', style: 'scalp' });
    s = scenarioReducer(s, { type: 'loaded', style: 'scalp', seq: s.seq, plan, payload, viewToken: null });
    s = scenarioReducer(s, { type: 'clear' });
    expect(s.shown).toBeNull();
    expect(s.entries.scalp?.status).toBe('ready');
    s = scenarioReducer(s, { type: 'show', style: 'scalp' });
    expect(shownScenario(s)).not.toBeNull();
    expect(scenarioReducer(s, { type: 'show', style: 'leaps' })).toBe(s);
    s = scenarioReducer(s, { type: 'request', style: 'leaps' });
    s = scenarioReducer(s, { type: 'failed', style: 'leaps', seq: s.seq, error: 'no plan' });
    expect(s.entries.leaps).toEqual({ style: 'leaps', status: 'error', error: 'no plan' });
    expect(shownScenario(s)).toBeNull();
    const reset = scenarioReducer(s, { type: 'reset' });
    expect(reset.entries).toEqual({});
    expect(reset.seq).toBe(s.seq);
  });

  it('builds the /gpt/plan body', () => {
    expect(scenarioRequest('SPY', 'intraday')).toEqual({ symbol: 'SPY', style: 'intraday' });
    expect(scenarioRequest('SPY', 'leaps', '2026-03-09T14:00:00Z')).toEqual({ symbol: 'SPY', style: 'leaps', as_of: '2026-03-09T14:00:00Z' });
  });

  it('finds the new plan view token in the answer', () => {
    expect(viewTokenFromPlanResponse({ view_token: 'a.b' })).toBe('a.b');
    expect(viewTokenFromPlanResponse({ chart_url: 'https://desk/tv?plan_id=x&vt=abc.def' })).toBe('abc.def');
    expect(viewTokenFromPlanResponse({ charts: { interactive: '/tv?vt=q.r&symbol=SPY' } })).toBe('q.r');
    expect(viewTokenFromPlanResponse({ chart_url: '/tv?symbol=SPY' })).toBeNull();
    expect(viewTokenFromPlanResponse(null)).toBeNull();
  });
});

describe('next plan offer', () => {
  it('offers a different next plan only', () => {
    expect(nextPlanOffer({ status: 'auto_replanned', note: 'Replanned after stop', next_plan_id: 'pl_2', next_plan_version: 1, next_plan_style: 'intraday' } as never, 'pl_1')).toEqual({
      planId: 'pl_2',
      version: 1,
      style: 'intraday',
      note: 'Replanned after stop',
      viewToken: null,
    });
    expect(nextPlanOffer({ next_plan_id: 'pl_1' }, 'pl_1')).toBeNull();
    expect(nextPlanOffer({ status: 'intact' }, 'pl_1')).toBeNull();
    expect(nextPlanOffer({ next_plan_id: '  ' }, 'pl_1')).toBeNull();
  });

  it("carries the server's next_plan_vt so a token-only viewer can open the next plan", () => {
    const offer = nextPlanOffer({ status: 'stopped', next_plan_id: 'pl_2', next_plan_vt: 'cGxfMnxhfDk.c2ln' }, 'pl_1');
    expect(offer?.planId).toBe('pl_2');
    expect(offer?.viewToken).toBe('cGxfMnxhfDk.c2ln');
    // The token belongs to the offer; an offer of the current plan is no offer, token or not.
    expect(nextPlanOffer({ next_plan_id: 'pl_1', next_plan_vt: 'x.y' }, 'pl_1')).toBeNull();
    // An older sender's field name still works; a non-string token is ignored.
    expect(nextPlanOffer({ next_plan_id: 'pl_2', view_token: 'a.b' } as never, 'pl_1')?.viewToken).toBe('a.b');
    expect(nextPlanOffer({ next_plan_id: 'pl_2', next_plan_vt: 42 } as never, 'pl_1')?.viewToken).toBeNull();
  });

  it('persists Auto-rearm and reads failures as off', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(readAutoRearm(storage)).toBe(false);
    writeAutoRearm(storage, true);
    expect(store.get(AUTO_REARM_KEY)).toBe('1');
    expect(readAutoRearm(storage)).toBe(true);
    writeAutoRearm(storage, false);
    expect(readAutoRearm(storage)).toBe(false);
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(readAutoRearm(broken)).toBe(false);
    expect(() => writeAutoRearm(broken, true)).not.toThrow();
    expect(readAutoRearm(null)).toBe(false);
  });
});

describe('adopted link', () => {
  it('replaces the plan, keeps view settings and drops the old plan fields', () => {
    const { params } = parseChartParams('symbol=SPY&interval=5m&plan_id=pl_1&plan_version=3&vt=aaaa.bbbbbbbbbbbbbbbbbbbb&entry=600&stop=590&tp=620&focus=plan&ema=9,21&theme=dark');
    expect(adoptedLink(params, 'pl_2', 'cccc.dddddddddddddddddddd', 'SPY', '15m')).toBe(
      'ema=9,21&focus=plan&interval=15m&plan_id=pl_2&symbol=SPY&theme=dark&vt=cccc.dddddddddddddddddddd',
    );
    expect(adoptedLink(params, 'pl_3', null, 'SPY', '5m')).toBe('ema=9,21&focus=plan&interval=5m&plan_id=pl_3&symbol=SPY&theme=dark');
  });
});

describe('adopting a preview', () => {
  const preview: PlanPayload = {
    preview: true,
    symbol: 'US:SPY',
    style: 'swing',
    strategy: 'orb_retest',
    direction: 'short',
    entry: 600.5,
    stop: 604.25,
    targets: [{ price: 596, prob: 0.6 }, { price: 590.1, prob: 0.35 }],
    runner: 585,
    confidence: 0.7,
    atr: 2.5,
  };
  const previewPlan = planFromPayload(preview);

  it('tells a preview (no plan_id, or preview: true) from a stored scenario', () => {
    expect(isPreviewScenario({ plan: previewPlan, payload: preview })).toBe(true);
    expect(isPreviewScenario({ plan, payload })).toBe(false);
    expect(isPreviewScenario({ plan, payload: { ...payload, preview: true } })).toBe(true);
  });

  it('carries the plan in the link, drops plan_id and keeps the view token', () => {
    const { params } = parseChartParams('symbol=US:SPY&interval=5m&plan_id=pl_1&plan_version=2&vt=aaaa.bbbbbbbbbbbbbbbbbbbb&focus=plan&title=Old&notes=old');
    const next = previewAdoptedParams(params, previewPlan, 'US:SPY', '1h');
    expect(formatChartParams(next)).toBe(
      'atr=2.5&confidence=0.7&direction=short&entry=600.5&focus=plan&interval=1h&probs=0.6,0.35&runner=585&stop=604.25&strategy=orb_retest&style=swing&symbol=US:SPY&tp=596,590.1&vt=aaaa.bbbbbbbbbbbbbbbbbbbb',
    );
    // The link alone rebuilds the same plan.
    const reparsed = parseChartParams(formatChartParams(next));
    expect(reparsed.issues).toEqual([]);
    const rebuilt = planFromParams(reparsed.params)!;
    expect(rebuilt.planId).toBeNull();
    expect([rebuilt.entry, rebuilt.stop, rebuilt.runner, rebuilt.direction]).toEqual([600.5, 604.25, 585, 'short']);
    expect(rebuilt.targets.map((t) => [t.price, t.prob])).toEqual([[596, 0.6], [590.1, 0.35]]);
  });

  it('leaves probabilities out unless every target has one', () => {
    const partial = planFromPayload({ ...preview, targets: [{ price: 596, prob: 0.6 }, 590.1] });
    const { params } = parseChartParams('symbol=SPY&vt=aaaa.bbbbbbbbbbbbbbbbbbbb');
    expect(previewAdoptedParams(params, partial, 'SPY', '5m').probs).toEqual([]);
  });
});
