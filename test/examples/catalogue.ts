/**
 * The example flows shipped in @node-red/nodes/examples, and how each is played: which are out
 * of scope, how long to collect output, which are compared on shape only and why.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Example {
  /** Path under examples/ without the .json extension, e.g. `common/inject/01 - Trigger a flow at startup`. */
  name: string;
  file: string;
  /** First folder: common, function, network, parser, sequence, storage. */
  group: string;
  /** Set when the example is not played; the reason is shown with the skipped test. */
  skip?: string;
  /** Milliseconds to keep collecting after the last inject. */
  waitMs: number;
  /** Set when the output cannot be the same twice; only its shape is compared. */
  shapeOnly?: string;
  /** Set when only which outputs appear counts, not how many times (file-system events). */
  distinctOnly?: string;
  /** Inject node ids to trigger, in order, where reading order would not exercise the flow. */
  injectOrder?: string[];
}

export const DEFAULT_WAIT_MS = 600;
export const PAUSE_MS = 150;
export const SETTLE_MS = 300;

const OUT_OF_SCOPE: Record<string, string> = {
  network: 'network group (http, websocket, tcp, udp, mqtt) is out of scope of issue 2',
};

/**
 * Examples whose output arrives later than the default wait: delays, triggers, batch intervals,
 * join timeouts. The values are the time the last debug message arrives in Node-RED 4.1 after
 * the last inject, plus a margin.
 */
const WAIT_MS: Record<string, number> = {
  'common/inject/01 - Trigger a flow at startup': 800,
  'function/function/03 - Send messages asynchronously': 2600,
  'function/delay/01 - Delay message': 4000,
  'function/delay/02 - Delay message by message property': 11000,
  'function/delay/04 - Limit message rate': 10000,
  'function/delay/05 - Limit message rate for each topic': 3000,
  // A function node passes the message on 3 to 6 s later (Math.random): only the time varies.
  'function/delay/06 - Simple Queue with release': 7000,
  'function/exec/01 - Get standard output from external command': 1200,
  'function/exec/02 - Get error output from external command': 1200,
  'function/exec/03 - Run external command in spawn mode': 1200,
  'function/function/10 - Asynchronous setup': 2000,
  'function/trigger/01 - Outputs two value with interval': 3000,
  'function/trigger/02 - Trigger a flow if message is not received after defined time': 6000,
  // Repeats every 2 s for ever: 5 s catches the outputs at 0, 2 and 4 s, a second away from the next.
  'function/trigger/03 - Send placeholder message when a stream stops sending': 5000,
  'function/trigger/04 - Timeout processing using trigger node': 2500,
  'sequence/batch/02 - Time-based group mode': 6000,
  'sequence/join/02 - Manual join mode': 4500,
  'storage/watch/01 - Watch change of a file': 1500,
  'storage/watch/02 - Watch change in a directory': 1500,
};

/**
 * Examples that depend on what Redoubt refuses by design, with the reason shown on the skipped test.
 * "Using external modules" hands the host's `os` module to function code through
 * functionGlobalContext; function code runs in a separate isolate that no host object can enter,
 * so modules reach it only through the node's `libs` when functionExternalModules allows them.
 */
const DIFFERS_BY_DESIGN: Record<string, string> = {
  'function/function/08 - Using external modules':
    'by design: a host module in functionGlobalContext cannot enter the function sandbox (use libs with functionExternalModules)',
};

/**
 * How many change events the operating system reports for one write depends on timing, on both
 * sides (Node-RED's watcher and Redoubt's): these compare which outputs appear, not how often.
 */
const DISTINCT_ONLY: Record<string, string> = {
  'storage/watch/01 - Watch change of a file': 'the number of events per write depends on timing',
  'storage/watch/02 - Watch change in a directory': 'the number of events per write depends on timing',
};

/** Examples whose output differs from run to run in Node-RED itself. */
const SHAPE_ONLY: Record<string, string> = {
  // Messages are grouped by a timeout: under load which ones share a group moves, on both sides.
  'sequence/join/02 - Manual join mode': 'groups by a timeout, so group contents depend on timing',
  'sequence/batch/02 - Time-based group mode': 'groups by an interval, so group contents depend on timing',
  'function/function/08 - Using external modules': 'reports host name, OS release and free memory',
};

/**
 * Examples meant to be clicked in a certain order. "Route message based on context value" sets
 * flow.state with four injects below the one that sends the message: set a state, then send.
 */
const INJECT_ORDER: Record<string, string[]> = {
  'function/switch/09 - Route message based on context value': [
    '22bf9e89.7f55f2', 'fd7378.4448ec88', // state 1, send
    'c2e46f80.42ee5', 'fd7378.4448ec88', // state 2, send
    'ff766a3e.5c5fe8', 'fd7378.4448ec88', // state 3, send
    '20591916.597ac6', 'fd7378.4448ec88', // state 0, send: no output
  ],
};

/** The folder of examples of an installed node-red package. */
export function examplesDirOf(nodeRedPackageDir: string): string {
  return join(nodeRedPackageDir, '..', '@node-red', 'nodes', 'examples');
}

/**
 * Every example file. Node-RED's editor lists only `*.json` files; the package also ships one
 * file without the extension (`function/delay/06 - Simple Queue with release`), which is played
 * too since it is a flow of the same kind.
 */
export function listExamples(examplesDir: string): Example[] {
  const out: Example[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      const relPath = rel ? `${rel}/${entry}` : entry;
      if (statSync(full).isDirectory()) {
        walk(full, relPath);
        continue;
      }
      const name = relPath.replace(/\.json$/, '');
      const group = name.split('/')[0] ?? '';
      out.push({
        name,
        file: full,
        group,
        skip: OUT_OF_SCOPE[group] ?? DIFFERS_BY_DESIGN[name],
        waitMs: WAIT_MS[name] ?? DEFAULT_WAIT_MS,
        shapeOnly: SHAPE_ONLY[name],
        distinctOnly: DISTINCT_ONLY[name],
        injectOrder: INJECT_ORDER[name],
      });
    }
  };
  walk(examplesDir, '');
  return out;
}
