// The imperative chart: lightweight-charts v5 with candles, a volume pane, EMAs, session VWAP,
// anchored VWAPs, plan price lines, key levels, zone bands, focus and Follow Live.

import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  LineStyle,
  TickMarkType,
  createChart,
  type AutoscaleInfo,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type LogicalRange,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { ZoneBands } from './bands';
import { anchoredVwap, ema, sessionVwap, type Bar, type Point } from './indicators';
import type { BarUpdate } from './live';
import type { MergedLevel, PlanLine, PriceRange, ZoneView } from './plan';
import { formatCrosshair, formatTick, intervalSeconds, isIntraday, nextChartTime, toChartTimes, type ExchangeSession, type Interval, type TickKind } from './time';

export interface ChartColors {
  background: string;
  text: string;
  grid: string;
  border: string;
  up: string;
  down: string;
  vwap: string;
  level: string;
  entry: string;
  stop: string;
  target: string;
  runner: string;
  avwap: string;
  emas: string[];
}

export function readChartColors(el: Element = document.documentElement): ChartColors {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--chart-bg', '#0b1220'),
    text: v('--chart-text', '#cbd5e1'),
    grid: v('--chart-grid', 'rgba(148,163,184,0.12)'),
    border: v('--border', '#334155'),
    up: v('--up', '#22c55e'),
    down: v('--down', '#ef4444'),
    vwap: v('--vwap', '#f8fafc'),
    level: v('--level', '#94a3b8'),
    entry: v('--entry', '#facc15'),
    stop: v('--stop', '#ef4444'),
    target: v('--target', '#22c55e'),
    runner: v('--runner', '#a855f7'),
    avwap: v('--avwap', '#fde047'),
    emas: [v('--ema1', '#38bdf8'), v('--ema2', '#a78bfa'), v('--ema3', '#fbbf24'), v('--ema4', '#fb923c'), v('--ema5', '#f472b6'), v('--ema6', '#2dd4bf')],
  };
}

export interface DrawnLine {
  kind: string;
  price: number;
  label: string;
}

/** What is on the chart right now, for the read-only debug hook and the e2e tests. */
export interface ChartSnapshot {
  barCount: number;
  lastBar: Bar | null;
  planLines: DrawnLine[];
  /** The scenario plan drawn dashed over the live plan (empty when none). */
  scenarioLines: DrawnLine[];
  levels: DrawnLine[];
  zones: Array<{ kind: string; top: number; bottom: number; label: string }>;
  emas: Array<{ period: number; points: number; last: number | null }>;
  vwapPoints: number;
  vwapLast: number | null;
  avwaps: Array<{ label: string; points: number }>;
  focus: PriceRange | null;
  following: boolean;
  visibleRange: { from: number; to: number } | null;
}

const TICK_KIND: Record<number, TickKind> = {
  [TickMarkType.Year]: 'year',
  [TickMarkType.Month]: 'month',
  [TickMarkType.DayOfMonth]: 'day',
  [TickMarkType.Time]: 'time',
  [TickMarkType.TimeWithSeconds]: 'seconds',
};


function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex) return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export class TvChart {
  readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly vwapSeries: ISeriesApi<'Line'>;
  private readonly bands = new ZoneBands();
  private emaSeries: Array<{ period: number; series: ISeriesApi<'Line'>; data: Point[] }> = [];
  private avwapSeries: Array<{ label: string; anchor: number; series: ISeriesApi<'Line'>; data: Point[] }> = [];
  private planPriceLines: Array<{ line: IPriceLine; drawn: DrawnLine }> = [];
  private levelPriceLines: Array<{ line: IPriceLine; drawn: DrawnLine }> = [];
  private scenarioPriceLines: Array<{ line: IPriceLine; drawn: DrawnLine }> = [];
  private bars: Bar[] = [];
  /** Chart (exchange wall-clock) time per bar start, see toChartTimes. */
  private readonly chartTime = new Map<number, number>();
  private lastChartTime: number | null = null;
  private vwapData: Point[] = [];
  private vwapOn = true;
  private focusRange: PriceRange | null = null;
  private following = true;
  /** performance.now() of the last pointer/wheel/key input on the chart; only user input pauses Follow Live. */
  private lastUserInput = -Infinity;
  private pointerDown = false;
  private readonly container: HTMLElement;
  private colors: ChartColors;
  private interval: Interval;
  private session: ExchangeSession;
  private emaPeriods: number[] = [];
  private zones: ZoneView[] = [];
  onFollowChange: ((following: boolean) => void) | null = null;
  onFirstCandle: (() => void) | null = null;

  constructor(container: HTMLElement, session: ExchangeSession, interval: Interval, colors: ChartColors) {
    this.session = session;
    this.interval = interval;
    this.colors = colors;
    this.container = container;
    for (const type of ['pointerdown', 'wheel', 'touchstart', 'keydown'] as const) container.addEventListener(type, this.onUserInput, { passive: true });
    container.addEventListener('pointerup', this.onPointerUp);
    window.addEventListener('pointerup', this.onPointerUp);
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: colors.background },
        textColor: colors.text,
        attributionLogo: true,
        panes: { separatorColor: colors.border, enableResize: true },
      },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: colors.border },
      timeScale: { borderColor: colors.border, rightOffset: 6 },
    });
    this.applyTimeFormatting();

    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: colors.up,
      downColor: colors.down,
      borderUpColor: colors.up,
      borderDownColor: colors.down,
      wickUpColor: colors.up,
      wickDownColor: colors.down,
      autoscaleInfoProvider: (base: () => AutoscaleInfo | null) =>
        this.focusRange ? { priceRange: { minValue: this.focusRange.min, maxValue: this.focusRange.max } } : base(),
    });
    this.candles.attachPrimitive(this.bands);
    this.bands.setTextColor(colors.text);

    this.vwapSeries = this.chart.addSeries(LineSeries, {
      color: colors.vwap,
      lineWidth: 2,
      priceLineVisible: false,
      lastValueVisible: true,
      title: 'VWAP',
      crosshairMarkerVisible: false,
      autoscaleInfoProvider: this.overlayAutoscale,
    });

    this.volume = this.chart.addSeries(
      HistogramSeries,
      { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false },
      1,
    );
    const panes = this.chart.panes();
    panes[0]?.setStretchFactor(4);
    panes[1]?.setStretchFactor(1);

    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onRangeChange);
  }

  /** Overlays never widen the price scale while focus=plan is active. */
  private readonly overlayAutoscale = (base: () => AutoscaleInfo | null): AutoscaleInfo | null => (this.focusRange ? null : base());

  /** Chart times are already exchange wall-clock times (see toChartTimes), so labels format as UTC. */
  private applyTimeFormatting(): void {
    const interval = this.interval;
    this.chart.applyOptions({
      localization: { timeFormatter: (t: Time) => formatCrosshair(t as number, 'UTC', interval) },
      timeScale: {
        timeVisible: isIntraday(interval),
        secondsVisible: false,
        tickMarkFormatter: (t: Time, type: TickMarkType) => formatTick(t as number, TICK_KIND[type] ?? 'time', 'UTC', interval),
      },
    });
  }

  private toTime(t: number): UTCTimestamp {
    const c = this.chartTime.get(t);
    if (c !== undefined) return c as UTCTimestamp;
    const next = nextChartTime(t, this.session.tz, this.lastChartTime);
    this.chartTime.set(t, next);
    this.lastChartTime = next;
    return next as UTCTimestamp;
  }

  private rebuildChartTimes(): void {
    this.chartTime.clear();
    const times = this.bars.map((b) => b.time);
    const shifted = toChartTimes(times, this.session.tz);
    times.forEach((t, i) => this.chartTime.set(t, shifted[i]));
    this.lastChartTime = shifted.length ? shifted[shifted.length - 1] : null;
  }

  private readonly onUserInput = (ev: Event): void => {
    this.lastUserInput = performance.now();
    if (ev.type === 'pointerdown' || ev.type === 'touchstart') this.pointerDown = true;
  };

  private readonly onPointerUp = (): void => {
    if (this.pointerDown) this.lastUserInput = performance.now();
    this.pointerDown = false;
  };

  destroy(): void {
    for (const type of ['pointerdown', 'wheel', 'touchstart', 'keydown'] as const) this.container.removeEventListener(type, this.onUserInput);
    this.container.removeEventListener('pointerup', this.onPointerUp);
    window.removeEventListener('pointerup', this.onPointerUp);
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onRangeChange);
    this.chart.remove();
  }

  setColors(colors: ChartColors): void {
    this.colors = colors;
    this.chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: colors.background }, textColor: colors.text, panes: { separatorColor: colors.border } },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      rightPriceScale: { borderColor: colors.border },
      timeScale: { borderColor: colors.border },
    });
    this.candles.applyOptions({
      upColor: colors.up, downColor: colors.down, borderUpColor: colors.up, borderDownColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down,
    });
    this.vwapSeries.applyOptions({ color: colors.vwap });
    this.emaSeries.forEach((e, i) => e.series.applyOptions({ color: colors.emas[i % colors.emas.length] }));
    this.avwapSeries.forEach((a) => a.series.applyOptions({ color: colors.avwap }));
    this.bands.setTextColor(colors.text);
    this.volume.setData(this.volumeData(this.bars));
  }

  setSessionAndInterval(session: ExchangeSession, interval: Interval): void {
    const zoneChanged = session.tz !== this.session.tz;
    this.session = session;
    this.interval = interval;
    this.applyTimeFormatting();
    if (zoneChanged && this.bars.length) this.setBars(this.bars);
  }

  private volumeData(bars: readonly Bar[]) {
    return bars.map((b) => ({ time: this.toTime(b.time), value: b.volume, color: withAlpha(b.close >= b.open ? this.colors.up : this.colors.down, 0.45) }));
  }

  setBars(bars: Bar[]): void {
    const hadBars = this.bars.length > 0;
    this.bars = bars;
    this.rebuildChartTimes();
    this.candles.setData(bars.map((b) => ({ time: this.toTime(b.time), open: b.open, high: b.high, low: b.low, close: b.close })));
    this.volume.setData(this.volumeData(bars));
    this.recomputeIndicators(true);
    if (!hadBars && bars.length) this.onFirstCandle?.();
  }

  getBars(): readonly Bar[] {
    return this.bars;
  }

  lastBar(): Bar | null {
    return this.bars.length ? this.bars[this.bars.length - 1] : null;
  }

  /** Applies a live update (already vetted by applyTick/applyBar). */
  applyUpdate(update: BarUpdate): void {
    if (update.kind === 'ignored') return;
    const bar = update.bar;
    if (update.kind === 'update' && this.bars.length) this.bars[this.bars.length - 1] = bar;
    else this.bars.push(bar);
    this.candles.update({ time: this.toTime(bar.time), open: bar.open, high: bar.high, low: bar.low, close: bar.close });
    this.volume.update({ time: this.toTime(bar.time), value: bar.volume, color: withAlpha(bar.close >= bar.open ? this.colors.up : this.colors.down, 0.45) });
    this.recomputeIndicators(false);
    if (this.following && update.kind === 'append') this.scrollToLatest();
  }

  private recomputeIndicators(full: boolean): void {
    const sec = intervalSeconds(this.interval);
    const push = (series: ISeriesApi<'Line'>, data: Point[], prevLen: number) => {
      if (full || data.length < prevLen || data.length - prevLen > 1) series.setData(data.map((p) => ({ time: this.toTime(p.time), value: p.value })));
      else if (data.length) series.update({ time: this.toTime(data[data.length - 1].time), value: data[data.length - 1].value });
    };
    for (const e of this.emaSeries) {
      const prev = e.data.length;
      e.data = ema(this.bars, e.period);
      push(e.series, e.data, prev);
    }
    const vwapUsable = this.vwapOn && isIntraday(this.interval);
    const prevV = this.vwapData.length;
    this.vwapData = vwapUsable ? sessionVwap(this.bars, sec, this.session) : [];
    push(this.vwapSeries, this.vwapData, full ? 0 : prevV);
    if (!vwapUsable && prevV) this.vwapSeries.setData([]);
    for (const a of this.avwapSeries) {
      const prev = a.data.length;
      a.data = anchoredVwap(this.bars, a.anchor, sec);
      push(a.series, a.data, prev);
    }
  }

  setEmas(periods: number[]): void {
    if (periods.join(',') === this.emaPeriods.join(',')) return;
    this.emaPeriods = [...periods];
    for (const e of this.emaSeries) this.chart.removeSeries(e.series);
    this.emaSeries = periods.map((period, i) => ({
      period,
      data: [],
      series: this.chart.addSeries(LineSeries, {
        color: this.colors.emas[i % this.colors.emas.length],
        lineWidth: 1,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
        title: `EMA ${period}`,
        autoscaleInfoProvider: this.overlayAutoscale,
      }),
    }));
    this.recomputeIndicators(true);
  }

  setVwap(on: boolean): void {
    this.vwapOn = on;
    this.vwapSeries.applyOptions({ visible: on });
    this.recomputeIndicators(true);
  }

  setAvwaps(anchors: Array<{ anchor_ts: number; label: string }>): void {
    for (const a of this.avwapSeries) this.chart.removeSeries(a.series);
    this.avwapSeries = anchors.map((a) => ({
      label: a.label,
      anchor: a.anchor_ts,
      data: [],
      series: this.chart.addSeries(LineSeries, {
        color: this.colors.avwap,
        lineWidth: 1,
        lineStyle: LineStyle.Solid,
        priceLineVisible: false,
        lastValueVisible: true,
        crosshairMarkerVisible: false,
        title: a.label,
        autoscaleInfoProvider: this.overlayAutoscale,
      }),
    }));
    this.recomputeIndicators(true);
  }

  setPlanLines(lines: PlanLine[]): void {
    for (const p of this.planPriceLines) this.candles.removePriceLine(p.line);
    this.planPriceLines = lines.map((l) => {
      const color = l.kind === 'entry' ? this.colors.entry : l.kind === 'stop' ? this.colors.stop : l.kind === 'runner' ? this.colors.runner : this.colors.target;
      const line = this.candles.createPriceLine({
        price: l.price,
        color,
        lineWidth: l.kind === 'target' || l.kind === 'runner' ? 1 : 2,
        lineStyle: l.kind === 'target' || l.kind === 'runner' ? LineStyle.Dashed : LineStyle.Solid,
        axisLabelVisible: true,
        title: l.label,
      });
      return { line, drawn: { kind: l.kind === 'target' ? `tp${l.index}` : l.kind, price: l.price, label: l.label } };
    });
  }

  /** A scenario plan: every line dashed (large dashes for entry/stop), titled "<prefix> · <label>". */
  setScenarioLines(lines: PlanLine[], prefix: string): void {
    for (const p of this.scenarioPriceLines) this.candles.removePriceLine(p.line);
    this.scenarioPriceLines = lines.map((l) => {
      const color = l.kind === 'entry' ? this.colors.entry : l.kind === 'stop' ? this.colors.stop : l.kind === 'runner' ? this.colors.runner : this.colors.target;
      const title = `${prefix} · ${l.label}`;
      const line = this.candles.createPriceLine({
        price: l.price,
        color: withAlpha(color, 0.7),
        lineWidth: 1,
        lineStyle: l.kind === 'entry' || l.kind === 'stop' ? LineStyle.LargeDashed : LineStyle.Dashed,
        axisLabelVisible: true,
        title,
      });
      return { line, drawn: { kind: l.kind === 'target' ? `tp${l.index}` : l.kind, price: l.price, label: title } };
    });
  }

  setLevels(levels: MergedLevel[]): void {
    for (const p of this.levelPriceLines) this.candles.removePriceLine(p.line);
    this.levelPriceLines = levels.map((l) => ({
      line: this.candles.createPriceLine({
        price: l.price,
        color: this.colors.level,
        lineWidth: 1,
        lineStyle: LineStyle.Dotted,
        axisLabelVisible: l.primary,
        title: l.label,
      }),
      drawn: { kind: 'level', price: l.price, label: l.label },
    }));
  }

  setZones(zones: ZoneView[]): void {
    this.zones = zones;
    this.bands.setZones(zones);
  }

  /** Vertical zoom to a price range (null restores normal autoscale). */
  setFocus(range: PriceRange | null): void {
    this.focusRange = range;
    this.candles.priceScale().applyOptions({ autoScale: true });
    // Re-applying the providers makes the chart recompute the scale now.
    this.candles.applyOptions({
      autoscaleInfoProvider: (base: () => AutoscaleInfo | null) =>
        this.focusRange ? { priceRange: { minValue: this.focusRange.min, maxValue: this.focusRange.max } } : base(),
    });
  }

  setVisibleLogicalRange(range: { from: number; to: number }): void {
    this.chart.timeScale().setVisibleLogicalRange(range);
    const last = this.bars.length - 1;
    this.setFollowing(range.to >= last);
  }

  fit(): void {
    this.setFocus(null);
    this.chart.timeScale().fitContent();
  }

  /** Jumps (without animation, so no intermediate ranges look like a pan) to the latest bar, keeping the zoom. */
  scrollToLatest(): void {
    const last = this.bars.length - 1;
    if (last < 0) return;
    const r = this.chart.timeScale().getVisibleLogicalRange();
    const width = r ? Math.max(10, r.to - r.from) : 120;
    const margin = 6;
    this.chart.timeScale().setVisibleLogicalRange({ from: last + margin - width, to: last + margin });
  }

  setFollowing(on: boolean): void {
    if (this.following === on) return;
    this.following = on;
    if (on) this.scrollToLatest();
    this.onFollowChange?.(on);
  }

  isFollowing(): boolean {
    return this.following;
  }

  /**
   * A user pan that leaves the last bar more than half a bar off-screen pauses Follow Live. Range
   * changes count as the user's only while a pointer is down or within 1 s of their input (a drag's
   * inertia, a wheel); the page's own scrolling never pauses it.
   */
  private readonly onRangeChange = (range: LogicalRange | null): void => {
    if (!range) return;
    if (!this.pointerDown && performance.now() - this.lastUserInput > 1000) return;
    const last = this.bars.length - 1;
    if (this.following && last >= 0 && range.to < last - 0.5) this.setFollowing(false);
  };

  snapshot(): ChartSnapshot {
    const range = this.chart.timeScale().getVisibleLogicalRange();
    return {
      barCount: this.bars.length,
      lastBar: this.lastBar(),
      planLines: this.planPriceLines.map((p) => ({ ...p.drawn })),
      scenarioLines: this.scenarioPriceLines.map((p) => ({ ...p.drawn })),
      levels: this.levelPriceLines.map((p) => ({ ...p.drawn })),
      zones: this.zones.map((z) => ({ kind: z.kind, top: z.top, bottom: z.bottom, label: z.label })),
      emas: this.emaSeries.map((e) => ({ period: e.period, points: e.data.length, last: e.data.length ? e.data[e.data.length - 1].value : null })),
      vwapPoints: this.vwapData.length,
      vwapLast: this.vwapData.length ? this.vwapData[this.vwapData.length - 1].value : null,
      avwaps: this.avwapSeries.map((a) => ({ label: a.label, points: a.data.length })),
      focus: this.focusRange ? { ...this.focusRange } : null,
      following: this.following,
      visibleRange: range ? { from: range.from, to: range.to } : null,
    };
  }
}
