/**
 * The closed set of property kinds a node declaration uses. Each kind owns its default, how a
 * saved value is read (Node-RED often saves numbers as strings), and its validators. The same
 * objects serve deploy-time validation, `GET /nodes` and the editor's form.
 */
import type { ValidationIssue } from '../../errors/index.js';

export type ShowWhen = Record<string, readonly unknown[]>;

interface KindBase<T> {
  /** Value used when the saved config lacks the property. */
  readonly default: T;
  /** Label for the editor; the stored key is the record key in `properties`. */
  readonly label?: string;
  /** Show (and validate) only when sibling properties hold one of the listed values. */
  readonly showWhen?: ShowWhen;
  /** Turns the saved value into T, or returns an error message. */
  read(raw: unknown, config: Record<string, unknown>): { value: T } | { error: string; code?: string };
  /**
   * True when `read` would return the saved value itself: a deploy of thousands of nodes then
   * makes no result object per property. Never true for a value `read` changes or refuses.
   */
  accepts?(raw: unknown): boolean;
}

export interface StringKind extends KindBase<string> { readonly kind: 'string'; readonly required?: boolean }
export interface NumberKind extends KindBase<number> {
  readonly kind: 'number';
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}
export interface BooleanKind extends KindBase<boolean> { readonly kind: 'boolean' }
export interface SelectKind<T extends string> extends KindBase<T> { readonly kind: 'select'; readonly options: readonly T[] }
export interface TypedKind extends KindBase<string> {
  readonly kind: 'typed';
  /** The sibling property holding the type (`payloadType` for `payload`). */
  readonly typeKey: string;
  readonly types: readonly string[];
}
export interface JsonKind<T> extends KindBase<T> { readonly kind: 'json' }
export interface CodeKind extends KindBase<string> { readonly kind: 'code'; readonly language: 'javascript' | 'jsonata' | 'mustache' | 'text' }
export interface ConfigRefKind extends KindBase<string> { readonly kind: 'configRef'; readonly configType: string; readonly required?: boolean }

export type PropertyKind =
  | StringKind
  | NumberKind
  | BooleanKind
  | SelectKind<string>
  | TypedKind
  | JsonKind<unknown>
  | CodeKind
  | ConfigRefKind;

export type PropertySchema = Record<string, PropertyKind>;

/** The config type a node's `create` receives, inferred from its `properties`. */
export type ConfigOf<P extends PropertySchema> = { [K in keyof P]: P[K]['default'] };

type Common<T> = { default?: T; label?: string; showWhen?: ShowWhen };

export function string(opts: Common<string> & { required?: boolean; pattern?: RegExp } = {}): StringKind {
  return {
    kind: 'string',
    default: opts.default ?? '',
    label: opts.label,
    showWhen: opts.showWhen,
    required: opts.required,
    accepts: (raw) => typeof raw === 'string' && (raw === '' ? !opts.required : opts.pattern === undefined),
    read(raw) {
      const value = raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw : String(raw);
      if (opts.required && value === '') return { error: 'is required', code: 'required' };
      if (opts.pattern && value !== '' && !opts.pattern.test(value)) return { error: `does not match ${opts.pattern}` };
      return { value };
    },
  };
}

export function number(opts: Common<number> & { min?: number; max?: number; integer?: boolean; allowEmpty?: boolean } = {}): NumberKind {
  const fallback = opts.default ?? 0;
  return {
    kind: 'number',
    default: fallback,
    label: opts.label,
    showWhen: opts.showWhen,
    min: opts.min,
    max: opts.max,
    integer: opts.integer,
    accepts: (raw) =>
      typeof raw === 'number' &&
      Number.isFinite(raw) &&
      (!opts.integer || Number.isInteger(raw)) &&
      (opts.min === undefined || raw >= opts.min) &&
      (opts.max === undefined || raw <= opts.max),
    read(raw) {
      if (raw === undefined || raw === null || raw === '') return { value: fallback };
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(value)) return { error: `must be a number, got ${JSON.stringify(raw)}`, code: 'not_a_number' };
      if (opts.integer && !Number.isInteger(value)) return { error: `must be a whole number, got ${value}` };
      if (opts.min !== undefined && value < opts.min) return { error: `must be at least ${opts.min}, got ${value}` };
      if (opts.max !== undefined && value > opts.max) return { error: `must be at most ${opts.max}, got ${value}` };
      return { value };
    },
  };
}

export function boolean(opts: Common<boolean> = {}): BooleanKind {
  const fallback = opts.default ?? false;
  return {
    kind: 'boolean',
    default: fallback,
    label: opts.label,
    showWhen: opts.showWhen,
    accepts: (raw) => typeof raw === 'boolean',
    read(raw) {
      if (raw === undefined || raw === null || raw === '') return { value: fallback };
      // Node-RED saves some checkboxes as the strings "true"/"false".
      return { value: raw === true || raw === 'true' };
    },
  };
}

export function select<T extends string>(options: readonly T[], opts: Common<T> & { lenient?: boolean } = {}): SelectKind<T> {
  const fallback = opts.default ?? options[0]!;
  return {
    kind: 'select',
    default: fallback,
    options,
    label: opts.label,
    showWhen: opts.showWhen,
    accepts: (raw) => typeof raw === 'string' && raw !== '' && options.includes(raw as T),
    read(raw) {
      if (raw === undefined || raw === null || raw === '') return { value: fallback };
      const value = String(raw) as T;
      if (!options.includes(value) && !opts.lenient) {
        return { error: `must be one of ${options.map((o) => `'${o}'`).join(', ')}, got '${value}'`, code: 'not_allowed' };
      }
      return { value };
    },
  };
}

/** A typed input: the value here, its type in the sibling `typeKey` (Node-RED's `{ value, type }` pair). */
export function typed(opts: Common<string> & { typeKey: string; types: readonly string[] }): TypedKind {
  return {
    kind: 'typed',
    default: opts.default ?? '',
    label: opts.label,
    showWhen: opts.showWhen,
    typeKey: opts.typeKey,
    types: opts.types,
    accepts: (raw) => typeof raw === 'string',
    read(raw) {
      if (raw === undefined || raw === null) return { value: opts.default ?? '' };
      return { value: typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw) };
    },
  };
}

export function json<T>(opts: Common<T> & { default: T; check?: (v: unknown) => string | undefined }): JsonKind<T> {
  return {
    kind: 'json',
    default: opts.default,
    label: opts.label,
    showWhen: opts.showWhen,
    read(raw) {
      if (raw === undefined || raw === null) return { value: structuredClone(opts.default) };
      const problem = opts.check?.(raw);
      return problem ? { error: problem } : { value: raw as T };
    },
  };
}

export function code(opts: Common<string> & { language: CodeKind['language'] }): CodeKind {
  return {
    kind: 'code',
    default: opts.default ?? '',
    label: opts.label,
    showWhen: opts.showWhen,
    language: opts.language,
    accepts: (raw) => typeof raw === 'string',
    read(raw) {
      return { value: raw === undefined || raw === null ? (opts.default ?? '') : String(raw) };
    },
  };
}

export function configRef(configType: string, opts: Common<string> & { required?: boolean } = {}): ConfigRefKind {
  return {
    kind: 'configRef',
    default: '',
    configType,
    required: opts.required,
    label: opts.label,
    showWhen: opts.showWhen,
    accepts: (raw) => typeof raw === 'string' && raw !== '_ADD_' && (raw !== '' || !opts.required),
    read(raw) {
      const value = raw === undefined || raw === null || raw === '_ADD_' ? '' : String(raw);
      if (opts.required && value === '') return { error: `needs a ${configType} configuration node`, code: 'required' };
      return { value };
    },
  };
}

/** One function for the editor and the runtime: is this property in play for this config? */
export function isShown(kind: PropertyKind, config: Record<string, unknown>): boolean {
  const when = kind.showWhen;
  if (!when) return true;
  for (const key in when) if (!when[key]!.includes(config[key])) return false;
  return true;
}

/** A schema's entries, listed once per schema rather than once per node read. */
interface SchemaEntries {
  list: Array<[string, PropertyKind]>;
  /** Some property is shown only for some sibling values: its `isShown` must see the saved config. */
  conditional: boolean;
}

const schemaEntries = new WeakMap<PropertySchema, SchemaEntries>();

function entriesOf(schema: PropertySchema): SchemaEntries {
  let entries = schemaEntries.get(schema);
  if (!entries) {
    const list = Object.entries(schema);
    schemaEntries.set(schema, (entries = { list, conditional: list.some(([, kind]) => kind.showWhen !== undefined) }));
  }
  return entries;
}

/**
 * Reads every property of a saved config; returns the typed config and every issue found.
 *
 * The typed config is `raw` itself when every property reads as it is saved (as the editor saves
 * a node, with all its properties): a deploy of 10,000 such nodes then makes no copy of each.
 * Otherwise it is a copy with the read values, made at the first one that differs; `raw` is
 * never written to, unless `owned`: `raw` is the caller's own fresh copy (a `migrate` result),
 * which is then filled in, except when some property's `showWhen` must see the saved values
 * while others are being replaced.
 */
export function readProperties(
  schema: PropertySchema,
  raw: Record<string, unknown>,
  nodeId: string,
  owned = false,
): { config: Record<string, unknown>; issues: ValidationIssue[] } {
  const { list: entries, conditional } = entriesOf(schema);
  let copy: Record<string, unknown> | undefined = owned && !conditional ? raw : undefined;
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < entries.length; i++) {
    // Indexed rather than destructured: cold code would make an iterator and results per entry.
    const entry = entries[i]!;
    const key = entry[0];
    const kind = entry[1];
    if (!isShown(kind, raw)) {
      if (!(key in raw)) (copy ??= { ...raw })[key] = kind.default;
      continue;
    }
    const saved = raw[key];
    // The config holds the saved value already; one that reads as itself needs no write.
    if (kind.accepts !== undefined && kind.accepts(saved)) continue;
    const result = kind.read(saved, raw);
    if ('error' in result) {
      issues.push({ code: result.code ?? 'invalid_property', nodeId, property: key, message: `'${key}' ${result.error}` });
    } else if (!Object.is(result.value, saved) || !(key in raw)) {
      (copy ??= { ...raw })[key] = result.value;
    }
  }
  return { config: copy ?? raw, issues };
}
