import { RedoubtError } from '../../errors/index.js';

/** Something user code in a function node did: threw, ran too long, used too much memory. */
export class FunctionCodeError extends RedoubtError {
  /** The thrown value as the code saw it: name, message and stack inside the sandbox. */
  readonly thrown: { name?: string; message: string; stack?: string };
  constructor(code: string, message: string, nodeId: string, thrown: FunctionCodeError['thrown']) {
    super(code, message, { place: { nodeId } });
    this.thrown = thrown;
  }
}

/** The node's code does not compile; raised by `createFunction`, so the node never starts. */
export class FunctionSyntaxError extends RedoubtError {
  constructor(message: string, nodeId: string, property: string) {
    super('function_syntax_error', message, { place: { nodeId, property } });
  }
}

/** The text of something thrown, for an `{ err }` answer to sandbox code. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
