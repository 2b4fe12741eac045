import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bar } from '../src/tv/indicators';
import { clampReplayMinutes, replayBarsAfter, replayDelayMs, ReplayRunner, replayWindow, splitForReplay } from '../src/tv/replay';

const bar = (time: number, c = 10): Bar => ({ time, open: c, high: c + 1, low: c - 1, close: c, volume: 1 });
const minuteBars = Array.from({ length: 30 }, (_, i) => bar(60_000 + i * 60, 10 + i));

describe('replay window', () => {
  it('clamps minutes and derives delays from speed', () => {
    expect(clampReplayMinutes(0)).toBe(1);
    expect(clampReplayMinutes(500)).toBe(180);
    expect(clampReplayMinutes(NaN)).toBe(10);
    expect(replayDelayMs(1)).toBe(750);
    expect(replayDelayMs(4)).toBe(188);
    expect(replayDelayMs(0)).toBe(750);
    expect(replayDelayMs(1000)).toBe(10);
  });

  it('replays the bars that start in the last N minutes', () => {
    const { history, replay } = splitForReplay(minuteBars, 60, 10);
    expect(replay).toHaveLength(10);
    expect(history).toHaveLength(20);
    expect(replay[0].time).toBe(minuteBars[20].time);
    expect(replayWindow(minuteBars[29], 60, 10)).toEqual({ from: minuteBars[20].time, to: minuteBars[29].time + 60 });
  });

  it('replays at least the last bar and keeps at least one bar of history', () => {
    const fiveMin = [bar(0), bar(300), bar(600)];
    expect(splitForReplay(fiveMin, 300, 1).replay.map((b) => b.time)).toEqual([600]);
    expect(splitForReplay(fiveMin, 300, 180)).toEqual({ history: [fiveMin[0]], replay: [fiveMin[1], fiveMin[2]] });
    expect(splitForReplay([], 60, 10)).toEqual({ history: [], replay: [] });
  });

  it('takes only fetched bars newer than the kept history', () => {
    expect(replayBarsAfter([bar(0), bar(60)], [bar(0), bar(60), bar(120), bar(180)]).map((b) => b.time)).toEqual([120, 180]);
  });
});

describe('ReplayRunner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays bars at the speed in force when each is scheduled, then reports completion once', () => {
    const seen: Array<[number, number]> = [];
    const done: boolean[] = [];
    const r = new ReplayRunner(minuteBars.slice(0, 4), (b, i) => seen.push([b.time, i]), (c) => done.push(c), 1);
    r.start();
    vi.advanceTimersByTime(0);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(749);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveLength(2);
    r.setSpeed(4); // the next delay was already scheduled at 1×
    vi.advanceTimersByTime(750);
    expect(seen).toHaveLength(3);
    vi.advanceTimersByTime(188);
    expect(seen.map((s) => s[1])).toEqual([1, 2, 3, 4]);
    expect(done).toEqual([true]);
    expect(r.isRunning).toBe(false);
    r.stop();
    expect(done).toEqual([true]);
  });

  it('stops early and cannot restart', () => {
    const seen: number[] = [];
    const done: boolean[] = [];
    const r = new ReplayRunner(minuteBars, (b) => seen.push(b.time), (c) => done.push(c), 2);
    r.start();
    vi.advanceTimersByTime(400);
    r.stop();
    vi.advanceTimersByTime(10_000);
    expect(seen).toHaveLength(2);
    expect(done).toEqual([false]);
    r.start();
    vi.advanceTimersByTime(10_000);
    expect(seen).toHaveLength(2);
  });
});
