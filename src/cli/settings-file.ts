/**
 * `redoubt.yaml`: the installation's declarative settings. Validated at the edge with zod; every
 * problem names the setting and says what is allowed, and a file with problems stops the start.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../errors/index.js';

const storeSchema = z.object({ module: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() }).strict();

export const settingsSchema = z
  .object({
    flowFile: z.string().min(1).default('flows.json'),
    execEnabled: z.boolean().default(false),
    functionExternalModules: z.boolean().default(false),
    functionExternalModulesAllow: z.array(z.string().min(1)).optional(),
    functionTimeoutMs: z.number().int().min(10).max(600_000).default(1000),
    functionMemoryMb: z.number().int().min(8).max(4096).default(64),
    functionGlobalContext: z.record(z.string(), z.unknown()).default({}),
    contextStorage: z.record(z.string(), z.union([storeSchema, z.string()])).optional(),
    debugMaxLength: z.number().int().min(10).default(1000),
    nodeMessageBufferMaxLength: z.number().int().min(0).default(0),
    nodeCloseTimeout: z.number().min(0.01).max(600).default(15),
    fileWorkingDirectory: z.string().optional(),
  })
  .strict();

export type RedoubtSettings = z.infer<typeof settingsSchema>;

/** Reads and validates the settings file; a missing file means all defaults. */
export async function loadSettingsFile(path: string): Promise<RedoubtSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return settingsSchema.parse({});
    throw new ConfigError(path, `cannot read the settings file: ${(err as Error).message}`, { cause: err });
  }
  return parseSettings(text, path);
}

export function parseSettings(text: string, path = 'redoubt.yaml'): RedoubtSettings {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new ConfigError(path, `is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const result = settingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const setting = issue.path.join('.') || '(top level)';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${[...issue.path, k].join('.')}'`).join(', ')}`
        : `'${setting}': ${issue.message}`;
    return { code: 'invalid_setting', property: setting, message };
  });
  throw new ValidationError(`${path} has invalid settings`, issues);
}
