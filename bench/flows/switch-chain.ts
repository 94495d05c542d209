import { debug, inject, joinAuto, marker, splitArray, switchNode, tab, type BenchNode, type SwitchRule } from './nodes.js';
import { rangeExpression, sumTo, type MessageBench } from './message-bench.js';

interface Stage {
  property: string;
  rules: SwitchRule[];
  /** The output that every message of the benchmark matches and that leads on. */
  pass: number;
}

/** Eight switch nodes, each testing a different kind of rule; only the matching output is wired on. */
const STAGES: Stage[] = [
  { property: 'payload', rules: [{ t: 'lt', v: '0', vt: 'num' }, { t: 'gte', v: '0', vt: 'num' }], pass: 1 },
  { property: 'payload', rules: [{ t: 'istype', v: 'string', vt: 'string' }, { t: 'istype', v: 'number', vt: 'number' }], pass: 1 },
  { property: 'topic', rules: [{ t: 'eq', v: 'other', vt: 'str' }, { t: 'cont', v: 'enc', vt: 'str' }, { t: 'else' }], pass: 1 },
  { property: 'payload', rules: [{ t: 'btwn', v: '0', vt: 'num', v2: '1000000000', v2t: 'num' }, { t: 'else' }], pass: 0 },
  { property: 'topic', rules: [{ t: 'regex', v: '^B.N', vt: 'str', case: true }, { t: 'else' }], pass: 0 },
  { property: 'payload', rules: [{ t: 'null' }, { t: 'nnull' }], pass: 1 },
  { property: 'parts', rules: [{ t: 'hask', v: 'index', vt: 'str' }, { t: 'else' }], pass: 0 },
  { property: 'payload', rules: [{ t: 'neq', v: '-1', vt: 'num' }, { t: 'else' }], pass: 0 },
];

export function switchChainBench(messages: number): MessageBench {
  return {
    name: 'switch',
    title: 'split -> 8 switch -> join',
    messages,
    hopsPerMessage: 10,
    expected: { count: messages, check: String(sumTo(messages)) },
    build(token: string, once: boolean): BenchNode[] {
      const z = 's0000000000000a0';
      const ids = STAGES.map((_, i) => `s00000000000010${i}`);
      const nodes: BenchNode[] = [tab(z, 'switch')];
      nodes.push(inject('s0000000000000a1', z, { payload: rangeExpression(messages), payloadType: 'jsonata', once, token }, [['s0000000000000a2']]));
      nodes.push(splitArray('s0000000000000a2', z, [[ids[0]]]));
      STAGES.forEach((stage, i) => {
        const wires = stage.rules.map((_, out) => (out === stage.pass ? [ids[i + 1] ?? 's0000000000000a3'] : []));
        nodes.push(switchNode(ids[i], z, stage.property, stage.rules, wires));
      });
      nodes.push(joinAuto('s0000000000000a3', z, [['s0000000000000a4']]));
      nodes.push(marker('s0000000000000a4', z, '$sum(payload)', [['s0000000000000a5']]));
      nodes.push(debug('s0000000000000a5', z, { active: true, console: true }));
      return nodes;
    },
  };
}
