import type { BenchNode } from './nodes.js';

/**
 * A throughput benchmark: a flow whose inject node emits one array of `messages` numbers, which a
 * split turns into that many messages; the flow ends in a marker debug node printing
 * `done|token|count|check|t0`. Each run redeploys only the inject node with a new token.
 */
export interface MessageBench {
  name: string;
  title: string;
  /** Messages entering the measured chain per run. */
  messages: number;
  /** Node visits per message (for the docs: how much work one message stands for). */
  hopsPerMessage: number;
  build(token: string, once: boolean): BenchNode[];
  expected: { count: number; check: string };
}

/** JSONata for the inject payload: the numbers 1..n, so no function node is needed to make them. */
export function rangeExpression(n: number): string {
  return `[1..${n}]`;
}

/** Sum of 1..n, as the string JSONata's $string prints for it. */
export function sumTo(n: number): number {
  return (n * (n + 1)) / 2;
}
