import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, buildQuery, describeApiError, errorFromResponse, type FetchLike } from '../src/api/client';

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
});
