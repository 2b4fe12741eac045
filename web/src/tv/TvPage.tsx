import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { api, ApiError, buildQuery, describeApiError, viewTokenQuery } from '../api/client';
import type { BarsResponse, ChartLayersResponse, PlanDeltaChanges, PlanPayload, PlanSocketMessage, PlanStatus } from '../api/types';
import { applyTheme, useTheme } from '../theme/theme';
import { readChartColors, TvChart, type ChartSnapshot } from './chart';
import { Header } from './Header';
import { applyBar, applyTick, barFromStream, isOutOfOrderTick, barsFromWire, deltaLogText, logSeverity, pushLog, toUnixSeconds, type LogEntry } from './live';
import { formatChartParams, OVERLAY_KINDS, parseChartParams, type ChartParams, type OverlayKind, type ParamIssue } from './params';
import {
  assignPrimary,
  decideScale,
  derivePlanStatus,
  focusLogicalRange,
  focusPriceRange,
  foldLevelsIntoPlan,
  ideaPath,
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
  unionRange,
  unwrapPlan,
  type Layers,
  type LevelView,
  type PlanView,
} from './plan';
import { PlanPanel } from './PlanPanel';
import { barsKey, fetchBars, takeOr } from './prefetch';
import { PlanSocket, SymbolStream, wsUrl, type ConnState } from './streams';
import { clampReplayMinutes, REPLAY_DEFAULT_MINUTES, REPLAY_SPEEDS, replayBarsAfter, ReplayRunner, replayWindow, splitForReplay } from './replay';
import {
  adoptedParams,
  initialScenarioState,
  isPreviewScenario,
  nextPlanOffer,
  previewAdoptedParams,
  readAutoRearm,
  SCENARIO_STYLES,
  scenarioReducer,
  scenarioRequest,
  shownScenario,
  viewTokenFromPlanResponse,
  writeAutoRearm,
  type NextPlanOffer,
  type ScenarioStyle,
} from './scenarios';
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
  planId: string | null;
  viewToken: string | null;
  planSocketState: ConnState;
  nextPlan: NextPlanOffer | null;
  autoRearm: boolean;
  scenarios: Record<string, string>;
  shownScenario: string | null;
  replay: { running: boolean; position: number; total: number; speed: number };
  lastEventId: string | null;
  ignoredTicks: number;
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
  // The live plan: the link's plan_id until a scenario or next plan is adopted.
  const [planId, setPlanId] = useState<string | null>(params.planId ?? null);
  const [viewToken, setViewToken] = useState<string | null>(params.viewToken ?? null);
  const [link, setLink] = useState<ChartParams>(params);
  const linkRef = useRef(link);
  linkRef.current = link;
  const [planReady, setPlanReady] = useState<string | null>(null);
  const [planSocketState, setPlanSocketState] = useState<ConnState>('closed');
  const [nextPlan, setNextPlan] = useState<NextPlanOffer | null>(null);
  const [autoRearm, setAutoRearm] = useState(() => readAutoRearm(typeof localStorage === 'undefined' ? null : localStorage));
  const [scenarios, dispatchScenario] = useReducer(scenarioReducer, initialScenarioState);
  const [replayMinutes, setReplayMinutes] = useState(REPLAY_DEFAULT_MINUTES);
  const [replaySpeed, setReplaySpeed] = useState(1);
  const [replay, setReplay] = useState<{ running: boolean; position: number; total: number }>({ running: false, position: 0, total: 0 });
  const adoptFallbackRef = useRef<{ planId: string; payload: PlanPayload } | null>(null);
  const planIdRef = useRef<string | null>(planId);
  planIdRef.current = planId;
  const autoRearmRef = useRef(autoRearm);
  autoRearmRef.current = autoRearm;
  const replayRef = useRef<{ runner: ReplayRunner; saved: ReturnType<TvChart['getBars']> } | null>(null);
  const streamRef = useRef<SymbolStream | null>(null);
  const lastTickTsRef = useRef<number | null>(null);
  const scenarioRef = useRef<ReturnType<typeof shownScenario>>(null);
  const shownVersionRef = useRef<number | null>(null);
  const [ignoredTicks, setIgnoredTicks] = useState(0);
  const liveOn = params.live ?? true;
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

  useEffect(() => {
    document.title = params.title ?? `${symbol ?? 'Chart'} · tradedesk`;
  }, [params.title, symbol]);

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

  // Plan and layers from the server for the live plan (the link's plan_id, or an adopted one). Every
  // plan-bound request carries the link's view token (vt) so a shared link works without a key.
  useLayoutEffect(() => {
    if (!planId) return;
    const ctrl = new AbortController();
    const auth = viewTokenQuery(viewToken);
    const fallback = adoptFallbackRef.current?.planId === planId ? adoptFallbackRef.current.payload : null;
    setPlanReady(null);
    dropMessage('plan');
    dropMessage('layers');
    // Plan and layers load in parallel; the bars wait only for the plan (it names the symbol).
    const layersPromise = takeOr(`layers|${planId}`, () => api.get<ChartLayersResponse>('/api/v1/gpt/chart-layers', { plan_id: planId, ...auth }, { signal: ctrl.signal }));
    takeOr(`plan|${planId}`, () => api.get<unknown>(ideaPath(planId, planId === params.planId ? params.planVersion : null), auth, { signal: ctrl.signal }))
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
        setPlanReady(planId);
        addLog(`Plan ${view.planId ?? planId} loaded${view.asOf ? ` (as of ${view.asOf})` : ''}`);
      })
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        setPlanLoading(false);
        if (fallback) {
          // An adopted plan the server will not show us yet: keep the /gpt/plan answer on screen.
          const view = planFromPayload(fallback);
          setServerPlan(view);
          setServerLayers(layersFromPlan(fallback));
          addMessage({ key: 'plan', severity: 'warning', text: `${describeApiError(`Plan ${planId}`, err)} Showing the plan as it was proposed; live plan updates are off.` });
          return;
        }
        const auth401 = err instanceof ApiError && err.isUnauthorized;
        addMessage({
          key: 'plan',
          severity: 'error',
          text: `${describeApiError(`Plan ${planId}`, err)} ${auth401 ? 'The chart shows market data only' : "Showing the link's own plan fields, if any"}.`,
        });
      });
    layersPromise
      .then((res) => {
        if (!ctrl.signal.aborted) setServerLayers(layersFromResponse(res));
      })
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        if (fallback) setServerLayers(layersFromPlan(fallback));
        const text =
          err instanceof ApiError && err.isUnauthorized
            ? `Chart layers for ${planId}: refused too (HTTP ${err.status}); levels and zones need the same authorisation as the plan.`
            : `${describeApiError('Chart layers', err)} Using the plan's own levels and zones.`;
        addMessage({ key: 'layers', severity: 'warning', text });
      });
    return () => ctrl.abort();
  }, [planId, viewToken, addLog, addMessage, dropMessage]);

  // History bars (they wait for the first plan only when the plan names the symbol).
  const waitForPlan = !params.symbol && params.planId !== undefined && planLoading;
  useLayoutEffect(() => {
    if (!symbol || waitForPlan) return;
    const ctrl = new AbortController();
    setBarsState({ status: 'loading' });
    takeOr(barsKey(symbol, interval), () => fetchBars(symbol, interval, params, ctrl.signal))
      .then((res) => {
        if (ctrl.signal.aborted) return;
        const bars = barsFromWire(Array.isArray(res.bars) ? res.bars : []);
        if (res.tz) setTz(res.tz);
        setDataSource(res.source ?? null);
        chartRef.current?.setBars(bars);
        lastTickTsRef.current = null;
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
  }, [symbol, interval, waitForPlan]);

  shownVersionRef.current = serverPlan?.version ?? null;

  // Plan: the server's plan wins; the link's plan fields are the fallback.
  const basePlan = useMemo(() => serverPlan ?? planFromParams(params), [serverPlan, params]);
  const scale = useMemo(() => (basePlan ? decideScale(params.scalePlan, basePlan.entry, refClose) : null), [basePlan, params.scalePlan, refClose]);
  const plan = useMemo(() => (basePlan && scale ? scalePlanView(basePlan, scale.factor) : basePlan), [basePlan, scale]);

  const allLevels = useMemo(() => {
    const fromUrl: LevelView[] = params.levels.map((l) => ({ price: l.price, label: l.label, kind: 'link', primary: true }));
    const supporting: LevelView[] = params.supportingLevels.map((l) => ({ price: l.price, label: l.label, kind: 'link', primary: false }));
    const layers = serverLayers ? scaleLayers(serverLayers, scale?.factor ?? 1) : null;
    const ref = refClose ?? plan?.entry ?? null;
    const assigned = assignPrimary([...fromUrl, ...(layers?.levels ?? [])], ref);
    return { levels: [...assigned, ...supporting], zones: layers?.zones ?? [], avwaps: layers?.avwaps ?? [] };
  }, [params.levels, params.supportingLevels, serverLayers, scale, refClose, plan]);

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
      chart.setFocus(unionRange(focusPriceRange(plan, refClose), scenarioRef.current ? focusPriceRange(scenarioRef.current.plan, refClose) : null));
      const center = typeof params.centerTime === 'number' ? nearestBarIndex(bars.map((b) => b.time), params.centerTime) : null;
      chart.setVisibleLogicalRange(focusLogicalRange(bars.length, center));
    } else {
      chart.setFocus(null);
      if (params.range === 'fit') chart.fit();
      else chart.setVisibleLogicalRange(focusLogicalRange(bars.length, null));
    }
  }, [barsState, focusOn, plan, interval, refClose, params.centerTime, params.range]);

  // Plan events (WebSocket or the symbol stream).
  // Makes another plan the live one without a reload: the scenario the user adopted, or the next
  // plan after a replan. The link is rewritten (history.replaceState) so a reload shows it too.
  const adoptPlan = useCallback(
    (nextId: string, nextToken: string | null, fallback: PlanPayload | null, logText: string) => {
      adoptFallbackRef.current = fallback ? { planId: nextId, payload: fallback } : null;
      if (fallback) {
        const view = planFromPayload(fallback);
        setServerPlan(view);
        setServerLayers(layersFromPlan(fallback));
      } else {
        // The old plan's levels and zones must not outlive it; the new plan's load fills them.
        setServerLayers(null);
      }
      setServerStatus(null);
      setPlanNote(null);
      setNextPlan(null);
      dispatchScenario({ type: 'reset' });
      setChosenInterval(interval);
      setPlanId(nextId);
      setViewToken(nextToken);
      const nextLink = adoptedParams(link, nextId, nextToken, symbol ?? fallback?.symbol ?? '', interval);
      setLink(nextLink);
      window.history.replaceState(null, '', `${window.location.pathname}?${formatChartParams(nextLink)}`);
      addLog(logText);
      addMessage({ key: 'adopt', severity: 'info', text: `${logText}` });
    },
    [interval, link, symbol, addLog, addMessage],
  );
  const adoptPlanRef = useRef(adoptPlan);
  adoptPlanRef.current = adoptPlan;

  // Plan events (WebSocket or the symbol stream). Stable across plan changes: it reads the live
  // plan id from a ref so the streams are not rebuilt when a plan is adopted.
  const onPlanMessage = useCallback(
    (msg: PlanSocketMessage) => {
      const ev = msg.event;
      if (!ev) return;
      const current = planIdRef.current;
      // Only the live plan's events: the symbol stream carries every plan on the symbol.
      if (msg.plan_id && msg.plan_id !== current) return;
      if (ev.t === 'plan_delta' && ev.changes) {
        const c: PlanDeltaChanges = ev.changes;
        const st = normalizeStatus(c.status);
        if (st) setServerStatus(st);
        if (c.note) setPlanNote(c.note);
        if (typeof c.last_price === 'number') setLivePrice(c.last_price);
        addLog(deltaLogText(c), logSeverity(c.status));
        const offer = nextPlanOffer(c as PlanDeltaChanges & Record<string, unknown>, current);
        if (offer) {
          addLog(`Next plan ${offer.planId} available`, 'info');
          if (autoRearmRef.current) adoptPlanRef.current(offer.planId, offer.viewToken, null, `Auto replan applied: now following ${offer.planId}.`);
          else setNextPlan(offer);
        }
      } else if (ev.t === 'plan_full' && ev.payload) {
        const payload = unwrapPlan(ev.payload);
        const shown = shownVersionRef.current;
        const incoming = typeof payload?.version === 'number' ? payload.version : null;
        if (payload && !(incoming !== null && shown !== null && incoming < shown)) {
          // Older snapshots are stale and dropped; the same or a newer version is the live plan.
          const view = planFromPayload(payload);
          setServerPlan(view);
          // A snapshot without its own levels/zones keeps the chart-layers answer on screen.
          if ((payload.levels?.length ?? 0) > 0 || (payload.zones?.length ?? 0) > 0) setServerLayers(layersFromPlan(payload));
          const st = normalizeStatus(view.status);
          if (st) setServerStatus(st);
          if (incoming !== null && shown !== null && incoming > shown) {
            addLog(`Plan updated to v${incoming}`);
            // A link pinned to the old version now names the one on screen, so a reload shows it.
            const cur = linkRef.current;
            if (cur.planVersion !== undefined && cur.planId === current) {
              const next = { ...cur, planVersion: incoming };
              linkRef.current = next;
              setLink(next);
              window.history.replaceState(null, '', `${window.location.pathname}?${formatChartParams(next)}`);
            }
          } else addLog('Plan refreshed');
        }
      } else if (ev.t === 'error') {
        addMessage({ key: 'plan-ws', severity: 'warning', text: `Plan updates: ${ev.detail ?? 'error'} (${ev.status ?? ''})` });
      }
    },
    [addLog, addMessage],
  );

  // Live symbol stream.
  useEffect(() => {
    // Stream only on top of a loaded history (or an empty one that ticks can start); after a failed
    // history load the page shows the error instead of a chart built from stray ticks.
    if (!liveOn || !symbol || (barsState.status !== 'ok' && barsState.status !== 'empty')) return;
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
        setLastBeatMs(Date.now());
        if (replayRef.current) return; // the replay owns the chart until it ends
        if (isOutOfOrderTick(lastTickTsRef.current, ts)) {
          setIgnoredTicks((n) => n + 1);
          return;
        }
        const u = applyTick(chart.lastBar(), tick.p, ts, sec);
        if (u.kind === 'ignored') setIgnoredTicks((n) => n + 1);
        else lastTickTsRef.current = ts;
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
        setLastBeatMs(Date.now());
        if (replayRef.current) return;
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
    streamRef.current = stream;
    return () => {
      stream.stop();
      streamRef.current = null;
    };
  }, [liveOn, symbol, interval, barsState.status, addMessage, dropMessage, onPlanMessage]);

  // Plan WebSocket: opened once the server has shown us the plan (so a refused link does not
  // retry a socket the server will refuse too), with the view token.
  useEffect(() => {
    if (!liveOn || !planId || planReady !== planId) return;
    const url = wsUrl(`/ws/plans/${encodeURIComponent(planId)}${buildQuery(viewTokenQuery(viewToken))}`);
    const socket = new PlanSocket(url, onPlanMessage, (state, attempt) => {
      setPlanSocketState(state);
      if (state === 'reconnecting' && attempt >= 3) addMessage({ key: 'plan-ws-down', severity: 'warning', text: `Plan updates for ${planId} are unavailable; retrying with backoff (attempt ${attempt}).` });
      else if (state === 'open') dropMessage('plan-ws-down');
    });
    socket.start();
    return () => socket.stop();
  }, [liveOn, planId, planReady, viewToken, onPlanMessage, addMessage, dropMessage]);

  const changeInterval = (iv: Interval) => {
    if (iv === interval) return;
    stopReplay();
    setChosenInterval(iv);
    const next = { ...link, interval: iv, symbol: symbol ?? undefined };
    setLink(next);
    window.history.replaceState(null, '', `${window.location.pathname}?${formatChartParams(next)}`);
  };

  // ---- scenarios ------------------------------------------------------------------------------
  const requestScenario = (style: ScenarioStyle) => {
    const entry = scenarios.entries[style];
    if (scenarios.shown === style && entry?.status !== 'error') {
      dispatchScenario({ type: 'clear' });
      return;
    }
    if (entry?.status === 'ready') {
      dispatchScenario({ type: 'show', style });
      return;
    }
    if (!symbol) return;
    dispatchScenario({ type: 'request', style });
    const seq = scenarios.seq + 1;
    api
      .post<unknown>('/gpt/plan', scenarioRequest(symbol, style), viewTokenQuery(viewToken))
      .then((raw) => {
        const payload = unwrapPlan(raw);
        if (!payload) throw new ApiError(200, 'bad_plan', 'the answer has no entry/stop');
        const view = planFromPayload({ ...payload, symbol: payload.symbol ?? symbol, style: payload.style ?? style });
        dispatchScenario({ type: 'loaded', style, seq, plan: view, payload, viewToken: viewTokenFromPlanResponse(raw) });
        dropMessage(`scenario-${style}`);
      })
      .catch((err) => {
        const text =
          err instanceof ApiError && err.isUnauthorized
            ? `Scenario ${style}: the server will not make a plan for this page (HTTP ${err.status}: ${err.message}). A shared link's view token previews plans of its own plan's symbol only; anything else needs an API key.`
            : describeApiError(`Scenario ${style}`, err);
        dispatchScenario({ type: 'failed', style, seq, error: text });
        addMessage({ key: `scenario-${style}`, severity: 'warning', text });
      });
  };
  const scenario = shownScenario(scenarios);
  scenarioRef.current = scenario;
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    if (!scenario) chart.setScenarioLines([], '');
    else chart.setScenarioLines(planLines(scenario.plan), `Scenario · ${scenario.style[0].toUpperCase()}${scenario.style.slice(1)}`);
    // Under focus=plan the vertical range widens to hold the scenario too (and narrows back).
    if (focusOn && plan && barsState.status === 'ok') {
      chart.setFocus(unionRange(focusPriceRange(plan, refClose), scenario ? focusPriceRange(scenario.plan, refClose) : null));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scenario]);

  const adoptScenario = () => {
    if (!scenario) return;
    const id = scenario.plan.planId;
    if (!id || isPreviewScenario(scenario)) {
      adoptPreview(scenario);
      return;
    }
    adoptPlan(id, scenario.viewToken, scenario.payload, `Scenario adopted — live updates active (plan ${id}).`);
  };

  // A preview (what a view-token link gets from /gpt/plan) becomes the live plan in place. The server
  // stored nothing, so there is no plan socket to follow: the old plan's socket closes, the status is
  // derived from the live price, and the plan travels in the rewritten link (the token stays, for more
  // previews of this symbol).
  const adoptPreview = (entry: NonNullable<typeof scenario>) => {
    adoptFallbackRef.current = null;
    setServerPlan(entry.plan);
    setServerLayers(layersFromPlan(entry.payload));
    setServerStatus(null);
    setPlanNote(null);
    setNextPlan(null);
    dispatchScenario({ type: 'reset' });
    setChosenInterval(interval);
    setPlanReady(null);
    setPlanId(null);
    const nextLink = previewAdoptedParams(link, entry.plan, symbol ?? entry.plan.symbol, interval);
    linkRef.current = nextLink;
    setLink(nextLink);
    window.history.replaceState(null, '', `${window.location.pathname}?${formatChartParams(nextLink)}`);
    const text = `Scenario adopted: the ${entry.style} preview is now the live plan (computed for this link and not stored, so its status follows the live price).`;
    addLog(text);
    addMessage({ key: 'adopt', severity: 'info', text });
  };

  const toggleAutoRearm = () => {
    const on = !autoRearm;
    setAutoRearm(on);
    writeAutoRearm(typeof localStorage === 'undefined' ? null : localStorage, on);
  };

  // ---- market replay ----------------------------------------------------------------------------
  function stopReplay() {
    replayRef.current?.runner.stop();
  }
  useEffect(() => () => replayRef.current?.runner.stop(), []);
  useEffect(() => {
    replayRef.current?.runner.setSpeed(replaySpeed);
  }, [replaySpeed]);

  const startReplay = async () => {
    const chart = chartRef.current;
    if (!chart || !symbol || replayRef.current) return;
    const saved = [...chart.getBars()];
    if (saved.length < 2) {
      addMessage({ key: 'replay', severity: 'warning', text: 'Replay needs at least two bars on the chart.' });
      return;
    }
    const sec = intervalSeconds(interval);
    const minutes = clampReplayMinutes(replayMinutes);
    const { history, replay: fromMemory } = splitForReplay(saved, sec, minutes);
    const win = replayWindow(saved[saved.length - 1], sec, minutes);
    let bars = fromMemory;
    try {
      const res = await api.get<BarsResponse>('/tv-api/bars', { symbol, resolution: interval, from: win.from - sec, to: win.to });
      const fetched = replayBarsAfter(history, barsFromWire(Array.isArray(res.bars) ? res.bars : []));
      if (fetched.length) bars = fetched;
      dropMessage('replay');
    } catch (err) {
      addMessage({ key: 'replay', severity: 'warning', text: `${describeApiError('Replay bars', err)} Replaying the bars already on the chart.` });
    }
    if (replayRef.current || chartRef.current !== chart) return;
    const runner = new ReplayRunner(
      bars,
      (bar, position, total) => {
        // The same path as a live bar: vetted by applyBar, drawn by the chart.
        chart.applyUpdate(applyBar(chart.lastBar(), bar));
        setLivePrice(bar.close);
        setLastUpdate(bar.time);
        setReplay({ running: true, position, total });
      },
      (completed) => {
        replayRef.current = null;
        chart.setBars(saved);
        chart.setFollowing(true);
        setReplay((r) => ({ ...r, running: false }));
        const last = saved[saved.length - 1];
        setLivePrice(last.close);
        setLastUpdate(last.time);
        addLog(completed ? `Replay of the last ${minutes} min finished` : 'Replay stopped');
      },
      replaySpeed,
    );
    replayRef.current = { runner, saved };
    chart.setBars(history);
    chart.setFollowing(true);
    setReplay({ running: true, position: 0, total: bars.length });
    addLog(`Replaying the last ${minutes} min (${bars.length} bars)`);
    runner.start();
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
    planId,
    viewToken,
    planSocketState,
    nextPlan,
    autoRearm,
    scenarios: Object.fromEntries(Object.entries(scenarios.entries).map(([k, e]) => [k, e!.status])),
    shownScenario: scenarios.shown,
    replay: { ...replay, speed: replaySpeed },
    lastEventId: streamRef.current?.lastEventId ?? null,
    ignoredTicks,
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
        title={params.title ?? null}
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
        streamState={liveOn ? streamState : 'off'}
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
        <div className="btn-group" data-testid="scenarios" role="group" aria-label="Scenario plans by style">
          {SCENARIO_STYLES.map((st) => {
            const e = scenarios.entries[st];
            const current = (plan?.style ?? params.style) === st;
            return (
              <button
                key={st}
                type="button"
                className={`btn ${scenarios.shown === st ? 'active' : ''} ${current ? 'current' : ''}`}
                aria-pressed={scenarios.shown === st}
                data-style={st}
                data-status={e?.status ?? 'none'}
                disabled={!symbol}
                title={current ? `${st} — the live plan's style` : `Show the ${st} plan as a dashed scenario`}
                onClick={() => requestScenario(st)}
              >
                {e?.status === 'loading' ? `${st}…` : st}
              </button>
            );
          })}
        </div>
        {planId && (
          <button type="button" className={`btn ${autoRearm ? 'active' : ''}`} aria-pressed={autoRearm} data-testid="auto-rearm" title="Follow the next plan automatically after a replan" onClick={toggleAutoRearm}>
            Auto-rearm: {autoRearm ? 'On' : 'Off'}
          </button>
        )}
        <div className="btn-group replay" data-testid="replay">
          <label className="small muted">
            Replay{' '}
            <input
              type="number"
              min={1}
              max={180}
              value={replayMinutes}
              data-testid="replay-minutes"
              aria-label="Replay minutes"
              disabled={replay.running}
              onChange={(e) => setReplayMinutes(clampReplayMinutes(Number(e.target.value)))}
            />{' '}
            min
          </label>
          <select value={replaySpeed} data-testid="replay-speed" aria-label="Replay speed" onChange={(e) => setReplaySpeed(Number(e.target.value))}>
            {REPLAY_SPEEDS.map((sp) => (
              <option key={sp} value={sp}>
                {sp}×
              </option>
            ))}
          </select>
          {replay.running ? (
            <button type="button" className="btn active" data-testid="replay-stop" onClick={stopReplay}>
              Stop {replay.position}/{replay.total}
            </button>
          ) : (
            <button type="button" className="btn" data-testid="replay-start" disabled={barsState.status !== 'ok'} onClick={() => void startReplay()}>
              ▶ Replay
            </button>
          )}
        </div>
        <div className="legend small muted" data-testid="legend">
          {emas.map((p) => `EMA ${p}`).join(' · ')}
          {vwapOn ? `${emas.length ? ' · ' : ''}VWAP (session ${session.name} ${String(Math.floor(session.openMin / 60)).padStart(2, '0')}:${String(session.openMin % 60).padStart(2, '0')})` : ''}
          {` · times in ${session.tz}`}
        </div>
      </div>
      {scenario && (
        <div className="banner scenario-banner" data-testid="scenario-banner">
          <span>
            Scenario · {scenario.style}: {scenario.plan.direction} entry {scenario.plan.entry}
            {scenario.plan.stop !== null ? `, stop ${scenario.plan.stop}` : ''}
            {scenario.plan.targets[0] ? `, TP1 ${scenario.plan.targets[0].price}${scenario.plan.targets[0].rr !== null ? ` (${scenario.plan.targets[0].rr.toFixed(1)}R)` : ''}` : ''}
            {scenario.plan.planId ? ` · ${scenario.plan.planId}` : ''}
          </span>
          <button type="button" className="btn" data-testid="adopt-scenario" onClick={adoptScenario}>
            Adopt this scenario
          </button>
          <button type="button" className="btn" data-testid="clear-scenario" onClick={() => dispatchScenario({ type: 'clear' })}>
            Clear overlay
          </button>
        </div>
      )}
      {nextPlan && (
        <div className="banner next-plan-banner" data-testid="next-plan" role="alert">
          <span>
            Next plan {nextPlan.planId}
            {nextPlan.style ? ` (${nextPlan.style})` : ''}
            {nextPlan.note ? ` — ${nextPlan.note}` : ''}
          </span>
          <button type="button" className="btn" data-testid="next-plan-reload" onClick={() => adoptPlan(nextPlan.planId, nextPlan.viewToken, null, `Next plan loaded: now following ${nextPlan.planId}.`)}>
            Reload
          </button>
          <button type="button" className="btn link" onClick={() => setNextPlan(null)}>
            Dismiss
          </button>
        </div>
      )}
      <main className="tv-main">
        <div className="chart-wrap">
          <div ref={containerRef} className="chart" data-testid="chart" />
          {overlayText && (
            <div className={`chart-overlay ${barsState.status === 'error' || noSymbol ? 'error' : ''}`} data-testid="chart-overlay">
              {overlayText}
            </div>
          )}
        </div>
        <PlanPanel
          plan={plan}
          scale={scale}
          log={log}
          note={planNote ?? params.notes ?? null}
          tz={session.tz}
          emptyText={planId && !planLoading ? `Plan ${planId} could not be loaded; the message above says why.` : planId ? `Loading plan ${planId}…` : null}
        />
      </main>
    </div>
  );
}
