import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatchStreamPayload, PlanSocket, SymbolStream, wsUrl } from '../src/tv/streams';

describe('dispatchStreamPayload', () => {
  it('routes named events, the seed envelope and bare payloads', () => {
    const ticks: unknown[] = [];
    const beats: unknown[] = [];
    const plans: unknown[] = [];
    const h = { onTick: (t: unknown) => ticks.push(t), onHeartbeat: (b: unknown) => beats.push(b), onPlanEvent: (p: unknown) => plans.push(p) };
    expect(dispatchStreamPayload('tick', '{"p":1.5,"ts":10}', h)).toBe(true);
    expect(dispatchStreamPayload('message', '{"symbol":"SPY","event":{"t":"tick","p":2,"ts":11}}', h)).toBe(true);
    expect(dispatchStreamPayload('message', '{"t":"heartbeat","ts":"2026-03-09T13:30:00Z"}', h)).toBe(true);
    expect(dispatchStreamPayload('message', '{"symbol":"SPY","event":{"t":"plan_delta","plan_id":"p1","changes":{"status":"at_risk"}}}', h)).toBe(true);
    expect(ticks).toEqual([{ p: 1.5, ts: 10 }, { t: 'tick', p: 2, ts: 11, plan_id: undefined }]);
    expect(beats).toHaveLength(1);
    expect(plans).toEqual([{ plan_id: 'p1', event: { t: 'plan_delta', plan_id: 'p1', changes: { status: 'at_risk' } } }]);
  });

  it('rejects junk', () => {
    expect(dispatchStreamPayload('message', 'not json', {})).toBe(false);
    expect(dispatchStreamPayload('message', '{"t":"unknown"}', {})).toBe(false);
    expect(dispatchStreamPayload('tick', '{"ts":1}', {})).toBe(false);
  });
});

class FakeEventSource {
  static all: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  listeners = new Map<string, (ev: MessageEvent) => void>();
  closed = false;
  constructor(public url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, l);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: string) {
    this.listeners.get(type)?.({ data } as MessageEvent);
  }
}

describe('SymbolStream', () => {
  beforeEach(() => {
    FakeEventSource.all = [];
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('reconnects with growing delays and resets after a successful open', () => {
    const states: string[] = [];
    const ticks: number[] = [];
    const s = new SymbolStream('/stream/SPY', { onState: (st) => states.push(st), onTick: (t) => ticks.push(t.p) }, (u) => new FakeEventSource(u));
    s.start();
    expect(FakeEventSource.all).toHaveLength(1);
    FakeEventSource.all[0].onerror?.(new Event('error'));
    expect(FakeEventSource.all[0].closed).toBe(true);
    vi.advanceTimersByTime(999);
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.all[1].onerror?.(new Event('error'));
    vi.advanceTimersByTime(1999);
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(3);
    FakeEventSource.all[2].onopen?.(new Event('open'));
    FakeEventSource.all[2].emit('tick', '{"p":5,"ts":1}');
    expect(ticks).toEqual([5]);
    FakeEventSource.all[2].onerror?.(new Event('error'));
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.all).toHaveLength(4);
    s.stop();
    expect(FakeEventSource.all[3].closed).toBe(true);
    vi.advanceTimersByTime(60000);
    expect(FakeEventSource.all).toHaveLength(4);
    expect(states).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'open', 'reconnecting', 'reconnecting', 'closed']);
  });
});

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: ((ev: Event) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  closedWith: number | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close(code?: number) {
    this.closedWith = code ?? 1000;
  }
}

describe('PlanSocket', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('delivers messages, reconnects on close and stops for 1008', () => {
    const got: unknown[] = [];
    const s = new PlanSocket('ws://h/ws/plans/p1', (m) => got.push(m), () => {}, (u) => new FakeSocket(u));
    s.start();
    FakeSocket.all[0].onmessage?.({ data: '{"plan_id":"p1","event":{"t":"plan_delta","changes":{"status":"intact"}}}' } as MessageEvent);
    FakeSocket.all[0].onmessage?.({ data: '{bad' } as MessageEvent);
    expect(got).toHaveLength(1);
    FakeSocket.all[0].onclose?.({ code: 1006 } as CloseEvent);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].onclose?.({ code: 1008 } as CloseEvent);
    vi.advanceTimersByTime(60000);
    expect(FakeSocket.all).toHaveLength(2);
    s.stop();
  });

  it('builds ws URLs from the page origin', () => {
    expect(wsUrl('/ws/plans/a', { protocol: 'https:', host: 'desk:8443' })).toBe('wss://desk:8443/ws/plans/a');
    expect(wsUrl('/ws/plans/a', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws/plans/a');
  });
});
