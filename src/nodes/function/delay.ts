/**
 * The delay node: delays each message (fixed, random, or from `msg.delay`), or limits the rate
 * of all messages (queueing, dropping, or sending the excess to a second output; or in bursts),
 * or per topic (newest message of each topic, sent in turn or all together). Node-RED 4's
 * properties and behaviour; each mode lives in `delay/`.
 */
import { boolean, defineNode, number, select, string } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { createPerMessageDelay } from './delay/per-message-delay.js';
import { createBurst, createRateLimit } from './delay/rate-limit.js';
import { hasOwn } from './delay/shared.js';
import { createTopicQueue } from './delay/topic-queue.js';

const PAUSE_TYPES = ['delay', 'delayv', 'random', 'rate', 'queue', 'timed', 'burst'] as const;
const DURATION_UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'] as const;
const RATE_UNITS = ['second', 'minute', 'hour', 'day'] as const;

/** Modes that delay each message; `undefined` because a node saved without pauseType runs as `delay`. */
const DELAYING = ['delay', 'delayv', undefined];
const LIMITING = ['rate', 'queue', 'timed', 'burst'];

const DURATION_MS: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};
const RATE_UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds for an amount in a duration unit; Node-RED reads an unknown unit as seconds. */
export function durationMs(amount: number, unit: string): number {
  return amount * (DURATION_MS[unit] ?? 1000);
}

/** The interval between messages for `rate` messages per `per` units, and the length of that period. */
export function rateTiming(rate: number, per: number, unit: string): { intervalMs: number; periodMs: number } {
  const unitMs = RATE_UNIT_MS[unit] ?? 1000;
  return { intervalMs: (unitMs / rate) * (per > 0 ? per : 1), periodMs: per * unitMs };
}

/** `msg.delay` (milliseconds) when it reads as a number, else the configured delay; never negative. */
export function variableDelayMs(msg: Msg, configuredMs: number): number {
  let delay = configuredMs;
  if (hasOwn(msg, 'delay')) {
    const value = parseFloat(String(msg.delay));
    if (!Number.isNaN(value)) delay = value;
  }
  return delay < 0 ? 0 : delay;
}

export const delay = defineNode({
  type: 'delay',
  category: 'function',
  inputs: 1,
  outputs: (config) => (Number(config.outputs) === 2 ? 2 : 1),
  properties: {
    name: string({ default: '' }),
    pauseType: select(PAUSE_TYPES, { default: 'delay', label: 'Action' }),
    timeout: number({ default: 5, min: 0, label: 'For', showWhen: { pauseType: DELAYING } }),
    timeoutUnits: select(DURATION_UNITS, { default: 'seconds', lenient: true, showWhen: { pauseType: DELAYING } }),
    rate: number({ default: 1, min: 0, label: 'Rate', showWhen: { pauseType: LIMITING } }),
    nbRateUnits: number({ default: 1, min: 0, showWhen: { pauseType: LIMITING } }),
    rateUnits: select(RATE_UNITS, { default: 'second', lenient: true, showWhen: { pauseType: LIMITING } }),
    randomFirst: number({ default: 1, min: 0, showWhen: { pauseType: ['random'] } }),
    randomLast: number({ default: 5, min: 0, showWhen: { pauseType: ['random'] } }),
    randomUnits: select(DURATION_UNITS, { default: 'seconds', lenient: true, showWhen: { pauseType: ['random'] } }),
    drop: boolean({ default: false }),
    allowrate: boolean({ default: false, label: 'allow msg.rate (in ms) to override rate' }),
    outputs: number({ default: 1, min: 1, max: 2, integer: true }),
  },
  create(config, node) {
    const timeoutMs = durationMs(Number(config.timeout), config.timeoutUnits);
    const secondOutput = Number(config.outputs) === 2;
    const { intervalMs, periodMs } = rateTiming(Number(config.rate), Number(config.nbRateUnits), config.rateUnits);
    switch (config.pauseType) {
      case 'delayv':
        return createPerMessageDelay({ delayFor: (msg) => variableDelayMs(msg, timeoutMs), showsCount: () => true }, node);
      case 'random': {
        const first = durationMs(Number(config.randomFirst), config.randomUnits);
        const spread = durationMs(Number(config.randomLast), config.randomUnits) - first;
        return createPerMessageDelay(
          {
            delayFor: () => first + spread * Math.random(),
            // Node-RED decides this from the fixed-delay field even in random mode; kept so the
            // status matches what users of the same flow see there.
            showsCount: () => timeoutMs >= 1000,
          },
          node,
        );
      }
      case 'rate':
        return createRateLimit(
          {
            intervalMs,
            drop: config.drop,
            secondOutput,
            allowRate: config.allowrate,
            maxQueue: Number(node.runtime.settings.nodeMessageBufferMaxLength ?? 0) || 0,
          },
          node,
        );
      case 'burst':
        return createBurst({ burst: Number(config.rate), periodMs, secondOutput }, node);
      case 'queue':
      case 'timed':
        return createTopicQueue({ mode: config.pauseType, intervalMs, allowRate: config.allowrate, secondOutput }, node);
      default:
        return createPerMessageDelay({ delayFor: () => timeoutMs, showsCount: () => timeoutMs > 1000 }, node);
    }
  },
  editor: { color: '#E6E0F8', icon: 'timer.svg' },
});
