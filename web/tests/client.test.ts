import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, buildQuery, describeApiError, errorFromResponse, viewTokenQuery, type FetchLike } from '../src/api/client';

function fakeFetch(status: number, body: string, statusText = ''): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (url) => {
      calls.push(url);
      return new Response(body, { status, statusText });
    },
  };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected the request to fail');
}

describe('ApiClient', () => {
  it('parses JSON on success and builds the URL with the query', async () => {
    const f = fakeFetch(200, '{"ok":1}');
    const c = new ApiClient('http://x/', f.fetch);
    await expect(c.get('/tv-api/bars', { symbol: 'NSE_INDEX:NIFTY', from: 1, to: undefined })).resolves.toEqual({ ok: 1 });
    expect(f.calls).toEqual(['http://x/tv-api/bars?symbol=NSE_INDEX%3ANIFTY&from=1']);
  });

  it('turns the error body into a typed ApiError', async () => {
    const c = new ApiClient('', fakeFetch(422, '{"error":{"code":"unprocessable","message":"stop above entry","field":"stop"}}').fetch);
    const err = await failure(c.get('/x'));
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message, err.field]).toEqual([422, 'unprocessable', 'stop above entry', 'stop']);
  });

  it('handles non-JSON error bodies', async () => {
    const err = await failure(new ApiClient('', fakeFetch(404, '<html>nope</html>', 'Not Found').fetch).get('/x'));
    expect(err.isNotFound).toBe(true);
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('HTTP 404 Not Found');
    expect(errorFromResponse(502, '', '').code).toBe('server_error');
    expect(errorFromResponse(400, '', '{"error":{"code":"bad"}}').code).toBe('http_error');
  });

  it('reports an unreachable server with status 0', async () => {
    const c = new ApiClient('', async () => {
      throw new TypeError('fetch failed');
    });
    const err = await failure(c.get('/x'));
    expect(err.isUnreachable).toBe(true);
    expect(err.code).toBe('unreachable');
    expect(describeApiError('Bars', err)).toContain('unreachable');
  });

  it('rejects invalid JSON from a 200', async () => {
    const err = await failure(new ApiClient('', fakeFetch(200, 'not json').fetch).get('/x'));
    expect(err.code).toBe('bad_json');
  });

  it('describes errors for the page', () => {
    expect(describeApiError('Plan p', new ApiError(404, 'not_found', 'Plan not found'))).toBe('Plan p: not available on this server (404 Plan not found).');
    expect(describeApiError('Bars', new ApiError(422, 'invalid_argument', 'bad', 'from'))).toBe('Bars: invalid_argument [from] — bad (HTTP 422).');
  });

  it('builds query strings', () => {
    expect(buildQuery({})).toBe('');
    expect(buildQuery({ a: 'x y', b: null, c: true })).toBe('?a=x%20y&c=true');
  });

  it('explains 401 and 403 for a chart link and forwards the view token', () => {
    const e401 = errorFromResponse(401, 'Unauthorized', '');
    expect(e401.code).toBe('unauthorized');
    expect(e401.isUnauthorized).toBe(true);
    expect(describeApiError('Plan p', new ApiError(401, 'unauthorized', 'view token expired'))).toContain('view token (vt)');
    expect(describeApiError('Plan p', new ApiError(403, 'forbidden', 'not yours'))).toContain('access denied (403 not yours)');
    expect(viewTokenQuery('a.b')).toEqual({ vt: 'a.b' });
    expect(viewTokenQuery(null)).toEqual({});
    expect(buildQuery({ plan_id: 'p', ...viewTokenQuery('a-b.c_d') })).toBe('?plan_id=p&vt=a-b.c_d');
  });

  it('posts JSON bodies', async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    const fetchImpl: FetchLike = async (url, init) => {
      seen.push({ url, init });
      return new Response('{"plan_id":"x","entry":1,"stop":0.5}', { status: 200 });
    };
    const c = new ApiClient('http://h', fetchImpl);
    const out = await c.post<{ plan_id: string }>('/gpt/plan', { symbol: 'SPY', style: 'swing' }, { vt: 'a.b' });
    expect(out.plan_id).toBe('x');
    expect(seen[0].url).toBe('http://h/gpt/plan?vt=a.b');
    expect(seen[0].init?.method).toBe('POST');
    expect(seen[0].init?.body).toBe('{"symbol":"SPY","style":"swing"}');
  });
});
