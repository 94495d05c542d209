/**
 * V8 settings for the `redoubt start` process, and only for it: a library user's process keeps
 * V8's defaults.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring.
 *
 * A split of a large array queues every piece at once, so for a moment nearly every message
 * survives the young-generation collections. Whether V8 then decides to allocate such messages
 * straight in the old generation depends on when one early scavenge happens to fall, and a
 * process keeps that decision: in measurements of the split → 8 switch → join benchmark, servers
 * ran either at about 210 ms or at about 400 ms per 50,000 messages, the slow ones with eight
 * major collections where the fast had three. Without pretenuring every server ran fast, deploys
 * of 10,000 nodes were no slower, and the fan-out benchmark stayed within its noise (numbers in
 * docs/PERFORMANCE.md).
 *
 * Set at start, before any flow runs; V8 reads this flag when it collects and when it compiles,
 * so it acts as the command-line flag would. A command line is not used because `redoubt` is
 * started in many ways (npm start, the bin's shebang, systemd units), and NODE_OPTIONS does not
 * accept V8 flags of this kind.
 */
export function applyV8Tuning(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
