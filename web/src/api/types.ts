// The wire contract between the browser UI and the tradedesk server, in one place.
// Field names follow the server's JSON. Everything optional here is optional on the wire too;
// normalisers in tv/plan.ts turn these loose shapes into the strict view models the page uses.

/** Every API error body: {"error":{"code","message","field"}}. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    field?: string | null;
  };
}

/** One OHLCV bar; `t` is the bar start in unix seconds (UTC). */
export interface WireBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** GET /tv-api/bars?symbol=&resolution=&from=&to= */
export interface BarsResponse {
  symbol: string;
  resolution: string;
  /** IANA zone of the exchange, e.g. "America/New_York" or "Asia/Kolkata". */
  tz: string;
  bars: WireBar[];
  source?: string;
}

export type Direction = 'long' | 'short';
export type PlanStatus = 'intact' | 'at_risk' | 'invalidated';

export interface WireTarget {
  price: number;
  rr?: number | null;
  prob?: number | null;
  reason?: string | null;
  /** Distance to the target as a fraction of the expected move (optional). */
  em_fraction?: number | null;
  label?: string | null;
}

export type LevelKind = 'level' | 'volume_profile' | 'session' | 'htf' | 'pivot' | string;

export interface WireLevel {
  price: number;
  label: string;
  kind?: LevelKind;
  primary?: boolean;
}

export type ZoneKind = 'supply' | 'demand' | 'fvg' | 'liquidity' | string;

export interface WireZone {
  kind: ZoneKind;
  top?: number;
  bottom?: number;
  /** Some producers (the seed) emit high/low instead of top/bottom; both are accepted. */
  high?: number;
  low?: number;
  label?: string;
  status?: string;
}

export interface WireAvwap {
  anchor_ts: number;
  label: string;
}

export interface WireFactor {
  label: string;
  /** good | warn | bad; derived from the label when absent. */
  tone?: 'good' | 'warn' | 'bad';
}

/** GET /idea/{plan_id}; also POST /gpt/plan (stored: plan_id and version; a view-token preview: `preview`, neither). */
export interface PlanPayload {
  plan_id?: string;
  version?: number;
  /** POST /gpt/plan with only a view token: computed for this link, never stored (no plan_id). */
  preview?: boolean;
  symbol: string;
  interval?: string;
  direction?: Direction | string;
  strategy?: string;
  style?: string;
  entry: number;
  stop: number;
  targets?: Array<WireTarget | number>;
  /** Per-target details when `targets` is a plain price list (aligned by index). */
  target_meta?: Array<{ price?: number; rr?: number | null; prob_touch?: number | null; prob?: number | null; em_fraction?: number | null; snap_tag?: string | null; label?: string | null } | null>;
  runner?: number | { anchor?: number; price?: number } | null;
  confidence?: number | null;
  factors?: Array<string | WireFactor>;
  warnings?: string[];
  status?: PlanStatus | string;
  as_of?: string;
  expected_move?: number | null;
  atr?: number | null;
  rr_to_t1?: number | null;
  data_source?: string;
  levels?: WireLevel[];
  zones?: WireZone[];
  avwaps?: WireAvwap[];
}

/** GET /api/v1/gpt/chart-layers?plan_id= */
export interface ChartLayersResponse {
  plan_id?: string;
  levels?: WireLevel[];
  zones?: WireZone[];
  overlays?: { avwaps?: WireAvwap[] } & Record<string, unknown>;
  as_of?: string;
}

// ---- live streams ---------------------------------------------------------------------------

/** SSE `bar` event payload (either short or long OHLCV names are accepted). */
export interface StreamBarEvent {
  t?: number;
  time?: number;
  o?: number;
  h?: number;
  l?: number;
  c?: number;
  v?: number;
  open?: number;
  high?: number;
  low?: number;
  close?: number;
  volume?: number;
  /** True while the bar is still forming. */
  partial?: boolean;
}

/** SSE `tick` event payload: price and time (unix s, or ISO string). */
export interface StreamTickEvent {
  p: number;
  ts: number | string;
  source?: string;
}

/** SSE `heartbeat` event payload. */
export interface StreamHeartbeatEvent {
  ts: number | string;
}

export interface StreamMarketStatusEvent {
  phase: string;
  note?: string;
}

export interface PlanDeltaChanges {
  status?: string;
  next_step?: string;
  note?: string;
  rr_to_t1?: number;
  last_price?: number;
  timestamp?: string;
  next_plan_id?: string;
  next_plan_version?: number;
  next_plan_style?: string;
  /** A view token for `next_plan_id` (the server mints one with every offer), so a viewer holding only this plan's token can load the next one. */
  next_plan_vt?: string;
}

/** WebSocket /ws/plans/{plan_id} message. */
export interface PlanSocketMessage {
  plan_id?: string;
  event?: {
    t: 'plan_delta' | 'plan_full' | 'error' | string;
    changes?: PlanDeltaChanges;
    payload?: PlanPayload | { plan: PlanPayload };
    reason?: string;
    status?: number;
    detail?: string;
  };
}
