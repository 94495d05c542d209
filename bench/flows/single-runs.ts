import { chainBench } from './chain.js';
import { fanOutBench } from './fan-out.js';
import { functionChainBench } from './function-chain.js';
import type { MessageBench } from './message-bench.js';
import { switchChainBench } from './switch-chain.js';

/**
 * The message benchmarks by name, at the sizes the single-run tools use (`one-server.ts`,
 * `in-process.ts`), which print every run rather than medians.
 */
export const SINGLE_RUN_BENCHES: Readonly<Record<string, () => MessageBench>> = {
  chain: () => chainBench(50_000),
  'fan-out': () => fanOutBench(25_000),
  switch: () => switchChainBench(50_000),
  function: () => functionChainBench(25_000),
};
