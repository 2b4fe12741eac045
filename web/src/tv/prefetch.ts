// Starts the /tv page's first requests while the bundle is still booting React: the plan (when
// the link has plan_id), then the bars as soon as the symbol is known. The page takes each
// promise once by key; later loads (timeframe changes) go to the network as usual.

import { api, viewTokenQuery } from '../api/client';
import type { BarsResponse } from '../api/types';
import { parseChartParams, historySpanSeconds } from './params';
import { ideaPath, unwrapPlan } from './plan';
import { intervalSeconds, normalizeInterval, type Interval } from './time';

const pending = new Map<string, Promise<unknown>>();

export function barsKey(symbol: string, interval: Interval): string {
  return `bars|${symbol}|${interval}`;
}

/** The prefetched promise for a key (once), or a fresh request. */
export function takeOr<T>(key: string, start: () => Promise<T>): Promise<T> {
  const p = pending.get(key);
  if (p) {
    pending.delete(key);
    return p as Promise<T>;
  }
  return start();
}

function track<T>(key: string, p: Promise<T>): void {
  // Keep unhandled-rejection noise away; the page handles the error when it takes the promise.
  p.catch(() => {});
  pending.set(key, p);
}

export function fetchBars(symbol: string, interval: Interval, span: { range?: string; view?: string }, signal?: AbortSignal): Promise<BarsResponse> {
  const to = Math.floor(Date.now() / 1000);
  const from = to - historySpanSeconds(span, intervalSeconds(interval));
  return api.get<BarsResponse>('/tv-api/bars', { symbol, resolution: interval, from, to }, signal ? { signal } : {});
}

export function prefetchTv(search: string): void {
  const { params } = parseChartParams(search);
  const span = { range: params.range, view: params.view };
  if (params.symbol && (params.interval || !params.planId)) {
    const interval = params.interval ?? '5m';
    track(barsKey(params.symbol, interval), fetchBars(params.symbol, interval, span));
  }
  if (params.planId) {
    const id = params.planId;
    const auth = viewTokenQuery(params.viewToken);
    const plan = api.get<unknown>(ideaPath(id, params.planVersion), auth);
    track(`plan|${id}`, plan);
    track(`layers|${id}`, api.get('/api/v1/gpt/chart-layers', { plan_id: id, ...auth }));
    if (!params.symbol || !params.interval) {
      plan
        .then((raw) => {
          const p = unwrapPlan(raw);
          const symbol = params.symbol ?? p?.symbol;
          if (!symbol) return;
          const interval = params.interval ?? (p?.interval ? normalizeInterval(p.interval) : null) ?? '5m';
          track(barsKey(symbol, interval), fetchBars(symbol, interval, span));
        })
        .catch(() => {});
    }
  }
}
