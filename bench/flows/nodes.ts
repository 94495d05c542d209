/**
 * Builders for the core-node configurations the benchmark flows use, in the shape Node-RED 4
 * saves them to flows.json, so the same array deploys unchanged on both runtimes.
 */

export interface BenchNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  wires?: string[][];
  [key: string]: unknown;
}

/** The start of every completion marker a debug node prints: `done|<token>|<count>|<check>|<t0>`. */
export const MARKER_PREFIX = 'done|';

export function tab(id: string, label: string): BenchNode {
  return { id, type: 'tab', label, disabled: false, info: '', env: [] };
}

export interface InjectOptions {
  payload: string;
  payloadType: string;
  /** Fires once shortly after the node starts: each measured run redeploys this node. */
  once: boolean;
  token: string;
  topic?: string;
}

/** An inject node that also stamps `msg.t0` (epoch ms at firing) and `msg.token`. */
export function inject(id: string, z: string, options: InjectOptions, wires: string[][]): BenchNode {
  const topic = options.topic ?? 'bench';
  return {
    id,
    type: 'inject',
    z,
    name: '',
    props: [
      { p: 'payload', v: options.payload, vt: options.payloadType },
      { p: 'topic', v: topic, vt: 'str' },
      { p: 't0', v: '', vt: 'date' },
      { p: 'token', v: options.token, vt: 'str' },
    ],
    repeat: '',
    crontab: '',
    once: options.once,
    onceDelay: 0.05,
    topic,
    payload: options.payload,
    payloadType: options.payloadType,
    x: 100,
    y: 100,
    wires,
  };
}

export function splitArray(id: string, z: string, wires: string[][]): BenchNode {
  return {
    id,
    type: 'split',
    z,
    name: '',
    splt: '\\n',
    spltType: 'str',
    arraySplt: 1,
    arraySpltType: 'len',
    stream: false,
    addname: '',
    property: 'payload',
    x: 200,
    y: 100,
    wires,
  };
}

export function joinAuto(id: string, z: string, wires: string[][]): BenchNode {
  return {
    id,
    type: 'join',
    z,
    name: '',
    mode: 'auto',
    build: 'object',
    property: 'payload',
    propertyType: 'msg',
    key: 'topic',
    joiner: '\\n',
    joinerType: 'str',
    useparts: false,
    accumulate: false,
    timeout: '',
    count: '',
    reduceRight: false,
    reduceExp: '',
    reduceInit: '',
    reduceInitType: '',
    reduceFixup: '',
    x: 900,
    y: 100,
    wires,
  };
}

/** A manual join collecting `count` payloads into one array, whatever their msg.parts. */
export function joinCount(id: string, z: string, count: number, wires: string[][]): BenchNode {
  return { ...joinAuto(id, z, wires), mode: 'custom', build: 'array', count: String(count) };
}

export type ChangeRule = Record<string, unknown> & { t: 'set' | 'change' | 'delete' | 'move'; p: string };

export function change(id: string, z: string, rules: ChangeRule[], wires: string[][], name = ''): BenchNode {
  return {
    id,
    type: 'change',
    z,
    name,
    rules: rules.map((r) => ({ pt: 'msg', ...r })),
    action: '',
    property: '',
    from: '',
    to: '',
    reg: false,
    x: 300,
    y: 100,
    wires,
  };
}

export type SwitchRule = Record<string, unknown> & { t: string };

export function switchNode(id: string, z: string, property: string, rules: SwitchRule[], wires: string[][]): BenchNode {
  return {
    id,
    type: 'switch',
    z,
    name: '',
    property,
    propertyType: 'msg',
    rules,
    checkall: 'false',
    repair: false,
    outputs: rules.length,
    x: 400,
    y: 100,
    wires,
  };
}

export function functionNode(id: string, z: string, func: string, wires: string[][]): BenchNode {
  return {
    id,
    type: 'function',
    z,
    name: '',
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 500,
    y: 100,
    wires,
  };
}

export function debug(id: string, z: string, options: { active: boolean; console: boolean }): BenchNode {
  return {
    id,
    type: 'debug',
    z,
    name: '',
    active: options.active,
    tosidebar: false,
    console: options.console,
    tostatus: false,
    complete: 'payload',
    targetType: 'msg',
    statusVal: '',
    statusType: 'auto',
    x: 1100,
    y: 100,
    wires: [],
  };
}

/**
 * The change node that turns the joined result into the completion marker. `check` is a JSONata
 * expression over the joined msg whose value the harness compares with the expected one.
 */
export function marker(id: string, z: string, check: string, wires: string[][]): BenchNode {
  const expr = `"${MARKER_PREFIX}" & token & "|" & $string($count(payload)) & "|" & $string(${check}) & "|" & $string(t0)`;
  return change(id, z, [{ t: 'set', p: 'payload', to: expr, tot: 'jsonata' }], wires, 'marker');
}

/** An http in node answering `method` requests on `url` (under httpNodeRoot). */
export function httpIn(id: string, z: string, url: string, method: string, wires: string[][]): BenchNode {
  return { id, type: 'http in', z, name: '', url, method, upload: false, swaggerDoc: '', x: 100, y: 300, wires };
}

/** An http response node sending msg.payload with the status and headers the message carries. */
export function httpResponse(id: string, z: string): BenchNode {
  return { id, type: 'http response', z, name: '', statusCode: '', headers: {}, x: 500, y: 300, wires: [] };
}
