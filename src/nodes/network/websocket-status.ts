/**
 * The status `websocket in` and `websocket out` show for their config node's connections:
 * green "connected N" while any is open, red "disconnected" when none, red "error" on an error.
 */
import type { NodeApi } from '../../runtime/definition/index.js';

interface ConnectionEvent {
  count: number | string;
  id: string;
}

/** Follows the config node's events; returns the function that stops following. */
export function followConnectionStatus(node: NodeApi, configNode: NodeApi): () => void {
  const session = (id: string) => ({ type: 'websocket', id });
  const opened = (e: ConnectionEvent) =>
    node.status({ fill: 'green', shape: 'dot', text: `connected ${e.count}`, event: 'connect', _session: session(e.id) } as never);
  const failed = (e: ConnectionEvent) => node.status({ fill: 'red', shape: 'ring', text: 'error', event: 'error', _session: session(e.id) } as never);
  const closed = (e: ConnectionEvent) => {
    const connected = typeof e.count === 'number' && e.count > 0;
    node.status({
      fill: connected ? 'green' : 'red',
      shape: connected ? 'dot' : 'ring',
      text: connected ? `connected ${e.count}` : 'disconnected',
      event: 'disconnect',
      _session: session(e.id),
    } as never);
  };
  configNode.on('opened', opened);
  configNode.on('erro', failed);
  configNode.on('closed', closed);
  const emitter = configNode as unknown as { removeListener(e: string, h: (...a: any[]) => unknown): unknown };
  return () => {
    emitter.removeListener('opened', opened);
    emitter.removeListener('erro', failed);
    emitter.removeListener('closed', closed);
  };
}
