import { change, debug, inject, joinAuto, marker, splitArray, tab, type BenchNode, type ChangeRule } from './nodes.js';
import { rangeExpression, sumTo, type MessageBench } from './message-bench.js';

/** Ten change nodes between split and join, each a different kind of edit on msg properties. */
const CHAIN_RULES: ChangeRule[][] = [
  [{ t: 'set', p: 'topic', to: 'bench', tot: 'str' }],
  [{ t: 'set', p: 'count', to: '1', tot: 'num' }],
  [{ t: 'set', p: 'meta.source', to: 'sensor-1', tot: 'str' }],
  [{ t: 'change', p: 'topic', from: 'bench', fromt: 'str', to: 'bench2', tot: 'str' }],
  [{ t: 'move', p: 'count', to: 'n', tot: 'msg' }],
  [{ t: 'set', p: 'copy', to: 'topic', tot: 'msg' }],
  [{ t: 'change', p: 'topic', from: '^b', fromt: 're', to: 'B', tot: 'str' }],
  [{ t: 'delete', p: 'copy' }],
  [{ t: 'set', p: 'flag', to: 'true', tot: 'bool' }],
  [{ t: 'move', p: 'meta.source', to: 'src', tot: 'msg' }],
];

export function chainBench(messages: number): MessageBench {
  return {
    name: 'chain',
    title: 'split -> 10 change -> join',
    messages,
    hopsPerMessage: 12,
    expected: { count: messages, check: `Bench2,sensor-1,1,true,${sumTo(messages)}` },
    build(token: string, once: boolean): BenchNode[] {
      const z = 'c0000000000000a0';
      const ids = CHAIN_RULES.map((_, i) => `c00000000000010${i}`);
      const nodes: BenchNode[] = [tab(z, 'chain')];
      nodes.push(inject('c0000000000000a1', z, { payload: rangeExpression(messages), payloadType: 'jsonata', once, token }, [['c0000000000000a2']]));
      nodes.push(splitArray('c0000000000000a2', z, [[ids[0]]]));
      CHAIN_RULES.forEach((rules, i) => {
        nodes.push(change(ids[i], z, rules, [[ids[i + 1] ?? 'c0000000000000a3']]));
      });
      nodes.push(joinAuto('c0000000000000a3', z, [['c0000000000000a4']]));
      nodes.push(marker('c0000000000000a4', z, 'topic & "," & src & "," & $string(n) & "," & $string(flag) & "," & $string($sum(payload))', [['c0000000000000a5']]));
      nodes.push(debug('c0000000000000a5', z, { active: true, console: true }));
      return nodes;
    },
  };
}
