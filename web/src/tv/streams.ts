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

interface EventSourceLike {
  readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const NAMED_EVENTS = ['bar', 'tick', 'heartbeat', 'market_status', 'plan_delta', 'plan_full', 'plan_state'] as const;

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
    case 'plan_delta':
    case 'plan_full':
      h.onPlanEvent?.({ plan_id: obj.plan_id as string | undefined, event: { ...(obj as object), t: kind } as PlanSocketMessage['event'] });
      return true;
    default:
      return false;
  }
}

export class SymbolStream {
  private source: EventSourceLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: SymbolStreamHandlers,
    private readonly factory: EventSourceFactory = (u) => new EventSource(u) as unknown as EventSourceLike,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    this.handlers.onState?.('closed', this.attempt);
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    const es = this.factory(this.url);
    this.source = es;
    es.onopen = () => {
      this.attempt = 0;
      this.handlers.onState?.('open', 0);
    };
    es.onerror = () => {
      // The browser's own retry does not back off and gives up on HTTP errors; we own reconnects.
      es.close();
      if (this.source !== es || this.stopped) return;
      this.source = null;
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.handlers.onState?.('reconnecting', this.attempt);
      this.timer = setTimeout(() => this.connect(), delay);
    };
    es.onmessage = (ev) => dispatchStreamPayload('message', String(ev.data), this.handlers);
    for (const name of NAMED_EVENTS) {
      es.addEventListener(name, (ev) => dispatchStreamPayload(name === 'plan_state' ? 'message' : name, String(ev.data), this.handlers));
    }
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
