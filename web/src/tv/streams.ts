// Live connections: the symbol SSE stream (/stream/{symbol}) and the plan WebSocket
// (/ws/plans/{plan_id}), both reconnecting with exponential backoff.

import type {
  PlanSocketMessage,
  StreamBarEvent,
  StreamHeartbeatEvent,
  StreamMarketStatusEvent,
  StreamTickEvent,
} from '../api/types';
import { backoffDelay } from './live';

export type ConnState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SymbolStreamHandlers {
  onBar?(bar: StreamBarEvent): void;
  onTick?(tick: StreamTickEvent): void;
  onHeartbeat?(beat: StreamHeartbeatEvent): void;
  onMarketStatus?(status: StreamMarketStatusEvent): void;
  onPlanEvent?(message: PlanSocketMessage): void;
  onState?(state: ConnState, attempt: number): void;
}

/**
 * Routes one stream payload. Accepts the named-event form (event: tick, data: {...}), the seed's
 * envelope ({"symbol","event":{"t":"tick",...}}) and a bare {"t":"tick",...}.
 */
export function dispatchStreamPayload(eventName: string, data: string, h: SymbolStreamHandlers): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== 'object') return false;
  let obj = parsed as Record<string, unknown>;
  if (obj.event && typeof obj.event === 'object') obj = { ...(obj.event as Record<string, unknown>), plan_id: obj.plan_id ?? (obj.event as Record<string, unknown>).plan_id };
  const kind = eventName !== 'message' ? eventName : typeof obj.t === 'string' ? obj.t : '';
  switch (kind) {
    case 'bar':
      h.onBar?.(obj as StreamBarEvent);
      return true;
    case 'tick':
      if (typeof obj.p !== 'number') return false;
      h.onTick?.(obj as unknown as StreamTickEvent);
      return true;
    case 'heartbeat':
      h.onHeartbeat?.(obj as unknown as StreamHeartbeatEvent);
      return true;
    case 'market_status':
      h.onMarketStatus?.(obj as unknown as StreamMarketStatusEvent);
      return true;
    case 'plan_state': {
      // The stream's opening summary of the symbol's live plans: one status line per plan.
      const plans = Array.isArray(obj.plans) ? (obj.plans as Array<Record<string, unknown>>) : [];
      for (const p of plans) {
        if (!p || typeof p !== 'object') continue;
        const changes: Record<string, unknown> = {};
        for (const k of ['status', 'note', 'next_step', 'rr_to_t1', 'timestamp']) if (p[k] !== undefined) changes[k] = p[k];
        h.onPlanEvent?.({ plan_id: p.plan_id as string | undefined, event: { t: 'plan_delta', changes } as PlanSocketMessage['event'] });
      }
      return true;
    }
    case 'plan_delta':
    case 'plan_full':
      h.onPlanEvent?.({ plan_id: obj.plan_id as string | undefined, event: { ...(obj as object), t: kind } as PlanSocketMessage['event'] });
      return true;
    default:
      return false;
  }
}

// ---- server-sent events over fetch ---------------------------------------------------------------

/** One dispatched server-sent event. `id` is the stream's last event id at dispatch time. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental text/event-stream parser (the WHATWG rules that matter here): lines end in CRLF, LF
 * or CR (a CR at a chunk's end waits for the next chunk), ':' starts a comment, `data` lines join
 * with '\n', a blank line dispatches, `id` persists across events, `retry` is kept as a hint.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventName = '';
  lastEventId: string | null = null;
  retryMs: number | null = null;

  feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const lf = this.buffer.indexOf('\n');
      const cr = this.buffer.indexOf('\r');
      let end: number;
      let skip: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        if (cr === this.buffer.length - 1) break; // maybe CRLF split across chunks
        end = cr;
        skip = this.buffer[cr + 1] === '\n' ? 2 : 1;
      } else if (lf >= 0) {
        end = lf;
        skip = 1;
      } else break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + skip);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      if (!this.data.length) {
        this.eventName = '';
        return null;
      }
      const ev = { event: this.eventName || 'message', data: this.data.join('\n'), id: this.lastEventId };
      this.data = [];
      this.eventName = '';
      return ev;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return null;
  }
}

interface StreamResponseLike {
  ok: boolean;
  status: number;
  body: ReadableStream<Uint8Array> | null;
}

export type StreamFetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; cache?: RequestCache }) => Promise<StreamResponseLike>;

/**
 * The symbol stream. It reads text/event-stream through fetch rather than EventSource so that a
 * reconnect (which we schedule ourselves, with exponential backoff and jitter) can send the
 * Last-Event-ID header and the server resumes from its history ring; EventSource cannot set it on
 * a new connection, and its own retry neither backs off nor survives HTTP errors.
 */
export class SymbolStream {
  private ctrl: AbortController | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Id of the last event received, sent back as Last-Event-ID on reconnect. */
  lastEventId: string | null = null;

  constructor(
    private readonly url: string,
    private readonly handlers: SymbolStreamHandlers,
    private readonly fetchImpl: StreamFetch = (u, init) => fetch(u, init),
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ctrl?.abort();
    this.ctrl = null;
    this.handlers.onState?.('closed', this.attempt);
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
    void this.run(ctrl, headers);
  }

  private async run(ctrl: AbortController, headers: Record<string, string>): Promise<void> {
    try {
      const res = await this.fetchImpl(this.url, { headers, signal: ctrl.signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      if (ctrl.signal.aborted) return;
      this.attempt = 0;
      this.handlers.onState?.('open', 0);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || ctrl.signal.aborted) break;
        for (const ev of parser.feed(decoder.decode(value, { stream: true }))) {
          if (ev.id !== null) this.lastEventId = ev.id;
          if (ctrl.signal.aborted) break;
          dispatchStreamPayload(ev.event, ev.data, this.handlers);
        }
      }
    } catch {
      /* network error, HTTP error or abort: handled below */
    }
    if (ctrl.signal.aborted || this.stopped || this.ctrl !== ctrl) return;
    this.ctrl = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.handlers.onState?.('reconnecting', this.attempt);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

interface WebSocketLike {
  onopen: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  close(code?: number): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export function wsUrl(path: string, loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`;
}

export class PlanSocket {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly onMessage: (msg: PlanSocketMessage) => void,
    private readonly onState: (state: ConnState, attempt: number) => void = () => {},
    private readonly factory: WebSocketFactory = (u) => new WebSocket(u) as unknown as WebSocketLike,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.onState('closed', this.attempt);
  }

  private connect(): void {
    if (this.stopped) return;
    this.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    let ws: WebSocketLike;
    try {
      ws = this.factory(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onState('open', 0);
    };
    ws.onmessage = (ev) => {
      try {
        const msg = JSON.parse(String(ev.data)) as PlanSocketMessage;
        if (msg && typeof msg === 'object') this.onMessage(msg);
      } catch {
        /* a malformed frame is dropped; the next one may be fine */
      }
    };
    ws.onerror = () => {
      /* onclose follows and owns the reconnect */
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      // 1008: the server rejected the plan id — retrying cannot help.
      if (ev.code === 1008) {
        this.onState('closed', this.attempt);
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.onState('reconnecting', this.attempt);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
