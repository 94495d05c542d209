import { change, debug, inject, joinCount, marker, splitArray, tab, type BenchNode } from './nodes.js';
import { rangeExpression, sumTo, type MessageBench } from './message-bench.js';

const BRANCHES = 4;

/**
 * One change node wired to four others: the first wire gets the message, the other three a
 * clone each, so every message is cloned three times. The message carries a small object so a
 * clone is not trivially cheap.
 */
export function fanOutBench(messages: number): MessageBench {
  const total = messages * BRANCHES;
  return {
    name: 'fan-out',
    title: 'fan-out to 4 (3 clones per msg)',
    messages,
    hopsPerMessage: 3 + BRANCHES + 2,
    expected: { count: total, check: String(BRANCHES * sumTo(messages)) },
    build(token: string, once: boolean): BenchNode[] {
      const z = 'f0000000000000a0';
      const branchIds = Array.from({ length: BRANCHES }, (_, i) => `f00000000000010${i}`);
      const nodes: BenchNode[] = [tab(z, 'fan-out')];
      nodes.push(inject('f0000000000000a1', z, { payload: rangeExpression(messages), payloadType: 'jsonata', once, token }, [['f0000000000000a2']]));
      nodes.push(splitArray('f0000000000000a2', z, [['f0000000000000a3']]));
      nodes.push(
        change(
          'f0000000000000a3',
          z,
          [
            // The join below counts messages itself; parts from the split would make it wait for sequences.
            { t: 'delete', p: 'parts' },
            { t: 'set', p: 'data', to: '{"unit":"C","tags":["a","b","c"],"site":{"id":7,"name":"plant"}}', tot: 'json' },
          ],
          [branchIds],
        ),
      );
      branchIds.forEach((id, i) => {
        nodes.push(change(id, z, [{ t: 'set', p: `branch`, to: String(i), tot: 'num' }], [['f0000000000000a4']]));
      });
      nodes.push(joinCount('f0000000000000a4', z, total, [['f0000000000000a5']]));
      nodes.push(marker('f0000000000000a5', z, '$sum(payload)', [['f0000000000000a6']]));
      nodes.push(debug('f0000000000000a6', z, { active: true, console: true }));
      return nodes;
    },
  };
}
