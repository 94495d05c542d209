/** Shared by the http request specs: load the node with a helper and a catch, send one message. */
import { helper } from '../../compat/test-helper.js';
import type { Msg } from '../../runtime/types.js';

export const tab = { id: 'f', type: 'tab' };

/** Loads `http request` (with `props`) wired to a helper and a catch, sends `msg`, returns the first message out. */
export async function request(props: Record<string, unknown>, msg: Msg = {}, options: { credentials?: Record<string, unknown>; extra?: unknown[] } = {}) {
  await helper.load(
    [],
    [
      tab,
      { id: 'req', type: 'http request', z: 'f', ...props, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
      { id: 'c', type: 'catch', z: 'f', scope: ['req'], wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f', wires: [] },
      ...(options.extra ?? []),
    ],
    options.credentials ? { req: options.credentials } : undefined,
  );
  const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
  const caught = new Promise<any>((resolve) => helper.getNode('caught')!.once('input', resolve));
  helper.getNode('req')!.receive(msg);
  return { out, caught };
}
