import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, describeApiError } from '../api/client';
import type { ChartLayersResponse, PlanDeltaChanges, PlanSocketMessage, PlanStatus } from '../api/types';
import { applyTheme, useTheme } from '../theme/theme';
import { readChartColors, TvChart, type ChartSnapshot } from './chart';
import { Header } from './Header';
import { applyBar, applyTick, barFromStream, barsFromWire, deltaLogText, logSeverity, pushLog, toUnixSeconds, type LogEntry } from './live';
import { formatChartParams, OVERLAY_KINDS, parseChartParams, type ChartParams, type OverlayKind, type ParamIssue } from './params';
import {
  assignPrimary,
  decideScale,
  derivePlanStatus,
  focusLogicalRange,
  focusPriceRange,
  foldLevelsIntoPlan,
  layersFromPlan,
  layersFromResponse,
  levelTolerance,
  mergeLevels,
  nearestBarIndex,
  normalizeStatus,
  planFromParams,
  planFromPayload,
  planLines,
  scaleLayers,
  scalePlanView,
  unwrapPlan,
  type Layers,
  type LevelView,
  type PlanView,
} from './plan';
import { PlanPanel } from './PlanPanel';
import { barsKey, fetchBars, takeOr } from './prefetch';
import { PlanSocket, SymbolStream, wsUrl, type ConnState } from './streams';
import { INTERVALS, intervalSeconds, marketPhase, sessionFor, sessionForSymbol, type Interval, type MarketPhase } from './time';

interface Message {
  key: string;
  severity: 'error' | 'warning' | 'info';
  text: string;
}

type BarsState =
  | { status: 'idle' | 'loading' }
  | { status: 'ok'; count: number }
  | { status: 'empty' | 'error'; text: string };

const DEFAULT_EMAS = [9, 21, 50];

function issueMessages(issues: ParamIssue[]): Message[] {
  return issues.map((i, n) => ({ key: `param-${n}-${i.param}`, severity: i.severity, text: `${i.param}: ${i.message}` }));
}

interface DebugState {
  ready: boolean;
  firstCandleMs: number | null;
  symbol: string | null;
  interval: Interval;
  tz: string;
  messages: Message[];
  planStatus: PlanStatus | null;
  streamState: ConnState;
  log: string[];
  scaleFactor: number;
  showMoreLevels: boolean;
  hiddenLevels: number;
}

declare global {
  interface Window {
    __tv?: Readonly<DebugState & ChartSnapshot>;
  }
}

export function TvPage() {
  const initial = useMemo(() => parseChartParams(window.location.search), []);
  const params: ChartParams = initial.params;
  const [theme] = useTheme();
  // The interval: a timeframe button's choice, else the link's, else the plan's, else 5m.
  const [chosenInterval, setChosenInterval] = useState<Interval | null>(params.interval ?? null);
  const [loadMessages, setLoadMessages] = useState<Message[]>([]);
  const [serverPlan, setServerPlan] = useState<PlanView | null>(null);
  const [serverLayers, setServerLayers] = useState<Layers | null>(null);
  const [planLoading, setPlanLoading] = useState<boolean>(params.planId !== undefined);
  const [barsState, setBarsState] = useState<BarsState>({ status: 'idle' });
  const [tz, setTz] = useState<string>(sessionForSymbol(params.symbol ?? '').tz);
  const [dataSource, setDataSource] = useState<string | null>(null);
  const [refClose, setRefClose] = useState<number | null>(null);
  const [livePrice, setLivePrice] = useState<number | null>(null);
  const [showMore, setShowMore] = useState(false);
  const [following, setFollowing] = useState(true);
  const [focusOn, setFocusOn] = useState(params.focus === 'plan');
  const [lastBeatMs, setLastBeatMs] = useState<number | null>(null);
  const [lastUpdate, setLastUpdate] = useState<number | null>(null);
  const [phaseOverride, setPhaseOverride] = useState<{ phase: MarketPhase; note: string | null } | null>(null);
  const [serverStatus, setServerStatus] = useState<PlanStatus | null>(null);
  const [planNote, setPlanNote] = useState<string | null>(null);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [streamState, setStreamState] = useState<ConnState>('closed');
  const [nowMs, setNowMs] = useState(() => Date.now());
  const containerRef = useRef<HTMLDivElement | null>(null);
  const chartRef = useRef<TvChart | null>(null);
  const firstCandleRef = useRef<number | null>(null);
  const focusAppliedRef = useRef<string>('');

  const symbol = params.symbol ?? serverPlan?.symbol ?? null;
  const interval: Interval = chosenInterval ?? serverPlan?.interval ?? '5m';
  const session = useMemo(() => sessionFor(symbol ?? '', tz), [symbol, tz]);
  const overlays = new Set<OverlayKind>(params.overlays ?? OVERLAY_KINDS);
  const emas = params.emas ?? DEFAULT_EMAS;
  const vwapOn = params.vwap ?? true;

  const addMessage = useCallback((m: Message) => {
    setLoadMessages((list) => [...list.filter((x) => x.key !== m.key), m]);
  }, []);
  const dropMessage = useCallback((key: string) => setLoadMessages((list) => list.filter((x) => x.key !== key)), []);
  const addLog = useCallback((text: string, severity: LogEntry['severity'] = 'info') => {
    setLog((l) => pushLog(l, { text, at: Date.now(), severity }));
  }, []);

  // Theme from the link applies without being stored; the toggle stores.
  useEffect(() => {
    if (params.theme) applyTheme(params.theme, false);
  }, [params.theme]);

  // Clock for ages and pills.
  useEffect(() => {
    const id = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  // Chart instance (one per page). The loading steps are layout effects so each runs right after
  // its commit rather than after the next paint: fewer frames before the first candle.
  useLayoutEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const chart = new TvChart(el, session, interval, readChartColors());
    chart.onFollowChange = setFollowing;
    chart.onFirstCandle = () => {
      if (firstCandleRef.current === null) firstCandleRef.current = performance.now();
    };
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
    // The chart is created once; session/interval changes are pushed below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    chartRef.current?.setSessionAndInterval(session, interval);
  }, [session, interval]);

  useEffect(() => {
    chartRef.current?.setColors(readChartColors());
  }, [theme]);

  useEffect(() => {
    chartRef.current?.setEmas(emas);
    chartRef.current?.setVwap(vwapOn);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [emas.join(','), vwapOn]);

  // Plan and layers from the server when the link carries plan_id.
  useLayoutEffect(() => {
    const planId = params.planId;
    if (!planId) return;
    const ctrl = new AbortController();
    // Plan and layers load in parallel; the bars wait only for the plan (it names the symbol).
    const layersPromise = takeOr(`layers|${planId}`, () => api.get<ChartLayersResponse>('/api/v1/gpt/chart-layers', { plan_id: planId }, { signal: ctrl.signal }));
    takeOr(`plan|${planId}`, () => api.get<unknown>(`/idea/${encodeURIComponent(planId)}`, {}, { signal: ctrl.signal }))
      .then((raw) => {
        if (ctrl.signal.aborted) return;
        const payload = unwrapPlan(raw);
        setPlanLoading(false);
        if (!payload) {
          addMessage({ key: 'plan', severity: 'error', text: `Plan ${planId}: the server answered without entry/stop fields; showing the link's own plan fields.` });
          return;
        }
        const view = planFromPayload(payload);
        setServerPlan(view);
        setServerStatus(normalizeStatus(view.status));
        setServerLayers((cur) => cur ?? layersFromPlan(payload));
        addLog(`Plan ${view.planId ?? planId} loaded${view.asOf ? ` (as of ${view.asOf})` : ''}`);
      })
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        setPlanLoading(false);
        addMessage({ key: 'plan', severity: 'error', text: `${describeApiError(`Plan ${planId}`, err)} Showing the link's own plan fields, if any.` });
      });
    layersPromise
      .then((res) => {
        if (!ctrl.signal.aborted) setServerLayers(layersFromResponse(res));
      })
      .catch((err) => {
        if (!ctrl.signal.aborted) addMessage({ key: 'layers', severity: 'warning', text: `${describeApiError('Chart layers', err)} Using the plan's own levels and zones.` });
      });
    return () => ctrl.abort();
  }, [params.planId, addLog, addMessage]);

  // History bars.
  useLayoutEffect(() => {
    if (!symbol) return;
    if (params.planId && !params.symbol && planLoading) return;
    const ctrl = new AbortController();
    setBarsState({ status: 'loading' });
    takeOr(barsKey(symbol, interval), () => fetchBars(symbol, interval, params, ctrl.signal))
      .then((res) => {
        if (ctrl.signal.aborted) return;
        const bars = barsFromWire(Array.isArray(res.bars) ? res.bars : []);
        if (res.tz) setTz(res.tz);
        setDataSource(res.source ?? null);
        chartRef.current?.setBars(bars);
        focusAppliedRef.current = '';
        if (!bars.length) {
          setBarsState({ status: 'empty', text: `No ${interval} bars for ${symbol} in the requested window.` });
          return;
        }
        dropMessage('bars');
        setBarsState({ status: 'ok', count: bars.length });
        const last = bars[bars.length - 1];
        setRefClose(last.close);
        setLivePrice(last.close);
        setLastUpdate(last.time);
      })
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        chartRef.current?.setBars([]);
        const text = describeApiError(`Bars for ${symbol} ${interval}`, err);
        setBarsState({ status: 'error', text });
        addMessage({ key: 'bars', severity: 'error', text });
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [symbol, interval, planLoading]);

  // Plan: the server's plan wins; the link's plan fields are the fallback.
  const basePlan = useMemo(() => serverPlan ?? planFromParams(params), [serverPlan, params]);
  const scale = useMemo(() => (basePlan ? decideScale(params.scalePlan, basePlan.entry, refClose) : null), [basePlan, params.scalePlan, refClose]);
  const plan = useMemo(() => (basePlan && scale ? scalePlanView(basePlan, scale.factor) : basePlan), [basePlan, scale]);

  const allLevels = useMemo(() => {
    const fromUrl: LevelView[] = params.levels.map((l) => ({ price: l.price, label: l.label, kind: 'link', primary: true }));
    const layers = serverLayers ? scaleLayers(serverLayers, scale?.factor ?? 1) : null;
    const ref = refClose ?? plan?.entry ?? null;
    return { levels: assignPrimary([...fromUrl, ...(layers?.levels ?? [])], ref), zones: layers?.zones ?? [], avwaps: layers?.avwaps ?? [] };
  }, [params.levels, serverLayers, scale, refClose, plan]);

  const drawn = useMemo(() => {
    const ref = plan?.entry ?? refClose ?? 0;
    const tol = levelTolerance(ref, plan?.atr ?? null);
    const merged = overlays.has('levels') ? mergeLevels(allLevels.levels, tol) : [];
    const visible = showMore ? merged : merged.filter((l) => l.primary);
    const folded = plan ? foldLevelsIntoPlan(planLines(plan), visible, tol) : { lines: [], levels: visible };
    const zones = allLevels.zones.filter((z) => z.kind === 'other' || overlays.has(z.kind as OverlayKind));
    return { lines: folded.lines, levels: folded.levels, zones, hidden: merged.length - visible.length };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [plan, allLevels, showMore, refClose, params.overlays]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.setPlanLines(drawn.lines);
    chart.setLevels(drawn.levels);
    chart.setZones(drawn.zones);
  }, [drawn]);

  useEffect(() => {
    chartRef.current?.setAvwaps(overlays.has('avwap') ? allLevels.avwaps : []);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [allLevels.avwaps, params.overlays, barsState]);

  // focus=plan: vertical zoom to the plan and time centring, once per loaded series.
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || barsState.status !== 'ok') return;
    const key = `${interval}|${focusOn}|${plan ? 'p' : '-'}|${barsState.count}`;
    if (focusAppliedRef.current === key) return;
    focusAppliedRef.current = key;
    const bars = chart.getBars();
    if (focusOn && plan) {
      chart.setFocus(focusPriceRange(plan, refClose));
      const center = typeof params.centerTime === 'number' ? nearestBarIndex(bars.map((b) => b.time), params.centerTime) : null;
      chart.setVisibleLogicalRange(focusLogicalRange(bars.length, center));
    } else {
      chart.setFocus(null);
      if (params.range === 'fit') chart.fit();
      else chart.setVisibleLogicalRange(focusLogicalRange(bars.length, null));
    }
  }, [barsState, focusOn, plan, interval, refClose, params.centerTime, params.range]);

  // Plan events (WebSocket or the symbol stream).
  const onPlanMessage = useCallback(
    (msg: PlanSocketMessage) => {
      const ev = msg.event;
      if (!ev) return;
      if (params.planId && msg.plan_id && msg.plan_id !== params.planId) return;
      if (ev.t === 'plan_delta' && ev.changes) {
        const c: PlanDeltaChanges = ev.changes;
        const st = normalizeStatus(c.status);
        if (st) setServerStatus(st);
        if (c.note) setPlanNote(c.note);
        if (typeof c.last_price === 'number') setLivePrice(c.last_price);
        addLog(deltaLogText(c), logSeverity(c.status));
        if (c.next_plan_id) addLog(`Next plan ${c.next_plan_id} available`, 'info');
      } else if (ev.t === 'plan_full' && ev.payload) {
        const payload = unwrapPlan(ev.payload);
        if (payload) {
          const view = planFromPayload(payload);
          setServerPlan(view);
          setServerLayers(layersFromPlan(payload));
          const st = normalizeStatus(view.status);
          if (st) setServerStatus(st);
          addLog('Plan refreshed');
        }
      } else if (ev.t === 'error') {
        addMessage({ key: 'plan-ws', severity: 'warning', text: `Plan updates: ${ev.detail ?? 'error'} (${ev.status ?? ''})` });
      }
    },
    [params.planId, addLog, addMessage],
  );

  // Live symbol stream.
  useEffect(() => {
    // Stream only on top of a loaded history (or an empty one that ticks can start); after a failed
    // history load the page shows the error instead of a chart built from stray ticks.
    if (!symbol || (barsState.status !== 'ok' && barsState.status !== 'empty')) return;
    const sec = intervalSeconds(interval);
    const stream = new SymbolStream(`/stream/${encodeURIComponent(symbol)}`, {
      onState: (s, attempt) => {
        setStreamState(s);
        if (s === 'reconnecting' && attempt >= 3) {
          addMessage({ key: 'stream', severity: 'warning', text: `Live stream for ${symbol} is unavailable; retrying with backoff (attempt ${attempt}). The chart shows history only.` });
        } else if (s === 'open') dropMessage('stream');
      },
      onHeartbeat: () => setLastBeatMs(Date.now()),
      onTick: (tick) => {
        const ts = toUnixSeconds(tick.ts);
        const chart = chartRef.current;
        if (ts === null || !chart) return;
        const u = applyTick(chart.lastBar(), tick.p, ts, sec);
        chart.applyUpdate(u);
        setLastBeatMs(Date.now());
        if (u.kind !== 'ignored') {
          setLivePrice(tick.p);
          setLastUpdate(ts);
        }
      },
      onBar: (ev) => {
        const chart = chartRef.current;
        const bar = barFromStream(ev);
        if (!bar || !chart) return;
        const u = applyBar(chart.lastBar(), bar);
        chart.applyUpdate(u);
        setLastBeatMs(Date.now());
        if (u.kind !== 'ignored') {
          setLivePrice(bar.close);
          setLastUpdate(bar.time);
        }
      },
      onMarketStatus: (m) => {
        const p = m.phase?.toLowerCase();
        const phase: MarketPhase = p === 'regular' || p === 'open' ? 'open' : p === 'premarket' || p === 'pre' ? 'premarket' : p === 'afterhours' || p === 'post' ? 'afterhours' : 'closed';
        setPhaseOverride({ phase, note: m.note ?? null });
      },
      onPlanEvent: onPlanMessage,
    });
    stream.start();
    return () => stream.stop();
  }, [symbol, interval, barsState.status, addMessage, dropMessage, onPlanMessage]);

  // Plan WebSocket.
  useEffect(() => {
    const planId = params.planId;
    if (!planId) return;
    const socket = new PlanSocket(wsUrl(`/ws/plans/${encodeURIComponent(planId)}`), onPlanMessage);
    socket.start();
    return () => socket.stop();
  }, [params.planId, onPlanMessage]);

  const changeInterval = (iv: Interval) => {
    if (iv === interval) return;
    setChosenInterval(iv);
    const canonical = formatChartParams({ ...params, interval: iv, symbol: symbol ?? undefined });
    window.history.replaceState(null, '', `${window.location.pathname}?${canonical}`);
  };

  const derivedStatus = plan ? derivePlanStatus(plan, livePrice) : null;
  const planStatus = serverStatus ?? derivedStatus;
  const phase = phaseOverride?.phase ?? marketPhase(nowMs / 1000, session);
  const messages = [...issueMessages(initial.issues), ...loadMessages];
  if (scale && scale.factor !== 1 && scale.refPrice !== null && scale.lastClose !== null) {
    messages.push({
      key: 'scale',
      severity: 'info',
      text: `Plan prices scaled ×${scale.factor.toFixed(4)} (scale_plan=${scale.mode === 'manual' ? scale.factor : 'auto'}): plan entry ${scale.refPrice} vs last close ${scale.lastClose}.`,
    });
  }

  // Read-only debug hook for tests: always reflects the current page and chart.
  const debugRef = useRef<DebugState | null>(null);
  debugRef.current = {
    ready: barsState.status === 'ok' || barsState.status === 'empty' || barsState.status === 'error',
    firstCandleMs: firstCandleRef.current,
    symbol,
    interval,
    tz: session.tz,
    messages,
    planStatus,
    streamState,
    log: log.map((l) => l.text),
    scaleFactor: scale?.factor ?? 1,
    showMoreLevels: showMore,
    hiddenLevels: drawn.hidden,
  };
  useEffect(() => {
    Object.defineProperty(window, '__tv', {
      configurable: true,
      get: () => {
        const snap = chartRef.current?.snapshot();
        return Object.freeze({ ...(debugRef.current as DebugState), firstCandleMs: firstCandleRef.current, ...(snap as ChartSnapshot) });
      },
    });
    return () => {
      delete window.__tv;
    };
  }, []);

  const noSymbol = !symbol && !planLoading;
  const overlayText =
    noSymbol
      ? 'Nothing to chart: the link has no symbol and no loadable plan.'
      : barsState.status === 'loading' || barsState.status === 'idle'
        ? 'Loading bars…'
        : barsState.status === 'error' || barsState.status === 'empty'
          ? barsState.text
          : null;

  return (
    <div className="tv-app">
      <Header
        symbol={symbol}
        plan={plan}
        planStatus={planStatus}
        planStatusDerived={serverStatus === null}
        phase={phase}
        phaseNote={phaseOverride?.note ?? null}
        lastBeatMs={lastBeatMs}
        nowMs={nowMs}
        lastUpdate={lastUpdate}
        tz={session.tz}
        dataSource={dataSource ?? plan?.dataSource ?? null}
        streamState={streamState}
      />
      {messages.length > 0 && (
        <ul className="messages" data-testid="messages" role="status">
          {messages.map((m) => (
            <li key={m.key} className={`msg msg-${m.severity}`} data-severity={m.severity}>
              {m.text}
            </li>
          ))}
        </ul>
      )}
      <div className="tv-toolbar" role="toolbar">
        <div className="btn-group" data-testid="timeframes">
          {INTERVALS.map((iv) => (
            <button key={iv} type="button" className={`btn ${iv === interval ? 'active' : ''}`} aria-pressed={iv === interval} onClick={() => changeInterval(iv)}>
              {iv}
            </button>
          ))}
        </div>
        <div className="btn-group">
          {plan && (
            <button type="button" className={`btn ${focusOn ? 'active' : ''}`} aria-pressed={focusOn} data-testid="focus-toggle" onClick={() => { focusAppliedRef.current = ''; setFocusOn((f) => !f); }}>
              Focus plan
            </button>
          )}
          <button type="button" className="btn" onClick={() => { setFocusOn(false); focusAppliedRef.current = 'fit'; chartRef.current?.fit(); }}>
            Fit
          </button>
          <button type="button" className={`btn ${following ? 'active' : ''}`} aria-pressed={following} data-testid="follow-live" onClick={() => chartRef.current?.setFollowing(!following)}>
            {following ? 'Following live' : 'Follow live'}
          </button>
          {(drawn.hidden > 0 || showMore) && (
            <button type="button" className={`btn ${showMore ? 'active' : ''}`} aria-pressed={showMore} data-testid="more-levels" onClick={() => setShowMore((s) => !s)}>
              {showMore ? 'Fewer levels' : `Show more levels (${drawn.hidden})`}
            </button>
          )}
        </div>
        <div className="legend small muted" data-testid="legend">
          {emas.map((p) => `EMA ${p}`).join(' · ')}
          {vwapOn ? `${emas.length ? ' · ' : ''}VWAP (session ${session.name} ${String(Math.floor(session.openMin / 60)).padStart(2, '0')}:${String(session.openMin % 60).padStart(2, '0')})` : ''}
          {` · times in ${session.tz}`}
        </div>
      </div>
      <main className="tv-main">
        <div className="chart-wrap">
          <div ref={containerRef} className="chart" data-testid="chart" />
          {overlayText && (
            <div className={`chart-overlay ${barsState.status === 'error' || noSymbol ? 'error' : ''}`} data-testid="chart-overlay">
              {overlayText}
            </div>
          )}
        </div>
        <PlanPanel plan={plan} scale={scale} log={log} note={planNote} tz={session.tz} />
      </main>
    </div>
  );
}
