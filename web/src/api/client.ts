// A small typed fetch wrapper shared by every page. It turns the server's error body
// {"error":{"code","message","field"}} into an ApiError, and network failures into an ApiError
// with code "unreachable", so callers handle one error type.

import type { ApiErrorBody } from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The endpoint does not exist (yet) or the resource is unknown. */
  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** The server wants a key or a valid view token (401), or refuses this caller (403). */
  get isUnauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** The server could not be reached at all (network error, refused, aborted by timeout). */
  get isUnreachable(): boolean {
    return this.status === 0;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const err = (value as { error?: unknown }).error;
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { message?: unknown }).message === 'string'
  );
}

/** Builds an ApiError from a non-2xx status and its (possibly non-JSON) body text. */
export function errorFromResponse(status: number, statusText: string, bodyText: string): ApiError {
  let parsed: unknown = undefined;
  try {
    parsed = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    const field = parsed.error.field;
    return new ApiError(status, parsed.error.code, parsed.error.message, typeof field === 'string' ? field : null);
  }
  const code = status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status >= 500 ? 'server_error' : 'http_error';
  const message = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return new ApiError(status, code, message);
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Milliseconds before the request is aborted; default 15 s. */
  timeoutMs?: number;
  method?: 'GET' | 'POST';
  body?: unknown;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Query string from a record, skipping undefined values; keys keep insertion order. */
export function buildQuery(params: Record<string, string | number | boolean | undefined | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export class ApiClient {
  private readonly base: string;
  private readonly fetchImpl: FetchLike;

  constructor(base = '', fetchImpl?: FetchLike) {
    this.base = base.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl ?? ((input, init) => fetch(input, init));
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), options.timeoutMs ?? 15000);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    let response: Response;
    try {
      const init: RequestInit = {
        method: options.method ?? 'GET',
        headers: { Accept: 'application/json' },
        signal: controller.signal,
      };
      if (options.body !== undefined) {
        init.body = JSON.stringify(options.body);
        init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      }
      response = await this.fetchImpl(this.url(path), init);
    } catch (cause) {
      if (options.signal?.aborted) throw new ApiError(0, 'aborted', 'request aborted');
      const reason = controller.signal.aborted ? 'timed out' : cause instanceof Error ? cause.message : String(cause);
      throw new ApiError(0, 'unreachable', `server unreachable (${reason})`);
    } finally {
      clearTimeout(timeout);
      options.signal?.removeEventListener('abort', onAbort);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, response.statusText, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, 'bad_json', `invalid JSON from ${path}`);
    }
  }

  get<T>(path: string, query: Record<string, string | number | boolean | undefined | null> = {}, options: RequestOptions = {}): Promise<T> {
    return this.request<T>(`${path}${buildQuery(query)}`, options);
  }

  post<T>(path: string, body: unknown, query: Record<string, string | number | boolean | undefined | null> = {}, options: RequestOptions = {}): Promise<T> {
    return this.request<T>(`${path}${buildQuery(query)}`, { ...options, method: 'POST', body });
  }
}

/**
 * The query that authorises a plan-bound request from a shared chart link: `{vt}` when the page
 * link carries a view token, else nothing (the server then needs a key, e.g. on a trusted desk).
 */
export function viewTokenQuery(viewToken: string | undefined | null): { vt?: string } {
  return viewToken ? { vt: viewToken } : {};
}

/** Human-readable description for a failed call, used in on-page messages. */
export function describeApiError(what: string, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isUnreachable) return `${what}: the server is unreachable (${err.message}).`;
    if (err.isNotFound) return `${what}: not available on this server (404 ${err.message}).`;
    if (err.status === 401) return `${what}: not authorised (401 ${err.message}). This link needs a valid view token (vt) or an API key — the token may be missing, expired or for another plan; ask for a fresh chart link.`;
    if (err.status === 403) return `${what}: access denied (403 ${err.message}). The plan belongs to another user or the key lacks the right.`;
    const field = err.field ? ` [${err.field}]` : '';
    return `${what}: ${err.code}${field} — ${err.message} (HTTP ${err.status}).`;
  }
  return `${what}: ${err instanceof Error ? err.message : String(err)}`;
}

export const api = new ApiClient('');
