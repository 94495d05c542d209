import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainBench } from './chain.js';
import { fanOutBench } from './fan-out.js';
import { functionChainBench } from './function-chain.js';
import { HTTP_BENCH_PATH, httpBenchFlow, probePath, withProbe } from './http-bench.js';
import { largeFlow, withOneNodeModified } from './large-flow.js';
import type { MessageBench } from './message-bench.js';
import type { BenchNode } from './nodes.js';
import { switchChainBench } from './switch-chain.js';

/** Problems that would make either runtime refuse the flows: duplicate ids, dangling wires or links. */
function problems(flows: BenchNode[]): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  for (const n of flows) {
    if (ids.has(n.id)) out.push(`duplicate id ${n.id}`);
    ids.add(n.id);
  }
  const tabs = new Set(flows.filter((n) => n.type === 'tab').map((n) => n.id));
  for (const n of flows) {
    if (n.type !== 'tab' && !tabs.has(n.z ?? '')) out.push(`${n.id} on missing tab ${n.z}`);
    for (const w of (n.wires ?? []).flat()) if (!ids.has(w)) out.push(`${n.id} wired to missing ${w}`);
    for (const l of (n.links as string[] | undefined) ?? []) if (!ids.has(l)) out.push(`${n.id} linked to missing ${l}`);
  }
  return out;
}

const benches: MessageBench[] = [chainBench(1000), fanOutBench(1000), switchChainBench(1000), functionChainBench(1000)];

describe('benchmark message flows', () => {
  for (const bench of benches) {
    it(`${bench.name} builds a consistent flow with one console debug node`, () => {
      const flows = bench.build('tok-1', true);
      assert.deepEqual(problems(flows), []);
      const consoles = flows.filter((n) => n.type === 'debug' && n.console === true);
      assert.equal(consoles.length, 1);
      const inject = flows.find((n) => n.type === 'inject');
      assert.ok(inject);
      assert.equal(inject.once, true);
      assert.deepEqual((inject.props as Array<{ p: string; v: string }>).find((p) => p.p === 'token')?.v, 'tok-1');
    });

    it(`${bench.name} changes only its inject node between runs`, () => {
      const a = bench.build('run-a', true);
      const b = bench.build('run-b', true);
      const changed = a.filter((n, i) => JSON.stringify(n) !== JSON.stringify(b[i])).map((n) => n.type);
      assert.deepEqual(changed, ['inject']);
    });
  }

  it('the fan-out wires one output to four nodes', () => {
    const flows = fanOutBench(10).build('t', false);
    assert.ok(flows.some((n) => n.wires?.length === 1 && n.wires[0].length === 4));
  });
});

describe('largeFlow', () => {
  it('generates about the requested number of valid nodes over tabs of 100', () => {
    for (const size of [2000, 10000]) {
      const flows = largeFlow(size);
      assert.ok(Math.abs(flows.length - size) <= 10, `${flows.length} for ${size}`);
      assert.deepEqual(problems(flows), []);
      const perTab = new Map<string, number>();
      for (const n of flows) if (n.type !== 'tab') perTab.set(n.z ?? '', (perTab.get(n.z ?? '') ?? 0) + 1);
      assert.equal(perTab.size, flows.filter((n) => n.type === 'tab').length);
      assert.ok([...perTab.values()].every((count) => count <= 100 && count % 10 === 0));
    }
  });

  it('links each group to the next, across tabs', () => {
    const flows = largeFlow(300);
    const byId = new Map(flows.map((n) => [n.id, n]));
    const crossTab = flows.filter((n) => n.type === 'link out' && (n.links as string[]).some((l) => byId.get(l)?.z !== n.z));
    assert.ok(crossTab.length > 0);
  });

  it('withOneNodeModified changes exactly one node, differently per revision', () => {
    const flows = largeFlow(2000);
    const one = withOneNodeModified(flows, 1);
    const two = withOneNodeModified(flows, 2);
    const diff = (x: BenchNode[], y: BenchNode[]): string[] => x.filter((n, i) => JSON.stringify(n) !== JSON.stringify(y[i])).map((n) => n.id);
    assert.equal(diff(flows, one).length, 1);
    assert.deepEqual(diff(flows, one), diff(flows, two));
    assert.equal(diff(one, two).length, 1);
  });
});

describe('http bench flows', () => {
  it('wires http in -> change -> http response on GET /bench', () => {
    const flows = httpBenchFlow();
    assert.deepEqual(problems(flows), []);
    const byId = new Map(flows.map((n) => [n.id, n]));
    const httpIn = flows.find((n) => n.type === 'http in');
    assert.equal(httpIn?.url, HTTP_BENCH_PATH);
    assert.equal(httpIn?.method, 'get');
    const next = byId.get(httpIn?.wires?.[0]?.[0] ?? '');
    assert.equal(next?.type, 'change');
    assert.equal(byId.get(next?.wires?.[0]?.[0] ?? '')?.type, 'http response');
  });

  it('withProbe appends a probe endpoint on the last tab and leaves the rest as it was', () => {
    const flows = largeFlow(300);
    const probed = withProbe(flows, probePath('r1 full'));
    assert.deepEqual(problems(probed), []);
    assert.deepEqual(probed.slice(0, flows.length), flows);
    const added = probed.slice(flows.length);
    assert.deepEqual(added.map((n) => n.type), ['http in', 'http response']);
    assert.equal(added[0].url, '/bench-probe/r1%20full');
    assert.equal(added[0].z, flows.filter((n) => n.type === 'tab').pop()?.id);
    assert.throws(() => withProbe([], '/p'), /at least one tab/);
  });
});
