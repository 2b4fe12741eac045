// Plan view model: normalising the server's plan and the URL's plan fields, R:R, scale_plan,
// focus ranges, key-level de-duplication and the client-side plan status fallback.

import type { ChartLayersResponse, Direction, PlanPayload, PlanStatus, WireAvwap, WireFactor, WireLevel, WireZone } from '../api/types';
import type { ChartParams, ScalePlan } from './params';
import { normalizeInterval, type Interval } from './time';

export interface TargetView {
  price: number;
  rr: number | null;
  prob: number | null;
  reason: string | null;
  /** Distance from entry as a fraction of the expected move, when known. */
  emFraction: number | null;
}

export interface LevelView {
  price: number;
  label: string;
  kind: string;
  primary: boolean;
}

export interface ZoneView {
  kind: 'supply' | 'demand' | 'fvg' | 'liquidity' | 'other';
  top: number;
  bottom: number;
  label: string;
  status: string | null;
}

export interface FactorView {
  label: string;
  tone: 'good' | 'warn' | 'bad';
}

export interface PlanView {
  planId: string | null;
  version: number | null;
  symbol: string;
  interval: Interval | null;
  direction: Direction;
  strategy: string | null;
  style: string | null;
  entry: number;
  stop: number | null;
  targets: TargetView[];
  runner: number | null;
  confidence: number | null;
  factors: FactorView[];
  warnings: string[];
  status: string | null;
  asOf: string | null;
  expectedMove: number | null;
  atr: number | null;
  dataSource: string | null;
}

export interface Layers {
  levels: LevelView[];
  zones: ZoneView[];
  avwaps: WireAvwap[];
  asOf: string | null;
}

// ---- basics ----------------------------------------------------------------------------------

/** Reward-to-risk of a target: |target − entry| / |entry − stop|; null without a usable stop. */
export function rewardToRisk(entry: number, stop: number | null, target: number): number | null {
  if (stop === null) return null;
  const risk = Math.abs(entry - stop);
  if (!(risk > 0)) return null;
  return Math.abs(target - entry) / risk;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

const BAD_LONG = /\b(against|below vwap|bearish|downtrend|trend down|ema down|weak|diverg|fail|counter|no volume|low volume|lower high)/i;
const BAD_SHORT = /\b(against|above vwap|bullish|uptrend|trend up|ema up|weak|diverg|fail|counter|no volume|low volume|higher low)/i;
const WARN = /\b(mixed|neutral|near|thin|caution|pending|flat|chop|wide|late|extended|unconfirmed)/i;

/** Tone of a confluence factor from its wording, relative to the plan's direction. */
export function classifyFactor(label: string, direction: Direction): FactorView['tone'] {
  if ((direction === 'long' ? BAD_LONG : BAD_SHORT).test(label)) return 'bad';
  if (WARN.test(label)) return 'warn';
  return 'good';
}

const TONE_ORDER = { good: 0, warn: 1, bad: 2 } as const;

export function normalizeFactors(raw: Array<string | WireFactor> | undefined, direction: Direction): FactorView[] {
  const out: FactorView[] = [];
  for (const f of raw ?? []) {
    const label = typeof f === 'string' ? f.trim() : str(f?.label);
    if (!label) continue;
    const tone = typeof f === 'object' && f.tone && f.tone in TONE_ORDER ? f.tone : classifyFactor(label, direction);
    out.push({ label, tone });
  }
  return out.sort((a, b) => TONE_ORDER[a.tone] - TONE_ORDER[b.tone]);
}

// ---- normalisation -----------------------------------------------------------------------------

function inferDirection(raw: unknown, entry: number, stop: number | null): Direction {
  const s = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (s === 'long' || s === 'bullish' || s === 'buy') return 'long';
  if (s === 'short' || s === 'bearish' || s === 'sell') return 'short';
  return stop !== null && stop > entry ? 'short' : 'long';
}

function runnerPrice(raw: PlanPayload['runner']): number | null {
  if (typeof raw === 'number') return num(raw);
  if (raw && typeof raw === 'object') return num(raw.anchor) ?? num(raw.price);
  return null;
}

export function normalizeLevels(raw: WireLevel[] | undefined): LevelView[] {
  const out: LevelView[] = [];
  for (const l of raw ?? []) {
    const price = num(l?.price);
    if (price === null || price <= 0) continue;
    out.push({ price, label: str(l.label) ?? 'Level', kind: str(l.kind) ?? 'level', primary: l.primary === true });
  }
  return out;
}

function zoneKind(raw: string): ZoneView['kind'] {
  const k = raw.toLowerCase();
  if (k.startsWith('supply')) return 'supply';
  if (k.startsWith('demand')) return 'demand';
  if (k === 'fvg' || k.includes('fair_value') || k.includes('gap')) return 'fvg';
  if (k.startsWith('liquidity') || k.includes('pool') || k.startsWith('equal_')) return 'liquidity';
  return 'other';
}

export function normalizeZones(raw: WireZone[] | undefined): ZoneView[] {
  const out: ZoneView[] = [];
  for (const z of raw ?? []) {
    const a = num(z?.top) ?? num(z?.high);
    const b = num(z?.bottom) ?? num(z?.low);
    if (a === null || b === null) continue;
    const kind = zoneKind(str(z.kind) ?? '');
    const defaultLabel = { supply: 'Supply', demand: 'Demand', fvg: 'FVG', liquidity: 'Liquidity', other: 'Zone' }[kind];
    out.push({ kind, top: Math.max(a, b), bottom: Math.min(a, b), label: str(z.label) ?? defaultLabel, status: str(z.status) });
  }
  return out;
}

/** GET path of a stored plan: the latest version, or the one a link pins with plan_version. */
export function ideaPath(planId: string, version?: number | null): string {
  return `/idea/${encodeURIComponent(planId)}${version ? `/${version}` : ''}`;
}

/** Accepts the plan JSON, or an idea snapshot that wraps it in {plan: …}. */
export function unwrapPlan(raw: unknown): PlanPayload | null {
  if (!raw || typeof raw !== 'object') return null;
  const obj = raw as Record<string, unknown>;
  if (typeof obj.entry === 'number') return obj as unknown as PlanPayload;
  const inner = obj.plan;
  if (inner && typeof inner === 'object' && typeof (inner as Record<string, unknown>).entry === 'number') {
    const merged = { ...(inner as object) } as PlanPayload & Record<string, unknown>;
    for (const key of ['levels', 'zones', 'avwaps'] as const) if (merged[key] === undefined && obj[key] !== undefined) (merged as Record<string, unknown>)[key] = obj[key];
    return merged;
  }
  return null;
}

export function planFromPayload(p: PlanPayload): PlanView {
  const entry = p.entry;
  const stop = num(p.stop);
  const direction = inferDirection(p.direction, entry, stop);
  const expectedMove = num(p.expected_move);
  const targets: TargetView[] = [];
  const meta = Array.isArray(p.target_meta) ? p.target_meta : [];
  (p.targets ?? []).forEach((t, i) => {
    const price = typeof t === 'number' ? num(t) : num(t?.price);
    if (price === null) return;
    const obj = typeof t === 'object' ? t : null;
    // A plain price list carries its details in target_meta (same index, same price).
    const m = meta[i] && (num(meta[i]!.price) === null || num(meta[i]!.price) === price) ? meta[i]! : null;
    const em = num(obj?.em_fraction) ?? num(m?.em_fraction) ?? (expectedMove ? Math.abs(price - entry) / expectedMove : null);
    targets.push({
      price,
      rr: num(obj?.rr) ?? num(m?.rr) ?? rewardToRisk(entry, stop, price),
      prob: num(obj?.prob) ?? num(m?.prob_touch) ?? num(m?.prob),
      reason: str(obj?.reason) ?? str(obj?.label) ?? str(m?.snap_tag),
      emFraction: em,
    });
  });
  const conf = num(p.confidence);
  return {
    planId: str(p.plan_id),
    version: num(p.version),
    symbol: p.symbol,
    interval: p.interval ? normalizeInterval(p.interval) : null,
    direction,
    strategy: str(p.strategy),
    style: str(p.style),
    entry,
    stop,
    targets,
    runner: runnerPrice(p.runner),
    confidence: conf === null ? null : conf > 1 ? conf / 100 : conf,
    factors: normalizeFactors(p.factors, direction),
    warnings: (p.warnings ?? []).filter((w): w is string => typeof w === 'string' && w.trim() !== ''),
    status: str(p.status),
    asOf: str(p.as_of),
    expectedMove,
    atr: num(p.atr),
    dataSource: str(p.data_source),
  };
}

/** The plan carried by URL fields (entry, stop, tp…), or null when the link has no entry. */
export function planFromParams(p: ChartParams): PlanView | null {
  if (p.entry === undefined || !p.symbol) return null;
  const stop = p.stop ?? null;
  const direction = p.direction ?? inferDirection(undefined, p.entry, stop);
  return {
    planId: p.planId ?? null,
    version: p.planVersion ?? null,
    symbol: p.symbol,
    interval: p.interval ?? null,
    direction,
    strategy: p.strategy ?? null,
    style: p.style ?? null,
    entry: p.entry,
    stop,
    targets: p.targets.map((price, i) => ({
      price,
      rr: rewardToRisk(p.entry!, stop, price),
      prob: p.probs[i] ?? null,
      reason: null,
      emFraction: null,
    })),
    runner: p.runner ?? null,
    confidence: p.confidence ?? null,
    factors: [],
    warnings: [],
    status: null,
    asOf: null,
    expectedMove: null,
    atr: p.atr ?? null,
    dataSource: null,
  };
}

export function layersFromPlan(p: PlanPayload): Layers {
  return { levels: normalizeLevels(p.levels), zones: normalizeZones(p.zones), avwaps: p.avwaps ?? [], asOf: str(p.as_of) };
}

export function layersFromResponse(r: ChartLayersResponse): Layers {
  const avwaps = Array.isArray(r.overlays?.avwaps) ? (r.overlays!.avwaps as WireAvwap[]) : [];
  return { levels: normalizeLevels(r.levels), zones: normalizeZones(r.zones), avwaps, asOf: str(r.as_of) };
}

// ---- scale_plan ---------------------------------------------------------------------------------

export interface ScaleDecision {
  factor: number;
  mode: 'off' | 'manual' | 'auto';
  refPrice: number | null;
  lastClose: number | null;
}

/** Auto mode rescales when last close / plan entry leaves [0.8, 1.2] (the plan is ≥ 20 % away). */
export const AUTO_SCALE_LOW = 0.8;
export const AUTO_SCALE_HIGH = 1.2;

/**
 * scale_plan rule. `off`: never. A number: that multiplier. `auto` (default): when the last close
 * is more than 20 % away from the plan's reference price (its entry), multiply every plan price by
 * lastClose / entry — this re-bases a plan made before a split or on another contract to where
 * price trades now. R:R and distances as fractions of price are unchanged by the multiplier.
 */
export function decideScale(mode: ScalePlan | undefined, refPrice: number | null, lastClose: number | null): ScaleDecision {
  const m = mode ?? 'auto';
  if (m === 'off') return { factor: 1, mode: 'off', refPrice, lastClose };
  if (typeof m === 'number') return { factor: m, mode: 'manual', refPrice, lastClose };
  if (refPrice === null || lastClose === null || !(refPrice > 0) || !(lastClose > 0)) return { factor: 1, mode: 'auto', refPrice, lastClose };
  const ratio = lastClose / refPrice;
  const factor = ratio > AUTO_SCALE_HIGH || ratio < AUTO_SCALE_LOW ? ratio : 1;
  return { factor, mode: 'auto', refPrice, lastClose };
}

export function scalePlanView(plan: PlanView, factor: number): PlanView {
  if (factor === 1) return plan;
  const s = (x: number) => x * factor;
  return {
    ...plan,
    entry: s(plan.entry),
    stop: plan.stop === null ? null : s(plan.stop),
    targets: plan.targets.map((t) => ({ ...t, price: s(t.price) })),
    runner: plan.runner === null ? null : s(plan.runner),
    expectedMove: plan.expectedMove === null ? null : s(plan.expectedMove),
    atr: plan.atr === null ? null : s(plan.atr),
  };
}

export function scaleLayers(layers: Layers, factor: number): Layers {
  if (factor === 1) return layers;
  return {
    ...layers,
    levels: layers.levels.map((l) => ({ ...l, price: l.price * factor })),
    zones: layers.zones.map((z) => ({ ...z, top: z.top * factor, bottom: z.bottom * factor })),
  };
}

// ---- plan lines and levels ------------------------------------------------------------------------

export interface PlanLine {
  kind: 'entry' | 'stop' | 'target' | 'runner';
  index: number; // 1-based target number, 0 otherwise
  price: number;
  label: string;
}

function fmtRR(rr: number | null): string {
  return rr === null ? '' : ` ${rr.toFixed(1)}R`;
}

function fmtProb(prob: number | null): string {
  return prob === null ? '' : ` · ${Math.round(prob * 100)}%`;
}

export function planLines(plan: PlanView): PlanLine[] {
  const lines: PlanLine[] = [{ kind: 'entry', index: 0, price: plan.entry, label: 'Entry' }];
  if (plan.stop !== null) lines.push({ kind: 'stop', index: 0, price: plan.stop, label: 'Stop' });
  plan.targets.forEach((t, i) => {
    lines.push({ kind: 'target', index: i + 1, price: t.price, label: `TP${i + 1}${fmtRR(t.rr)}${fmtProb(t.prob)}` });
  });
  if (plan.runner !== null) {
    lines.push({ kind: 'runner', index: 0, price: plan.runner, label: `Runner${fmtRR(rewardToRisk(plan.entry, plan.stop, plan.runner))}` });
  }
  return lines;
}

/** Two prices closer than this are one line: max(0.01, 0.05 % of price, 5 % of ATR). */
export function levelTolerance(refPrice: number, atr: number | null = null): number {
  return Math.max(0.01, Math.abs(refPrice) * 0.0005, atr ? atr * 0.05 : 0);
}

export interface MergedLevel {
  price: number;
  label: string;
  labels: string[];
  kinds: string[];
  primary: boolean;
}

function joinLabels(labels: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of labels) {
    const key = l.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(l);
    }
  }
  return out;
}

function groupPrice(g: readonly LevelView[]): number {
  const primaryMember = g.find((l) => l.primary);
  return primaryMember ? primaryMember.price : g.reduce((s, l) => s + l.price, 0) / g.length;
}

/**
 * De-duplicates levels so no two drawn lines are within `tol` of each other (they would stack).
 * Levels are sorted by price and neighbouring groups are merged while their line prices are within
 * tol, until none are. A group's line sits at its first primary member's price (else the mean of
 * its members); labels are joined with " / " (case-insensitive duplicates once); it is primary if
 * any member is.
 */
export function mergeLevels(levels: readonly LevelView[], tol: number): MergedLevel[] {
  let groups: LevelView[][] = [...levels].sort((a, b) => a.price - b.price).map((l) => [l]);
  let merged = true;
  while (merged && groups.length > 1) {
    merged = false;
    const next: LevelView[][] = [groups[0]];
    for (let i = 1; i < groups.length; i++) {
      const prev = next[next.length - 1];
      if (Math.abs(groupPrice(groups[i]) - groupPrice(prev)) <= tol) {
        next[next.length - 1] = [...prev, ...groups[i]];
        merged = true;
      } else next.push(groups[i]);
    }
    groups = next;
  }
  return groups.map((g) => {
    const labels = joinLabels(g.map((l) => l.label));
    return { price: groupPrice(g), label: labels.join(' / '), labels, kinds: [...new Set(g.map((l) => l.kind))], primary: g.some((l) => l.primary) };
  });
}

/**
 * Levels that sit on a plan line (within tol) are not drawn again; their labels are added to the
 * plan line's label instead ("TP1 2.0R · VAH"). Returns the new lines and the remaining levels.
 */
export function foldLevelsIntoPlan(lines: readonly PlanLine[], levels: readonly MergedLevel[], tol: number): { lines: PlanLine[]; levels: MergedLevel[] } {
  const out = lines.map((l) => ({ ...l }));
  const rest: MergedLevel[] = [];
  for (const level of levels) {
    let best: PlanLine | null = null;
    for (const line of out) {
      if (Math.abs(line.price - level.price) <= tol && (!best || Math.abs(line.price - level.price) < Math.abs(best.price - level.price))) best = line;
    }
    if (best) best.label = `${best.label} · ${level.label}`;
    else rest.push(level);
  }
  return { lines: out, levels: rest };
}

/**
 * Marks which levels are shown by default. When the producer flagged primaries, those; otherwise
 * the `count` levels nearest the reference price.
 */
export function assignPrimary(levels: readonly LevelView[], refPrice: number | null, count = 6): LevelView[] {
  if (levels.some((l) => l.primary) || refPrice === null) return levels.map((l) => ({ ...l }));
  const ranked = levels.map((l, i) => ({ i, d: Math.abs(l.price - refPrice) })).sort((a, b) => a.d - b.d);
  const keep = new Set(ranked.slice(0, count).map((r) => r.i));
  return levels.map((l, i) => ({ ...l, primary: keep.has(i) }));
}

// ---- focus=plan ------------------------------------------------------------------------------------

export interface PriceRange {
  min: number;
  max: number;
}

/** The plan's price range (entry, stop, targets, runner, and last price), padded by max(5 % of span, ½ ATR). */
export function focusPriceRange(plan: PlanView, lastClose: number | null): PriceRange {
  const prices = [plan.entry, ...plan.targets.map((t) => t.price)];
  if (plan.stop !== null) prices.push(plan.stop);
  if (plan.runner !== null) prices.push(plan.runner);
  if (lastClose !== null) prices.push(lastClose);
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const span = hi - lo;
  const pad = Math.max(span * 0.05, plan.atr ? plan.atr * 0.5 : 0, Math.abs(hi) * 0.001);
  return { min: lo - pad, max: hi + pad };
}

/** The smallest range holding both (a scenario drawn over the live plan stays in view). */
export function unionRange(a: PriceRange, b: PriceRange | null): PriceRange {
  return b ? { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) } : a;
}

export interface LogicalRange {
  from: number;
  to: number;
}

/** Visible bars for focus: clamp(40 % of bars, 120, 360). */
export function focusBarCount(barCount: number): number {
  return Math.min(360, Math.max(120, Math.round(barCount * 0.4)));
}

/**
 * The time window for focus=plan: centred on `centerIndex` when given (center_time), otherwise the
 * latest bars with a small right margin.
 */
export function focusLogicalRange(barCount: number, centerIndex: number | null = null, rightMargin = 8): LogicalRange {
  const n = focusBarCount(barCount);
  if (centerIndex !== null) return { from: centerIndex - n / 2, to: centerIndex + n / 2 };
  const last = barCount - 1;
  return { from: last - n + rightMargin, to: last + rightMargin };
}

/** Index of the bar nearest to a unix time (bars ascending). */
export function nearestBarIndex(times: readonly number[], t: number): number | null {
  if (!times.length) return null;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) return lo - 1;
  return lo;
}

// ---- status -------------------------------------------------------------------------------------

export function normalizeStatus(raw: string | null | undefined): PlanStatus | null {
  if (!raw) return null;
  const s = raw.toLowerCase().replace(/[\s-]+/g, '_');
  if (s === 'intact' || s === 'at_risk' || s === 'invalidated') return s;
  if (s === 'stop_hit' || s === 'stopped' || s === 'exited' || s === 'invalid') return 'invalidated';
  if (s === 'warning' || s === 'risk') return 'at_risk';
  return null;
}

/** Stop buffer for the client-side status: 0.3 % of the stop. */
export const STOP_BUFFER = 0.003;

/**
 * Plan health from the last price when the server has not told us: invalidated through the stop,
 * at risk within 0.3 % of it, intact otherwise.
 */
export function derivePlanStatus(plan: Pick<PlanView, 'direction' | 'stop'>, price: number | null): PlanStatus | null {
  if (price === null || plan.stop === null) return null;
  if (plan.direction === 'long') {
    if (price <= plan.stop) return 'invalidated';
    if (price <= plan.stop * (1 + STOP_BUFFER)) return 'at_risk';
  } else {
    if (price >= plan.stop) return 'invalidated';
    if (price >= plan.stop * (1 - STOP_BUFFER)) return 'at_risk';
  }
  return 'intact';
}
