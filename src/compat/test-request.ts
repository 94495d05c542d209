/**
 * The part of supertest that node specs use with `helper.request()`: a method, a path, headers,
 * a body, and `.expect(status)`; awaited or with `.end(cb)`. Built on fetch to the helper's server.
 */
export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: unknown;
}

export interface TestRequestChain extends PromiseLike<TestResponse> {
  set(name: string, value: string): TestRequestChain;
  send(body: unknown): TestRequestChain;
  expect(status: number): TestRequestChain;
  end(cb: (err: Error | null, res?: TestResponse) => void): void;
}

export interface TestRequest {
  get(path: string): TestRequestChain;
  post(path: string): TestRequestChain;
  put(path: string): TestRequestChain;
  delete(path: string): TestRequestChain;
  patch(path: string): TestRequestChain;
}

/** `base` is the server's URL, or a function giving it once a server is up (started on first use). */
export function createTestRequest(base: string | (() => Promise<string>)): TestRequest {
  const baseUrl = typeof base === 'string' ? () => Promise.resolve(base) : base;
  const chain = (method: string, path: string): TestRequestChain => {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    let expected: number | undefined;
    const run = async (): Promise<TestResponse> => {
      const res = await fetch((await baseUrl()) + path, { method, headers, body, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text; // a body that claims JSON but is not stays as text for the spec to inspect
        }
      }
      const out = { status: res.status, headers: Object.fromEntries(res.headers), text, body: parsed };
      if (expected !== undefined && res.status !== expected) throw new Error(`expected ${expected}, got ${res.status} ${text.slice(0, 200)}`);
      return out;
    };
    const self: TestRequestChain = {
      set(name, value) {
        headers[name.toLowerCase()] = value;
        return self;
      },
      send(data) {
        if (typeof data === 'string' || Buffer.isBuffer(data)) body = data.toString();
        else {
          body = JSON.stringify(data);
          headers['content-type'] ??= 'application/json';
        }
        return self;
      },
      expect(status) {
        expected = status;
        return self;
      },
      end(cb) {
        run().then((res) => cb(null, res), (err: Error) => cb(err));
      },
      then(onFulfilled, onRejected) {
        return run().then(onFulfilled, onRejected);
      },
    };
    return self;
  };
  return {
    get: (p) => chain('GET', p),
    post: (p) => chain('POST', p),
    put: (p) => chain('PUT', p),
    delete: (p) => chain('DELETE', p),
    patch: (p) => chain('PATCH', p),
  };
}
