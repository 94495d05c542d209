/**
 * `debug`: shows a message property (`complete` is its path, or "true" for the whole message, or
 * a JSONata expression when `targetType` is 'jsonata') in the editor's debug sidebar (published
 * on topic `debug`, encoded as Node-RED's `encodeObject` does), in the log (`console`), and/or as
 * the node's status (`tostatus`, with `statusType` auto, msg, jsonata or counter). `active`
 * false (the button in the editor) stops the sidebar output only.
 */
import { inspect } from 'node:util';
import type { ValidationIssue } from '../../errors/index.js';
import { boolean, defineNode, select, string, type NodeApi } from '../../runtime/definition/index.js';
import { evaluateJSONataExpression, getMessageProperty, prepareJSONataExpression, type PreparedJSONata } from '../../runtime/properties/index.js';
import type { Msg, NodeStatus } from '../../runtime/types.js';
import { debugControl } from './debug-control.js';
import { encodeObject, type DebugMessage } from './encode-object.js';

const DEFAULT_STATUS_LENGTH = 32;
/** Counter updates closer together than this are folded into one, as Node-RED does. */
const COUNTER_QUIET_MS = 100;
const COUNTER_DEFER_MS = 200;

function jsonataIssue(nodeId: string, property: string, source: string): ValidationIssue[] {
  try {
    prepareJSONataExpression(source, undefined);
    return [];
  } catch (err) {
    return [{ code: 'invalid_jsonata', nodeId, property, message: `'${property}' ${(err as Error).message}` }];
  }
}

/** The flow path Node-RED puts in debug messages (`node._flow.path`): the tab id, or the subflow instance chain. */
function flowPath(node: NodeApi): string | undefined {
  const full = node.getEnv('NR_NODE_PATH');
  if (typeof full !== 'string') return node.z;
  const own = `/${node._alias ?? node.id}`;
  return full.endsWith(own) ? full.slice(0, -own.length) : full;
}

/** Drops undefined fields, as the JSON sent to the editor would. */
function compact(message: DebugMessage): DebugMessage {
  for (const key of Object.keys(message)) if (message[key] === undefined) delete message[key];
  return message;
}

export const debugNode = defineNode({
  type: 'debug',
  category: 'common',
  inputs: 1,
  outputs: 0,
  properties: {
    name: string({ default: '' }),
    active: boolean({ default: true }),
    tosidebar: boolean({ default: true }),
    console: boolean({ default: false }),
    tostatus: boolean({ default: false }),
    complete: string({ default: 'false' }),
    targetType: string({ default: '' }),
    statusVal: string({ default: '' }),
    statusType: select(['auto', 'msg', 'jsonata', 'counter'], { default: 'auto', lenient: true }),
  },
  validate(config) {
    const issues: ValidationIssue[] = [];
    if (config.targetType === 'jsonata') issues.push(...jsonataIssue(config.id, 'complete', config.complete));
    if (config.tostatus && config.statusType === 'jsonata') issues.push(...jsonataIssue(config.id, 'statusVal', config.statusVal));
    return issues;
  },
  editor: { color: '#87a980', icon: 'debug.svg', align: 'right' },
  create(config, node) {
    const isJsonata = config.targetType === 'jsonata';
    // Prepared here, so that an expression that cannot be used fails the node at deploy.
    const editExpression = isJsonata ? prepareJSONataExpression(config.complete, node) : undefined;
    const statusExpression = config.tostatus && config.statusType === 'jsonata' ? prepareJSONataExpression(config.statusVal, node) : undefined;
    // Read by the output below, set by the editor's debug button.
    const live: DebugLive = { isActive: config.active };
    const setActive = (state: boolean) => {
      live.isActive = state;
    };
    const control = debugControl(node.runtime);
    control.register(node.id, setActive);
    if (config.tostatus && config.statusType === 'counter') node.status({ fill: 'blue', shape: 'ring', text: '0' });
    // The output is made at the first message it shows: most debug nodes of a large deploy are
    // inactive or wait long for one, and a deploy then makes no dozen closures per node.
    let output: DebugOutput | undefined;
    return {
      onInput(msg, _send, done) {
        // Nothing to show (an inactive node without status or console output): no promise, no work.
        if (!config.tostatus && !config.console && !(live.isActive && config.tosidebar)) {
          done();
          return;
        }
        return (output ??= debugOutput(config, node, live, editExpression, statusExpression)).handle(msg, done);
      },
      onClose() {
        control.unregister(node.id, setActive);
        output?.close();
        if (config.tostatus) node.status({});
      },
    };
  },
});

interface DebugLive {
  isActive: boolean;
}

interface DebugOutput {
  handle(msg: Msg, done: (err?: unknown) => void): Promise<void>;
  close(): void;
}

/** What the output reads of a debug node's typed config. */
interface DebugConfig {
  targetType: string;
  complete: string;
  statusType: string;
  statusVal: string;
  tostatus: boolean;
  console: boolean;
  tosidebar: boolean;
}

/** Shows the messages of one debug node: sidebar, console, status. */
function debugOutput(config: DebugConfig, node: NodeApi, live: DebugLive, editExpression: PreparedJSONata | undefined, statusExpression: PreparedJSONata | undefined): DebugOutput {
  const settings = node.runtime.settings;
  const maxLength = settings.debugMaxLength ?? 1000;
  const statusLength = settings.debugStatusLength ?? DEFAULT_STATUS_LENGTH;
  const useColors = settings.debugUseColors === true;
  const isJsonata = config.targetType === 'jsonata';
  // Old flows saved `complete` as a boolean; `false` meant the payload.
  const complete = isJsonata ? '' : config.complete === 'false' || config.complete === '' ? 'payload' : config.complete;
  const isWholeMessage = complete === 'true';
  const statusType = config.statusType;
  const statusVal = config.statusVal || complete;
  const path = flowPath(node);
  let counter = 0;
  let lastCount = 0;
  let counterTimer: NodeJS.Timeout | undefined;
  let lastStatus: string | undefined;

  const header = (msg: Msg): DebugMessage => ({ id: node.id, z: node.z, _alias: node._alias, path, name: node.name, topic: msg.topic, msg: undefined });

  const publish = (message: DebugMessage) => {
    node.runtime.publish('debug', compact(encodeObject(message, { maxLength })));
  };

  /** The value shown: the expression's result, or the property (undefined when its path is missing). */
  const valueOf = async (msg: Msg): Promise<unknown> => {
    if (editExpression) return evaluate(editExpression, msg);
    try {
      return getMessageProperty(msg, complete);
    } catch {
      // Node-RED shows a missing parent as undefined rather than failing.
      return undefined;
    }
  };

  const setStatus = (status: NodeStatus) => {
    const key = JSON.stringify(status);
    if (key === lastStatus) return;
    lastStatus = key;
    node.status(status);
  };

  const countMessage = () => {
    const now = Date.now();
    const quiet = now - lastCount > COUNTER_QUIET_MS;
    lastCount = now;
    counter++;
    if (counterTimer) clearTimeout(counterTimer);
    counterTimer = undefined;
    if (quiet) {
      node.status({ fill: 'blue', shape: 'ring', text: String(counter) });
      return;
    }
    counterTimer = setTimeout(() => {
      counterTimer = undefined;
      node.status({ fill: 'blue', shape: 'ring', text: String(counter) });
    }, COUNTER_DEFER_MS);
  };

  const showStatus = async (msg: Msg, shown: unknown) => {
    let output: unknown;
    if (statusType === 'auto') output = isWholeMessage ? msg.payload : shown;
    else if (statusExpression) output = await evaluate(statusExpression, msg);
    else {
      try {
        output = getMessageProperty(msg, statusVal);
      } catch {
        output = undefined;
      }
    }
    let text: unknown = typeof output === 'string' ? output : inspect(output);
    let fill: NodeStatus['fill'] | string = 'grey';
    let shape: NodeStatus['shape'] | string = 'dot';
    const styled = output as { fill?: unknown; shape?: unknown; text?: unknown } | null;
    if (styled && typeof styled === 'object' && styled.fill && styled.shape && styled.text) {
      fill = String(styled.fill);
      shape = String(styled.shape);
      text = styled.text;
    }
    if (statusType === 'auto') {
      const err = msg.error as { message?: unknown } | undefined;
      if (Object.hasOwn(msg, 'error')) {
        fill = 'red';
        text = err?.message;
      }
      const status = msg.status as { fill?: string; shape?: string; text?: unknown } | undefined;
      if (Object.hasOwn(msg, 'status')) {
        fill = status?.fill || 'grey';
        shape = status?.shape || 'ring';
        text = status?.text || '';
      }
    }
    let st = typeof text === 'string' ? text : String(text);
    if (st.length > statusLength) st = st.substring(0, statusLength) + '...';
    setStatus({ fill, shape, text: st } as NodeStatus);
  };

  const toConsole = (value: unknown) => {
    if (isWholeMessage) node.log('\n' + inspect(value, { colors: useColors, depth: 10 }));
    else if (typeof value === 'string') node.log((value.includes('\n') ? '\n' : '') + value);
    else if (typeof value === 'object') node.log('\n' + inspect(value, { colors: useColors, depth: 10 }));
    else node.log(inspect(value, { colors: useColors }));
  };

  const handle = async (msg: Msg, done: (err?: unknown) => void) => {
    // A debug node showing its own status changes (through a status node) would loop.
    const source = (msg.status as { source?: { id?: unknown } } | undefined)?.source;
    if (source && source.id === node.id) {
      done();
      return;
    }
    let shown: unknown;
    try {
      shown = isWholeMessage ? msg : await valueOf(msg);
    } catch {
      done(`Invalid JSONata expression: ${config.complete}`);
      return;
    }
    if (config.tostatus) {
      if (statusType === 'counter') countMessage();
      else {
        try {
          await showStatus(msg, shown);
        } catch {
          done(`Invalid JSONata expression: ${config.statusVal}`);
          return;
        }
      }
    }
    if (config.console) toConsole(shown);
    if (live.isActive && config.tosidebar) {
      const message = header(msg);
      message.msg = shown;
      if (!isWholeMessage && !isJsonata) message.property = complete;
      publish(message);
    }
    done();
  };

  return {
    handle,
    close() {
      if (counterTimer) clearTimeout(counterTimer);
      counterTimer = undefined;
    },
  };
}

function evaluate(expression: PreparedJSONata, msg: Msg): Promise<unknown> {
  return evaluateJSONataExpression(expression, msg);
}
