// Market replay: the last N minutes of bars played back one bar at a time through the live update
// path (applyBar → chart), at a chosen speed. The window split and the scheduling are pure here.

import type { Bar } from './indicators';

export const REPLAY_DEFAULT_MINUTES = 10;
export const REPLAY_MAX_MINUTES = 180;
/** Milliseconds per bar at speed 1×. */
export const REPLAY_BASE_MS = 750;
export const REPLAY_SPEEDS = [0.5, 1, 2, 4, 8] as const;

export function clampReplayMinutes(minutes: number): number {
  if (!Number.isFinite(minutes)) return REPLAY_DEFAULT_MINUTES;
  return Math.min(REPLAY_MAX_MINUTES, Math.max(1, Math.round(minutes)));
}

export function replayDelayMs(speed: number): number {
  const s = Number.isFinite(speed) && speed > 0 ? speed : 1;
  return Math.max(10, Math.round(REPLAY_BASE_MS / s));
}

/** The unix-seconds window [from, to) that holds the last `minutes` of a series ending with `last`. */
export function replayWindow(last: Bar, barSeconds: number, minutes: number): { from: number; to: number } {
  const end = last.time + barSeconds;
  return { from: end - clampReplayMinutes(minutes) * 60, to: end };
}

/**
 * Splits bars into what stays on the chart (before the window) and what is replayed (bars whose
 * start lies in the window). At least the last bar is replayed; the history keeps at least one bar
 * so indicators have a base.
 */
export function splitForReplay(bars: readonly Bar[], barSeconds: number, minutes: number): { history: Bar[]; replay: Bar[] } {
  if (!bars.length) return { history: [], replay: [] };
  const { from } = replayWindow(bars[bars.length - 1], barSeconds, minutes);
  let cut = bars.findIndex((b) => b.time >= from);
  if (cut < 0) cut = bars.length - 1;
  cut = Math.min(cut, bars.length - 1);
  if (cut === 0 && bars.length > 1) cut = 1;
  return { history: bars.slice(0, cut), replay: bars.slice(cut) };
}

/** Replay bars fetched for the window, merged behind the history: only bars newer than the history's last. */
export function replayBarsAfter(history: readonly Bar[], fetched: readonly Bar[]): Bar[] {
  const lastT = history.length ? history[history.length - 1].time : -Infinity;
  return fetched.filter((b) => b.time > lastT);
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Plays bars one at a time. The delay to the next bar uses the speed at the moment it is scheduled,
 * so a speed change applies from the next bar on. stop() cancels; onDone fires once, after the
 * last bar or on stop (with `completed` telling which).
 */
export class ReplayRunner {
  private index = 0;
  private handle: unknown = null;
  private running = false;
  private finished = false;

  constructor(
    private readonly bars: readonly Bar[],
    private readonly onBar: (bar: Bar, index: number, total: number) => void,
    private readonly onDone: (completed: boolean) => void,
    private speed = 1,
    private readonly timers: Timers = realTimers,
  ) {}

  get position(): number {
    return this.index;
  }

  get total(): number {
    return this.bars.length;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.finished) return;
    this.running = true;
    this.schedule(0);
  }

  setSpeed(speed: number): void {
    this.speed = speed;
  }

  stop(): void {
    if (this.finished) return;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    this.finish(false);
  }

  private schedule(ms: number): void {
    this.handle = this.timers.setTimeout(() => this.step(), ms);
  }

  private step(): void {
    this.handle = null;
    if (!this.running) return;
    if (this.index >= this.bars.length) {
      this.finish(true);
      return;
    }
    const bar = this.bars[this.index];
    this.index += 1;
    this.onBar(bar, this.index, this.bars.length);
    if (this.index >= this.bars.length) this.finish(true);
    else this.schedule(replayDelayMs(this.speed));
  }

  private finish(completed: boolean): void {
    this.running = false;
    this.finished = true;
    this.onDone(completed);
  }
}
