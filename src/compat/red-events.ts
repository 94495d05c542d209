/**
 * `RED.events`: the one runtime event emitter every contrib module of an engine shares, as in
 * Node-RED, where nodes listen for `flows:started` to begin work once all nodes exist.
 *
 * It is not the engine's own emitter: that one also carries log entries and comms messages,
 * which a contrib node could otherwise forge by emitting them. Only the lifecycle events are
 * forwarded, in Node-RED's names and shapes.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../runtime/engine/engine.js';

const byEngine = new WeakMap<Engine, EventEmitter>();

interface StartedEvent {
  rev?: string;
  type?: string;
  diff?: unknown;
}

/**
 * The shared `RED.events` of `engine`, made at the first call.
 *
 * @example redEventsFor(engine).on('flows:started', ({ config }) => console.log(config.rev));
 */
export function redEventsFor(engine: Engine): EventEmitter {
  const known = byEngine.get(engine);
  if (known) return known;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  // Listeners are contrib code and run inside the engine's deploy: one that throws is logged
  // and must not fail a deploy whose flows are already running.
  const forward = (name: string, payload?: unknown) => {
    try {
      events.emit(name, payload);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      engine.log({ level: 'error', msg: `A RED.events listener for '${name}' failed: ${text}` });
    }
  };
  engine.events.on('flows:started', (e: StartedEvent = {}) => {
    // The saved flows are copied only when someone listens: a deploy of 10,000 nodes emits this too.
    if (events.listenerCount('flows:started') > 0) {
      const { flows, rev } = engine.getFlows();
      forward('flows:started', { config: { flows, rev: e.rev ?? rev }, type: e.type ?? 'full', diff: e.diff });
    }
    forward('nodes-started');
  });
  engine.events.on('flows:stopped', () => {
    if (events.listenerCount('flows:stopped') > 0) forward('flows:stopped', { config: engine.getFlows() });
    forward('nodes-stopped');
  });
  byEngine.set(engine, events);
  return events;
}
