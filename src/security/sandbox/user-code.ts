import ivm from 'isolated-vm';
import { FunctionSyntaxError } from './errors.js';
import type { LoadedLib } from './libs.js';
import type { FunctionDef } from './types.js';

/** A place for one context in one of the pool's isolates, with the runtime script compiled there. */
export interface ContextLease {
  isolate: ivm.Isolate;
  runtime: ivm.Script;
  /** The context is gone: frees its place (the pool may dispose an isolate left empty). */
  release(): void;
}

/** A node's context, ready: `api` is the runtime's one entry function. */
export interface BuiltContext {
  context: ivm.Context;
  api: ivm.Reference;
  lease: ContextLease;
}

/** One piece of a function node's code, wrapped as the function the runtime calls. */
export interface CodePiece {
  kind: 'body' | 'setup' | 'close';
  /** The flows.json property, named in a syntax error. */
  property: 'func' | 'initialize' | 'finalize';
  filename: string;
  source: string;
}

const ASYNC_BODY = /\bawait\b/;

export function nodeLabel(def: FunctionDef): string {
  return def.name ? `function node '${def.name}' (${def.nodeId})` : `function node (${def.nodeId})`;
}

/** File names as Node-RED's stack traces show them, so line numbers in errors read the same. */
export function codeFiles(def: FunctionDef): { body: string; setup: string; close: string } {
  return { body: `Function node:${def.nodeId}`, setup: `Function node setup:${def.nodeId}`, close: `Function node cleanup:${def.nodeId}` };
}

/** The node's code pieces, each wrapped in the function signature Node-RED gives it. */
export function codePieces(def: FunctionDef): CodePiece[] {
  const files = codeFiles(def);
  const wrap = (params: string, code: string, isAsync: boolean) => `(${isAsync ? 'async ' : ''}function (${params}) {\n${code}\n})`;
  const pieces: CodePiece[] = [{ kind: 'body', property: 'func', filename: files.body, source: wrap('msg, node', def.func, ASYNC_BODY.test(def.func)) }];
  if (def.initialize?.trim()) pieces.push({ kind: 'setup', property: 'initialize', filename: files.setup, source: wrap('node', def.initialize, true) });
  if (def.finalize?.trim()) pieces.push({ kind: 'close', property: 'finalize', filename: files.close, source: wrap('node', def.finalize, false) });
  return pieces;
}

/**
 * Whether the body can reach its `node` argument: only by naming it, through `arguments`, or
 * through a direct `eval`. When none of these appears, the runtime skips building the per-message
 * node object, which is a good part of a small function's cost.
 */
export function usesNode(def: FunctionDef): boolean {
  return /\b(node|arguments|eval)\b/.test(def.func);
}

/** Compiles one piece in `isolate` (no context needed), turning a syntax error into FunctionSyntaxError. */
export async function compilePiece(isolate: ivm.Isolate, def: FunctionDef, piece: CodePiece): Promise<ivm.Script> {
  try {
    return await isolate.compileScript(piece.source, { filename: piece.filename, lineOffset: -1 });
  } catch (err) {
    if (isolate.isDisposed) throw err;
    throw new FunctionSyntaxError(`${nodeLabel(def)}: ${(err as Error).message}`, def.nodeId, piece.property);
  }
}

/**
 * Compiles every piece of the node's code and throws the first syntax error. Compiling needs no
 * context and costs tens of microseconds, so a node whose context is built later still has its
 * syntax errors reported when it is created (at deploy). Synchronous: `isolate` must be one that
 * never runs user code, or this could wait for a running function up to its time limit.
 */
export function checkSyntax(isolate: ivm.Isolate, def: FunctionDef, compiledBefore?: SourceMemo): void {
  for (const piece of codePieces(def)) {
    // Whether a wrapped source compiles depends on its text only (the file name shows in the
    // message of an error, and failures are never remembered), and large flows repeat the same
    // code in many nodes.
    if (compiledBefore?.has(piece.source)) continue;
    let script: ivm.Script;
    try {
      script = isolate.compileScriptSync(piece.source, { filename: piece.filename, lineOffset: -1 });
    } catch (err) {
      if (isolate.isDisposed) throw err;
      throw new FunctionSyntaxError(`${nodeLabel(def)}: ${(err as Error).message}`, def.nodeId, piece.property);
    }
    script.release();
    compiledBefore?.add(piece.source);
  }
}

/** Wrapped sources known to compile, bounded so that edited code does not pile up. */
export class SourceMemo {
  private readonly sources = new Set<string>();
  constructor(private readonly limit = 2000) {}

  has(source: string): boolean {
    return this.sources.has(source);
  }

  add(source: string): void {
    if (this.sources.size >= this.limit) this.sources.clear();
    this.sources.add(source);
  }
}

/**
 * Builds a node's context in `lease`: the runtime, the node's code compiled in that isolate, and
 * the runtime's setup call. Independent steps go out together, since each crossing into the
 * isolate costs tens of microseconds of thread hand-over.
 */
export async function buildContext(
  lease: ContextLease, def: FunctionDef, libs: readonly LoadedLib[], bridge: (op: unknown, ...args: unknown[]) => unknown, timeoutMs: number,
): Promise<BuiltContext> {
  const iso = lease.isolate;
  const pieces = codePieces(def);
  // The context is made while the pieces compile: one wait for the isolate's thread instead of two.
  const [made, ...compiled] = await Promise.allSettled([iso.createContext(), ...pieces.map((p) => compilePiece(iso, def, p))]);
  const scripts = compiled.flatMap((c) => (c.status === 'fulfilled' ? [c.value as ivm.Script] : []));
  const context = made!.status === 'fulfilled' ? (made!.value as ivm.Context) : null;
  try {
    if (context === null) throw (made as PromiseRejectedResult).reason;
    const failed = compiled.find((c) => c.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const [setup, ...fns] = (await Promise.all([
      lease.runtime.run(context, { reference: true, timeout: timeoutMs }),
      ...scripts.map((s) => s.run(context, { reference: true, timeout: timeoutMs })),
    ])) as ivm.Reference[];
    const code = (kind: CodePiece['kind']) => {
      const at = pieces.findIndex((p) => p.kind === kind);
      return at < 0 ? null : fns[at]!.derefInto();
    };
    const cfg = { id: def.nodeId, name: def.name, path: def.path ?? def.nodeId, outputs: def.outputs, usesNode: usesNode(def), libs: libs.map((l) => ({ var: l.var, shape: l.shape })) };
    const api = (await setup!.apply(undefined, [new ivm.Callback(bridge), new ivm.ExternalCopy(cfg).copyInto({ release: true }), code('body'), code('setup'), code('close')], {
      result: { reference: true }, timeout: timeoutMs,
    })) as ivm.Reference;
    setup!.release();
    for (const f of fns) f.release();
    return { context, api, lease };
  } catch (err) {
    if (context !== null && !iso.isDisposed) context.release();
    throw err;
  } finally {
    for (const s of scripts) s.release();
  }
}
