import { change, httpIn, httpResponse, tab, type BenchNode } from './nodes.js';

/** The path the load generator requests (under httpNodeRoot, '/' on both runtimes). */
export const HTTP_BENCH_PATH = '/bench';
/** What the change node sets as the payload; the harness checks the body before and after the load. */
export const HTTP_BENCH_BODY = 'hello from the flow';

/** http in (GET /bench) -> change (set msg.payload) -> http response: the trivial request. */
export function httpBenchFlow(): BenchNode[] {
  const z = 'b0000000000000a0';
  return [
    tab(z, 'http bench'),
    httpIn('b0000000000000a1', z, HTTP_BENCH_PATH, 'get', [['b0000000000000a2']]),
    change('b0000000000000a2', z, [{ t: 'set', p: 'payload', to: HTTP_BENCH_BODY, tot: 'str' }], [['b0000000000000a3']]),
    httpResponse('b0000000000000a3', z),
  ];
}

export function probePath(token: string): string {
  return `/bench-probe/${encodeURIComponent(token)}`;
}

/**
 * The flows with an http in -> http response pair appended to their last tab, answering GET
 * `path`. Node-RED answers `POST /flows` before its flows have started; the probe answering
 * says the deploy is done. It is the last node of the last tab, so both runtimes start it last.
 */
export function withProbe(flows: BenchNode[], path: string): BenchNode[] {
  const tabs = flows.filter((n) => n.type === 'tab');
  const z = tabs[tabs.length - 1]?.id;
  if (!z) throw new Error('withProbe needs flows with at least one tab');
  return [...flows, httpIn('e000000000000001', z, path, 'get', [['e000000000000002']]), httpResponse('e000000000000002', z)];
}
