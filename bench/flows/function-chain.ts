import { debug, functionNode, inject, joinAuto, marker, splitArray, tab, type BenchNode } from './nodes.js';
import { rangeExpression, sumTo, type MessageBench } from './message-bench.js';

const FUNCTIONS = 5;

/** Five function nodes in a row, each adding one to the payload. */
export function functionChainBench(messages: number): MessageBench {
  return {
    name: 'function',
    title: 'split -> 5 function -> join',
    messages,
    hopsPerMessage: FUNCTIONS + 2,
    expected: { count: messages, check: String(sumTo(messages) + FUNCTIONS * messages) },
    build(token: string, once: boolean): BenchNode[] {
      const z = 'e0000000000000a0';
      const ids = Array.from({ length: FUNCTIONS }, (_, i) => `e00000000000010${i}`);
      const nodes: BenchNode[] = [tab(z, 'function')];
      nodes.push(inject('e0000000000000a1', z, { payload: rangeExpression(messages), payloadType: 'jsonata', once, token }, [['e0000000000000a2']]));
      nodes.push(splitArray('e0000000000000a2', z, [[ids[0]]]));
      ids.forEach((id, i) => {
        nodes.push(functionNode(id, z, 'msg.payload += 1;\nreturn msg;', [[ids[i + 1] ?? 'e0000000000000a3']]));
      });
      nodes.push(joinAuto('e0000000000000a3', z, [['e0000000000000a4']]));
      nodes.push(marker('e0000000000000a4', z, '$sum(payload)', [['e0000000000000a5']]));
      nodes.push(debug('e0000000000000a5', z, { active: true, console: true }));
      return nodes;
    },
  };
}
