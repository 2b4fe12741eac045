// Scenario plans and replans, as pure rules: which alternative plans (one per trading style) are
// loaded and which one is drawn, how a /gpt/plan answer yields its view token, when a plan_delta
// offers a next plan (and the view token it carries for it), the persisted Auto-rearm choice, and the
// link written after adopting a plan — a stored one (by plan_id) or a preview (carried in the link).

import type { PlanDeltaChanges, PlanPayload } from '../api/types';
import { formatChartParams, type ChartParams } from './params';
import type { PlanView } from './plan';

export const SCENARIO_STYLES = ['scalp', 'intraday', 'swing', 'leaps'] as const;
export type ScenarioStyle = (typeof SCENARIO_STYLES)[number];

export type ScenarioEntry =
  | { style: ScenarioStyle; status: 'loading' }
  | { style: ScenarioStyle; status: 'ready'; plan: PlanView; payload: PlanPayload; viewToken: string | null }
  | { style: ScenarioStyle; status: 'error'; error: string };

export interface ScenarioState {
  entries: Partial<Record<ScenarioStyle, ScenarioEntry>>;
  /** The style whose plan is drawn dashed on the chart (null: none). */
  shown: ScenarioStyle | null;
  /** Bumped on every request so a late answer for a superseded request is dropped. */
  seq: number;
  pending: Partial<Record<ScenarioStyle, number>>;
}

export type ScenarioAction =
  | { type: 'request'; style: ScenarioStyle }
  | { type: 'loaded'; style: ScenarioStyle; seq: number; plan: PlanView; payload: PlanPayload; viewToken: string | null }
  | { type: 'failed'; style: ScenarioStyle; seq: number; error: string }
  | { type: 'show'; style: ScenarioStyle }
  | { type: 'clear' }
  | { type: 'reset' };

export const initialScenarioState: ScenarioState = { entries: {}, shown: null, seq: 0, pending: {} };

/**
 * Scenario reducer. A request marks the style loading and shows it; an answer only lands when it
 * belongs to the latest request for its style; `clear` hides the overlay but keeps loaded plans
 * (clicking the style again shows it without a new request); `reset` (after adopting) forgets all.
 */
export function scenarioReducer(state: ScenarioState, action: ScenarioAction): ScenarioState {
  switch (action.type) {
    case 'request': {
      const seq = state.seq + 1;
      return {
        entries: { ...state.entries, [action.style]: { style: action.style, status: 'loading' } },
        shown: action.style,
        seq,
        pending: { ...state.pending, [action.style]: seq },
      };
    }
    case 'loaded':
    case 'failed': {
      if (state.pending[action.style] !== action.seq) return state;
      const pending = { ...state.pending };
      delete pending[action.style];
      const entry: ScenarioEntry =
        action.type === 'loaded'
          ? { style: action.style, status: 'ready', plan: action.plan, payload: action.payload, viewToken: action.viewToken }
          : { style: action.style, status: 'error', error: action.error };
      return { ...state, entries: { ...state.entries, [action.style]: entry }, pending };
    }
    case 'show':
      return state.entries[action.style] ? { ...state, shown: action.style } : state;
    case 'clear':
      return { ...state, shown: null };
    case 'reset':
      return { ...initialScenarioState, seq: state.seq };
  }
}

/** The entry drawn on the chart, if it is loaded. */
export function shownScenario(state: ScenarioState): Extract<ScenarioEntry, { status: 'ready' }> | null {
  const e = state.shown ? state.entries[state.shown] : undefined;
  return e && e.status === 'ready' ? e : null;
}

/** The request body of POST /gpt/plan for a scenario. */
export function scenarioRequest(symbol: string, style: ScenarioStyle, asOf?: string | null): { symbol: string; style: ScenarioStyle; as_of?: string } {
  return asOf ? { symbol, style, as_of: asOf } : { symbol, style };
}

function vtFromUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.includes('vt=')) return null;
  try {
    return new URL(raw, 'http://link.invalid').searchParams.get('vt');
  } catch {
    return null;
  }
}

/**
 * The view token that authorises reads of a freshly made plan: an explicit `view_token`/`vt`
 * field, else the `vt` of its chart link (`chart_url`, `charts.interactive`, `trade_detail`).
 */
export function viewTokenFromPlanResponse(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  for (const k of ['view_token', 'vt']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  const charts = o.charts && typeof o.charts === 'object' ? (o.charts as Record<string, unknown>) : null;
  for (const candidate of [o.chart_url, charts?.interactive, o.interactive, o.trade_detail]) {
    const vt = vtFromUrl(candidate);
    if (vt) return vt;
  }
  return null;
}

// ---- next plan (auto-replan) --------------------------------------------------------------------

export interface NextPlanOffer {
  planId: string;
  version: number | null;
  style: string | null;
  note: string | null;
  /** View token for the next plan, when the server sends one along. */
  viewToken: string | null;
}

/** A plan_delta that names a next plan different from the current one is an offer. */
export function nextPlanOffer(changes: PlanDeltaChanges & Record<string, unknown>, currentPlanId: string | null): NextPlanOffer | null {
  // The server sends next_plan_vt; `view_token` is accepted from older senders.
  const id = typeof changes.next_plan_id === 'string' ? changes.next_plan_id.trim() : '';
  if (!id || id === currentPlanId) return null;
  const version = typeof changes.next_plan_version === 'number' ? changes.next_plan_version : null;
  const style = typeof changes.next_plan_style === 'string' ? changes.next_plan_style : null;
  const vt = typeof changes.next_plan_vt === 'string' ? changes.next_plan_vt : typeof changes.view_token === 'string' ? changes.view_token : null;
  return { planId: id, version, style, note: typeof changes.note === 'string' ? changes.note : null, viewToken: vt };
}

export const AUTO_REARM_KEY = 'td.autoRearm';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** Auto-rearm is off unless the user turned it on (stored as "1"); storage failures read as off. */
export function readAutoRearm(storage: StorageLike | null): boolean {
  try {
    return storage?.getItem(AUTO_REARM_KEY) === '1';
  } catch {
    return false;
  }
}

export function writeAutoRearm(storage: StorageLike | null, on: boolean): void {
  try {
    storage?.setItem(AUTO_REARM_KEY, on ? '1' : '0');
  } catch {
    /* private mode or quota: the toggle still works for this page */
  }
}

// ---- the link after adopting a plan ------------------------------------------------------------------

/**
 * The canonical query after a plan becomes the live one: the new plan_id (and its view token), the
 * symbol and interval on screen, the link's view settings kept; the link's own plan fields and
 * plan_version dropped, since they described the previous plan.
 */
export function adoptedParams(params: ChartParams, planId: string, viewToken: string | null, symbol: string, interval: string): ChartParams {
  return {
    ...params,
    symbol,
    interval: interval as ChartParams['interval'],
    planId,
    planVersion: undefined,
    viewToken: viewToken ?? undefined,
    entry: undefined,
    stop: undefined,
    targets: [],
    probs: [],
    runner: undefined,
    direction: undefined,
    strategy: undefined,
    style: undefined,
    confidence: undefined,
    atr: undefined,
    notes: undefined,
    title: undefined,
  };
}

export function adoptedLink(params: ChartParams, planId: string, viewToken: string | null, symbol: string, interval: string): string {
  return formatChartParams(adoptedParams(params, planId, viewToken, symbol, interval));
}

/**
 * A scenario the server answered as a preview: computed for the link's view token and never stored
 * (`preview: true`, no plan_id), so it has no id to follow or read back.
 */
export function isPreviewScenario(entry: { plan: PlanView; payload: PlanPayload }): boolean {
  return !entry.plan.planId || entry.payload.preview === true;
}

/**
 * The canonical query after a preview becomes the live plan. Nothing on the server names it, so the
 * plan travels in the link (entry, stop, targets with their probabilities, runner, direction,
 * strategy, style, confidence, ATR); plan_id and plan_version go, since they named the previous plan.
 * The view token stays: it still authorises previews of this symbol.
 */
export function previewAdoptedParams(params: ChartParams, plan: PlanView, symbol: string, interval: string): ChartParams {
  const probs = plan.targets.map((t) => t.prob);
  return {
    ...adoptedParams(params, '', params.viewToken ?? null, symbol, interval),
    planId: undefined,
    entry: plan.entry,
    stop: plan.stop ?? undefined,
    targets: plan.targets.map((t) => t.price),
    probs: probs.every((p): p is number => p !== null) ? probs : [],
    runner: plan.runner ?? undefined,
    direction: plan.direction,
    strategy: plan.strategy ?? undefined,
    style: plan.style ?? undefined,
    confidence: plan.confidence ?? undefined,
    atr: plan.atr ?? undefined,
  };
}
