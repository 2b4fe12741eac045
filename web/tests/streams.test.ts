import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatchStreamPayload, PlanSocket, SseParser, SymbolStream, wsUrl } from '../src/tv/streams';

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

describe('SseParser', () => {
  it('parses events split across chunks, CRLF/CR/LF endings, comments, multi-line data, ids and retry', () => {
    const p = new SseParser();
    expect(p.feed('retry: 2000\n\n: comment\nevent: tick\nid: 7\ndata: {"p":1,')).toEqual([]);
    expect(p.feed('"ts":2}\r')).toEqual([]);
    expect(p.feed('\n\r\n')).toEqual([{ event: 'tick', data: '{"p":1,"ts":2}', id: '7' }]);
    expect(p.retryMs).toBe(2000);
    expect(p.feed('data: a\rdata:b\r\r')).toEqual([]); // a CR at the end may be half of a CRLF
    expect(p.feed('\n')).toEqual([{ event: 'message', data: 'a\nb', id: '7' }]);
    expect(p.feed('id: 9\nevent: heartbeat\n\n')).toEqual([]); // no data: nothing dispatched, id kept
    expect(p.lastEventId).toBe('9');
    expect(p.feed('data\n\n')).toEqual([{ event: 'message', data: '', id: '9' }]);
  });
});

interface FakeConn {
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  push(text: string): void;
  end(): void;
}

function fakeFetch(conns: FakeConn[], fail: () => boolean = () => false) {
  return (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => {
    if (fail()) return Promise.reject(new TypeError('Failed to fetch'));
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const enc = new TextEncoder();
    init.signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    conns.push({ url, headers: init.headers, signal: init.signal, push: (t) => controller.enqueue(enc.encode(t)), end: () => controller.close() });
    return Promise.resolve({ ok: true, status: 200, body });
  };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('SymbolStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('dispatches events, reconnects with growing delays and resumes with Last-Event-ID', async () => {
    const conns: FakeConn[] = [];
    let failing = 0;
    const states: string[] = [];
    const ticks: number[] = [];
    const s = new SymbolStream('/stream/SPY', { onState: (st) => states.push(st), onTick: (t) => ticks.push(t.p) }, fakeFetch(conns, () => failing-- > 0));
    s.start();
    await flush();
    expect(conns).toHaveLength(1);
    expect(conns[0].headers['Last-Event-ID']).toBeUndefined();
    conns[0].push('id: 41\nevent: tick\ndata: {"p":5,"ts":1}\n\n');
    await flush();
    expect(ticks).toEqual([5]);
    expect(s.lastEventId).toBe('41');
    // The server ends the stream: reconnect after 1 s (attempt 0), then a failing fetch doubles it.
    failing = 1;
    conns[0].end();
    await flush();
    vi.advanceTimersByTime(999);
    await flush();
    expect(conns).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await flush();
    expect(conns).toHaveLength(1); // that attempt failed
    vi.advanceTimersByTime(1999);
    await flush();
    expect(conns).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await flush();
    expect(conns).toHaveLength(2);
    expect(conns[1].headers['Last-Event-ID']).toBe('41');
    conns[1].push('id: 42\nevent: tick\ndata: {"p":6,"ts":2}\n\n');
    await flush();
    expect(ticks).toEqual([5, 6]);
    s.stop();
    expect(conns[1].signal.aborted).toBe(true);
    vi.advanceTimersByTime(60000);
    await flush();
    expect(conns).toHaveLength(2);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'open', 'closed']);
  });

  it('treats an HTTP error as a failed attempt', async () => {
    const calls: string[] = [];
    const s = new SymbolStream('/stream/X', {}, (u) => {
      calls.push(u);
      return Promise.resolve({ ok: false, status: 503, body: null });
    });
    s.start();
    await flush();
    vi.advanceTimersByTime(1000);
    await flush();
    expect(calls).toHaveLength(2);
    s.stop();
  });

  it('routes the plan_state summary as plan deltas', () => {
    const plans: unknown[] = [];
    dispatchStreamPayload('message', '{"symbol":"SPY","event":{"t":"plan_state","plans":[{"plan_id":"p1","status":"at_risk","note":"n"}]}}', { onPlanEvent: (p) => plans.push(p) });
    expect(plans).toEqual([{ plan_id: 'p1', event: { t: 'plan_delta', changes: { status: 'at_risk', note: 'n' } } }]);
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
