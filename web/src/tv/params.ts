// The /tv chart-link parameters: an allow-list parser that reports every unknown or malformed
// parameter (the page shows them; it never silently drops them into a blank chart), and the
// canonical formatter (keys sorted, numbers trimmed, ',' ':' '|' ';' left unescaped).

import type { Direction } from '../api/types';
import { normalizeInterval, type Interval } from './time';

export type OverlayKind = 'levels' | 'supply' | 'demand' | 'fvg' | 'liquidity' | 'avwap';
export const OVERLAY_KINDS: readonly OverlayKind[] = ['levels', 'supply', 'demand', 'fvg', 'liquidity', 'avwap'];

export type ScalePlan = 'auto' | 'off' | number;

export interface UrlLevel {
  price: number;
  label: string;
}

export interface ChartParams {
  symbol?: string;
  interval?: Interval;
  direction?: Direction;
  entry?: number;
  stop?: number;
  targets: number[];
  /** Probability of touching each target (0..1), aligned with `targets`. */
  probs: number[];
  runner?: number;
  strategy?: string;
  style?: string;
  confidence?: number;
  levels: UrlLevel[];
  overlays?: OverlayKind[];
  emas?: number[];
  vwap?: boolean;
  focus?: 'plan';
  scalePlan?: ScalePlan;
  planId?: string;
  planVersion?: number;
  theme?: 'dark' | 'light';
  centerTime?: 'latest' | number;
  range?: string;
  view?: string;
  atr?: number;
  title?: string;
  live?: boolean;
  /** Short free-text plan notes (≤ 140 characters), shown in the plan panel. */
  notes?: string;
  /** Supporting levels: drawn behind "Show more levels" (never primary). */
  supportingLevels: UrlLevel[];
  /** Keep the link's interval even when the style would suggest another. */
  forceInterval?: boolean;
  /** Signed view token of the plan (query `vt`); forwarded on every plan-bound request. */
  viewToken?: string;
}

export interface ParamIssue {
  param: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ParseResult {
  params: ChartParams;
  issues: ParamIssue[];
}

/** Every key the viewer understands; anything else is reported. */
export const KNOWN_PARAMS: readonly string[] = [
  'symbol', 'interval', 'resolution', 'direction', 'entry', 'stop', 'tp', 'runner', 'probs', 'strategy', 'style',
  'confidence', 'levels', 'overlays', 'ema', 'emas', 'vwap', 'focus', 'scale_plan', 'plan_id', 'plan_version',
  'theme', 'center_time', 'range', 'view', 'atr', 'title', 'live', 'notes', 'supportingLevels', 'force_interval', 'vt',
];
const TP_N = /^tp([1-9])$/;

const SYMBOL_RE = /^(?:[A-Z][A-Z0-9_]{0,19}:)?[A-Z0-9][A-Z0-9._&-]{0,39}$/;
const PLAN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const RANGE_RE = /^(?:fit|[1-9]\d{0,4}|[1-9]\d{0,3}[dwmy])$/i;
const VIEWS = ['30m', '1d', '5d', '1M', '3M', '6M', '1Y'];
const STYLES = ['scalp', 'intraday', 'swing', 'leaps'];
const MAX_TEXT = 140;
/** base64url(payload) "." base64url(mac), as minted by the server's ViewTokenSigner. */
const VIEW_TOKEN_RE = /^[A-Za-z0-9_-]{4,1024}\.[A-Za-z0-9_-]{16,128}$/;

/** Strict decimal number (no hex, no exponent surprises, no trailing junk). */
export function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function parsePrice(raw: string): number | null {
  const n = parseNumber(raw);
  return n !== null && n > 0 ? n : null;
}

function parseBool(raw: string): boolean | null {
  const s = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(s)) return true;
  if (['0', 'false', 'off', 'no'].includes(s)) return false;
  return null;
}

function cleanText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT);
}

/** Parses "price|label;price|label" (',' separates tokens when there is no ';'). */
export function parseLevels(raw: string): { levels: UrlLevel[]; bad: string[] } {
  const levels: UrlLevel[] = [];
  const bad: string[] = [];
  const sep = raw.includes(';') ? ';' : ',';
  for (const token of raw.split(sep)) {
    const t = token.trim();
    if (!t) continue;
    const bar = t.indexOf('|');
    const priceText = bar >= 0 ? t.slice(0, bar) : t;
    const label = bar >= 0 ? cleanText(t.slice(bar + 1)) : '';
    const price = parsePrice(priceText);
    if (price === null) {
      bad.push(t);
      continue;
    }
    levels.push({ price, label: label || 'Level' });
  }
  return { levels, bad };
}

function parseList(raw: string, parse: (s: string) => number | null): { values: number[]; bad: string[] } {
  const values: number[] = [];
  const bad: string[] = [];
  for (const token of raw.split(',')) {
    const t = token.trim();
    if (!t) continue;
    const n = parse(t);
    if (n === null) bad.push(t);
    else values.push(n);
  }
  return { values, bad };
}

export function parseChartParams(search: string | URLSearchParams): ParseResult {
  const sp = typeof search === 'string' ? new URLSearchParams(search.startsWith('?') ? search.slice(1) : search) : search;
  const issues: ParamIssue[] = [];
  const params: ChartParams = { targets: [], probs: [], levels: [], supportingLevels: [] };
  const seen = new Set<string>();
  const bad = (param: string, message: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ param, message, severity });
  const tpN: Array<[number, string]> = [];

  for (const [rawKey, value] of sp.entries()) {
    const key = rawKey.trim();
    if (seen.has(key)) {
      bad(key, `“${key}” is given more than once; the first value is used.`, 'warning');
      continue;
    }
    seen.add(key);
    const tpMatch = TP_N.exec(key);
    if (tpMatch) {
      tpN.push([Number(tpMatch[1]), value]);
      continue;
    }
    if (!KNOWN_PARAMS.includes(key)) {
      bad(key, `Unknown parameter “${key}” was ignored.`, 'warning');
      continue;
    }
    const v = value.trim();
    switch (key) {
      case 'symbol': {
        const s = v.toUpperCase();
        if (SYMBOL_RE.test(s)) params.symbol = s;
        else bad(key, `symbol “${v}” is not a valid symbol (examples: SPY, NSE_INDEX:NIFTY).`);
        break;
      }
      case 'interval':
      case 'resolution': {
        const iv = normalizeInterval(v);
        if (!iv) bad(key, `${key} “${v}” is not one of 1m 5m 15m 1h 4h 1D 1W.`);
        else if (params.interval && params.interval !== iv) bad(key, `interval and resolution disagree; using ${params.interval}.`, 'warning');
        else params.interval = iv;
        break;
      }
      case 'direction': {
        const d = v.toLowerCase();
        if (d === 'long' || d === 'short') params.direction = d;
        else bad(key, `direction “${v}” must be long or short.`);
        break;
      }
      case 'entry':
      case 'stop':
      case 'runner':
      case 'atr': {
        const n = parsePrice(v);
        if (n === null) bad(key, `${key} “${v}” is not a positive number.`);
        else params[key] = n;
        break;
      }
      case 'tp': {
        const { values, bad: b } = parseList(v, parsePrice);
        if (b.length) bad(key, `tp has values that are not positive numbers: ${b.join(', ')}.`);
        params.targets = values;
        break;
      }
      case 'probs': {
        const { values, bad: b } = parseList(v, (s) => {
          const n = parseNumber(s);
          if (n === null || n < 0) return null;
          if (n <= 1) return n;
          return n <= 100 ? n / 100 : null;
        });
        if (b.length) bad(key, `probs has values outside 0–1 (or 0–100%): ${b.join(', ')}.`);
        params.probs = values;
        break;
      }
      case 'confidence': {
        const n = parseNumber(v);
        if (n === null || n < 0 || n > 100) bad(key, `confidence “${v}” must be 0–1 (or a percentage 0–100).`);
        else params.confidence = n > 1 ? n / 100 : n;
        break;
      }
      case 'strategy':
      case 'notes':
      case 'title': {
        const t = cleanText(v);
        if (t) params[key] = t;
        break;
      }
      case 'style': {
        const s = v.toLowerCase();
        if (STYLES.includes(s)) params.style = s;
        else bad(key, `style “${v}” must be one of ${STYLES.join(', ')}.`);
        break;
      }
      case 'levels': {
        const { levels, bad: b } = parseLevels(v);
        if (b.length) bad(key, `levels has tokens that are not “price|label”: ${b.join(', ')}.`);
        params.levels = levels;
        break;
      }
      case 'supportingLevels': {
        const { levels, bad: b } = parseLevels(v);
        if (b.length) bad(key, `supportingLevels has tokens that are not “price|label”: ${b.join(', ')}.`);
        params.supportingLevels = levels;
        break;
      }
      case 'force_interval': {
        const b = parseBool(v);
        if (b === null) bad(key, `force_interval “${v}” must be 1/0, true/false or on/off.`);
        else params.forceInterval = b;
        break;
      }
      case 'vt': {
        if (VIEW_TOKEN_RE.test(v)) params.viewToken = v;
        else bad(key, 'vt (view token) is malformed; plan data needs a valid token or an API key. Ask for a fresh chart link.');
        break;
      }
      case 'overlays': {
        const tokens = v.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
        if (tokens.length === 1 && tokens[0] === 'all') params.overlays = [...OVERLAY_KINDS];
        else if (tokens.length === 1 && tokens[0] === 'none') params.overlays = [];
        else {
          const unknown = tokens.filter((t) => !OVERLAY_KINDS.includes(t as OverlayKind));
          if (unknown.length) bad(key, `overlays has unknown kinds: ${unknown.join(', ')} (known: ${OVERLAY_KINDS.join(', ')}, all, none).`);
          params.overlays = OVERLAY_KINDS.filter((k) => tokens.includes(k));
        }
        break;
      }
      case 'ema':
      case 'emas': {
        if (params.emas) {
          bad(key, 'ema and emas both given; the first is used.', 'warning');
          break;
        }
        if (['0', 'off', 'none', 'false'].includes(v.toLowerCase())) {
          params.emas = [];
          break;
        }
        const { values, bad: b } = parseList(v, (s) => {
          const n = parseNumber(s);
          return n !== null && Number.isInteger(n) && n >= 1 && n <= 500 ? n : null;
        });
        if (b.length) bad(key, `${key} periods must be whole numbers 1–500: ${b.join(', ')}.`);
        const unique = [...new Set(values)].slice(0, 6);
        if (values.length > 6) bad(key, `${key}: at most 6 EMAs are drawn.`, 'warning');
        params.emas = unique;
        break;
      }
      case 'vwap':
      case 'live': {
        const b = parseBool(v);
        if (b === null) bad(key, `${key} “${v}” must be 1/0, true/false or on/off.`);
        else params[key] = b;
        break;
      }
      case 'focus': {
        if (v.toLowerCase() === 'plan') params.focus = 'plan';
        else if (!['', 'none', 'off'].includes(v.toLowerCase())) bad(key, `focus “${v}” must be “plan”.`);
        break;
      }
      case 'scale_plan': {
        const s = v.toLowerCase();
        if (s === 'auto' || s === 'off') params.scalePlan = s;
        else {
          const n = parseNumber(v);
          if (n !== null && n > 0 && n < 1000) params.scalePlan = n;
          else bad(key, `scale_plan “${v}” must be auto, off or a positive multiplier.`);
        }
        break;
      }
      case 'plan_id': {
        if (PLAN_ID_RE.test(v)) params.planId = v;
        else bad(key, `plan_id “${v}” has characters outside A–Z a–z 0–9 . _ : -.`);
        break;
      }
      case 'plan_version': {
        const n = parseNumber(v);
        if (n !== null && Number.isInteger(n) && n >= 1) params.planVersion = n;
        else bad(key, `plan_version “${v}” must be a whole number ≥ 1.`);
        break;
      }
      case 'theme': {
        const t = v.toLowerCase();
        if (t === 'dark' || t === 'light') params.theme = t;
        else bad(key, `theme “${v}” must be dark or light.`);
        break;
      }
      case 'center_time': {
        if (v.toLowerCase() === 'latest') params.centerTime = 'latest';
        else {
          const n = parseNumber(v);
          if (n !== null && Number.isInteger(n) && n > 0) params.centerTime = n > 1e11 ? Math.floor(n / 1000) : n;
          else bad(key, `center_time “${v}” must be “latest” or a unix time.`);
        }
        break;
      }
      case 'range': {
        if (RANGE_RE.test(v)) params.range = v.toLowerCase();
        else bad(key, `range “${v}” must be a bar count, Nd/Nw/Nm/Ny or fit.`);
        break;
      }
      case 'view': {
        const match = VIEWS.find((x) => x.toLowerCase() === v.toLowerCase());
        if (match) params.view = match;
        else bad(key, `view “${v}” must be one of ${VIEWS.join(', ')}.`);
        break;
      }
    }
  }

  if (tpN.length) {
    if (seen.has('tp')) bad('tp1', 'tp and tp1…tpN are both given; tp is used.', 'warning');
    else {
      tpN.sort((a, b) => a[0] - b[0]);
      const idx = tpN.map(([n]) => n);
      const gap = idx.findIndex((n, i) => n !== i + 1);
      if (gap >= 0) bad(`tp${gap + 1}`, `tp${gap + 1} is missing: targets must be numbered tp1, tp2, … without gaps (got ${idx.map((n) => `tp${n}`).join(', ')}).`);
      for (const [n, raw] of tpN) {
        const price = parsePrice(raw);
        if (price === null) bad(`tp${n}`, `tp${n} “${raw}” is not a positive number.`);
        else params.targets.push(price);
      }
    }
  }
  if (params.probs.length && params.probs.length > params.targets.length) {
    bad('probs', `probs has ${params.probs.length} values for ${params.targets.length} targets; extra values are ignored.`, 'warning');
    params.probs = params.probs.slice(0, params.targets.length);
  }

  for (const issue of validatePlanGeometry(params)) issues.push(issue);
  if (!params.symbol && !params.planId) {
    bad('symbol', 'No symbol: add ?symbol=SPY (or NSE_INDEX:NIFTY) or a plan_id to the link.');
  }
  return { params, issues };
}

/** Checks the ordering of a plan given in the URL: long stop < entry < TP1 < TP2 …, short mirrored. */
export function validatePlanGeometry(p: Pick<ChartParams, 'direction' | 'entry' | 'stop' | 'targets'>): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const hasPlan = p.entry !== undefined || p.stop !== undefined || p.targets.length > 0;
  if (!hasPlan) return issues;
  if (p.entry === undefined) issues.push({ param: 'entry', message: 'The plan has stop/targets but no entry.', severity: 'error' });
  if (p.stop === undefined) issues.push({ param: 'stop', message: 'The plan has no stop, so R:R cannot be computed.', severity: 'warning' });
  if (p.entry === undefined || p.stop === undefined) return issues;
  const dir = p.direction ?? (p.stop < p.entry ? 'long' : 'short');
  const sign = dir === 'long' ? 1 : -1;
  if ((p.entry - p.stop) * sign <= 0) {
    issues.push({ param: 'stop', message: `A ${dir} plan needs the stop ${dir === 'long' ? 'below' : 'above'} the entry (entry ${p.entry}, stop ${p.stop}).`, severity: 'error' });
  }
  let prev = p.entry;
  p.targets.forEach((tp, i) => {
    if ((tp - prev) * sign <= 0) {
      issues.push({ param: 'tp', message: `TP${i + 1} ${tp} is not beyond ${i === 0 ? 'the entry' : `TP${i}`} for a ${dir} plan.`, severity: 'error' });
    }
    prev = tp;
  });
  return issues;
}

// ---- canonical formatting ------------------------------------------------------------------

/** Decimals for canonical prices: 2, or 4 under 10, or 6 under 1; trailing zeros stripped. */
export function formatPrice(price: number): string {
  const abs = Math.abs(price);
  const decimals = abs < 1 ? 6 : abs < 10 ? 4 : 2;
  const s = price.toFixed(decimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function formatFraction(n: number): string {
  return String(Math.round(n * 10000) / 10000);
}

function labelSafe(label: string): string {
  return label.replace(/[|;,]/g, ' ').replace(/\s+/g, ' ').trim();
}

function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%7C/gi, '|').replace(/%3B/gi, ';');
}

/** The canonical query string (without '?'): allow-listed keys, sorted, numbers trimmed. */
export function formatChartParams(p: ChartParams): string {
  const out: Record<string, string> = {};
  if (p.symbol) out.symbol = p.symbol;
  if (p.interval) out.interval = p.interval;
  if (p.direction) out.direction = p.direction;
  if (p.entry !== undefined) out.entry = formatPrice(p.entry);
  if (p.stop !== undefined) out.stop = formatPrice(p.stop);
  if (p.targets.length) out.tp = p.targets.map(formatPrice).join(',');
  if (p.probs.length) out.probs = p.probs.map(formatFraction).join(',');
  if (p.runner !== undefined) out.runner = formatPrice(p.runner);
  if (p.atr !== undefined) out.atr = formatPrice(p.atr);
  if (p.strategy) out.strategy = p.strategy;
  if (p.style) out.style = p.style;
  if (p.title) out.title = p.title;
  if (p.notes) out.notes = p.notes;
  if (p.confidence !== undefined) out.confidence = formatFraction(p.confidence);
  if (p.levels.length) out.levels = p.levels.map((l) => `${formatPrice(l.price)}|${labelSafe(l.label)}`).join(';');
  if (p.supportingLevels.length) out.supportingLevels = p.supportingLevels.map((l) => `${formatPrice(l.price)}|${labelSafe(l.label)}`).join(';');
  if (p.forceInterval !== undefined) out.force_interval = p.forceInterval ? '1' : '0';
  if (p.viewToken) out.vt = p.viewToken;
  if (p.overlays) out.overlays = p.overlays.length ? p.overlays.join(',') : 'none';
  if (p.emas) out.ema = p.emas.length ? p.emas.join(',') : 'off';
  if (p.vwap !== undefined) out.vwap = p.vwap ? '1' : '0';
  if (p.live !== undefined) out.live = p.live ? '1' : '0';
  if (p.focus) out.focus = p.focus;
  if (p.scalePlan !== undefined) out.scale_plan = typeof p.scalePlan === 'number' ? String(p.scalePlan) : p.scalePlan;
  if (p.planId) out.plan_id = p.planId;
  if (p.planVersion !== undefined) out.plan_version = String(p.planVersion);
  if (p.theme) out.theme = p.theme;
  if (p.centerTime !== undefined) out.center_time = String(p.centerTime);
  if (p.range) out.range = p.range;
  if (p.view) out.view = p.view;
  return Object.keys(out)
    .sort()
    .map((k) => `${k}=${encodeValue(out[k])}`)
    .join('&');
}

// ---- time spans ------------------------------------------------------------------------------

const DAY = 86400;

/**
 * How many seconds of history to load: `range` (N bars or Nd/Nw/Nm/Ny) wins over `view`;
 * otherwise 600 bars. Clamped to [200 bars, 2 years] (at least 200 bars even beyond 2 years).
 */
export function historySpanSeconds(p: Pick<ChartParams, 'range' | 'view'>, barSeconds: number): number {
  let span = 600 * barSeconds;
  const r = p.range;
  if (r && r !== 'fit') {
    const m = /^(\d+)([dwmy]?)$/.exec(r);
    if (m) {
      const n = Number(m[1]);
      const unit = m[2];
      span = unit === '' ? n * barSeconds : n * (unit === 'd' ? DAY : unit === 'w' ? 7 * DAY : unit === 'm' ? 30 * DAY : 365 * DAY);
    }
  } else if (p.view) {
    const views: Record<string, number> = { '30m': 1800, '1d': DAY, '5d': 5 * DAY, '1M': 30 * DAY, '3M': 90 * DAY, '6M': 182 * DAY, '1Y': 365 * DAY };
    span = views[p.view] ?? span;
  }
  span = Math.min(span, 2 * 365 * DAY);
  return Math.max(span, 200 * barSeconds);
}
