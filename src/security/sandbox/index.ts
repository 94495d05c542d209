/**
 * The function node's isolation boundary: user code runs in an isolated-vm isolate with a
 * time and memory limit, reaching the runtime only through the API in `SandboxHost`.
 */
export { createSandboxPool } from './pool.js';
export { FunctionCodeError, FunctionSyntaxError } from './errors.js';
export { checkLibs } from './libs.js';
export type {
  CreateFunctionOptions, ExternalModulesPolicy, FunctionDef, FunctionLib, OutputMessages, RunResult, SandboxedFunction, SandboxHost,
  SandboxInput, SandboxLogLevel, SandboxPool, SandboxPoolOptions, SandboxPoolStats,
} from './types.js';
