import type ivm from 'isolated-vm';
import { FunctionSyntaxError } from './errors.js';
import type { FunctionDef } from './types.js';

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
export function checkSyntax(isolate: ivm.Isolate, def: FunctionDef): void {
  for (const piece of codePieces(def)) {
    let script: ivm.Script;
    try {
      script = isolate.compileScriptSync(piece.source, { filename: piece.filename, lineOffset: -1 });
    } catch (err) {
      if (isolate.isDisposed) throw err;
      throw new FunctionSyntaxError(`${nodeLabel(def)}: ${(err as Error).message}`, def.nodeId, piece.property);
    }
    script.release();
  }
}
