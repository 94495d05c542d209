/**
 * template: renders a mustache template (or passes plain text) against the message, as
 * Node-RED's 80-template. `{{flow.x}}`, `{{global.x}}`, `{{flow[store].x}}` and `{{env.X}}`
 * are read before rendering (so async context stores work); the result is set as a string,
 * parsed JSON or parsed YAML on a msg, flow or global property. The node's template is parsed
 * at deploy; `msg.template` is used only when the node's template is empty, as in Node-RED.
 */
import mustache from 'mustache';
import type { ValidationIssue } from '../../errors/index.js';
import { defineNode } from '../../runtime/definition/index.js';
import { code, select, string, typed } from '../../runtime/definition/property-kinds.js';
import { compileMessagePath, evaluateNodeProperty, parseContextStore } from '../../runtime/properties/index.js';
import { jsYaml } from '../parsers/yaml.js';
import type { Msg, NodeContext, PropertyHost } from '../../runtime/types.js';

type Tokens = unknown[][];

/** A `{{flow.x}}`-style name: scope, optional store and the key inside the scope. */
interface ContextToken {
  readonly name: string;
  readonly scope: 'flow' | 'global';
  readonly store: string | undefined;
  readonly key: string;
}

const CONTEXT_NAME = /^(flow|global)(\[(\w+)\])?\.(.+)/;
const ENV_NAME = /^env\.(.+)/;

function collectNames(tokens: Tokens, into = new Set<string>()): Set<string> {
  for (const token of tokens) {
    if (token[0] === 'text') continue;
    into.add(String(token[1]));
    if (token.length > 4 && Array.isArray(token[4])) collectNames(token[4] as Tokens, into);
  }
  return into;
}

/** A template parsed once, with the context and env names it needs read before rendering. */
interface CompiledTemplate {
  readonly source: string;
  readonly tokens: Tokens;
  readonly contextTokens: ContextToken[];
  readonly envTokens: Array<[name: string, env: string]>;
}

function compileTemplate(writer: mustache.Writer, source: string): CompiledTemplate {
  const tokens = writer.parse(source) as Tokens;
  const contextTokens: ContextToken[] = [];
  const envTokens: Array<[string, string]> = [];
  for (const name of collectNames(tokens)) {
    const env = ENV_NAME.exec(name);
    if (env) {
      envTokens.push([name, env[1]!]);
      continue;
    }
    const m = CONTEXT_NAME.exec(name);
    if (m) contextTokens.push({ name, scope: m[1] as 'flow' | 'global', store: m[3] || undefined, key: m[4]! });
  }
  return { source, tokens, contextTokens, envTokens };
}

/** Escapes what would break a JSON string literal, as Node-RED does for JSON output. */
function escapeForJson(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\f/g, '\\f')
    .replace(/[\b]/g, '\\b');
}

/**
 * The view mustache renders against: the message first, then the pre-read context and env
 * values, else an empty string (Node-RED's lookup order).
 */
class TemplateView extends mustache.Context {
  constructor(
    private readonly msgContext: mustache.Context,
    private readonly resolved: ReadonlyMap<string, unknown>,
    private readonly escapeStrings: boolean,
  ) {
    super({});
  }

  override lookup(name: string): unknown {
    const value: unknown = this.msgContext.lookup(name);
    if (value !== undefined) return this.escapeStrings && typeof value === 'string' ? escapeForJson(value) : value;
    return this.resolved.has(name) ? this.resolved.get(name) : '';
  }

  override push(view: unknown): mustache.Context {
    return new TemplateView(new mustache.Context(view, this.msgContext), this.resolved, false);
  }
}

function readContext(ctx: NodeContext, token: ContextToken): Promise<unknown> {
  return new Promise((resolve, reject) => {
    ctx[token.scope].get(token.key, token.store, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

function templateIssues(config: { id: string; template: string; syntax: string; field: string; fieldType: string }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (config.syntax === 'mustache' && config.template) {
    try {
      new mustache.Writer().parse(config.template);
    } catch (err) {
      issues.push({ code: 'invalid_template', nodeId: config.id, property: 'template', message: `Invalid mustache template: ${(err as Error).message}` });
    }
  }
  try {
    if (config.fieldType === 'msg') compileMessagePath(config.field || 'payload');
  } catch (err) {
    issues.push({ code: 'invalid_property_expression', nodeId: config.id, property: 'field', message: (err as Error).message });
  }
  return issues;
}

export const template = defineNode({
  type: 'template',
  category: 'function',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    field: typed({ default: 'payload', typeKey: 'fieldType', types: ['msg', 'flow', 'global'], label: 'Property' }),
    fieldType: select(['msg', 'flow', 'global'], { default: 'msg' }),
    /** The editor's syntax highlighting only. */
    format: string({ default: 'handlebars' }),
    syntax: select(['mustache', 'plain'], { default: 'mustache', lenient: true }),
    template: code({ default: 'This is the payload: {{payload}} !', language: 'mustache' }),
    output: select(['str', 'json', 'yaml'], { default: 'str', lenient: true }),
  },
  editor: { color: 'rgb(243, 181, 103)', icon: 'template.svg' },
  validate: templateIssues,
  create(config, node) {
    const writer = new mustache.Writer();
    const isMustache = config.syntax === 'mustache';
    const isJson = config.output === 'json';
    const field = config.field || 'payload';
    const fixed = isMustache && config.template ? compileTemplate(writer, config.template) : undefined;
    const fieldPath = config.fieldType === 'msg' ? compileMessagePath(field) : undefined;
    const contextRef = parseContextStore(field);
    const host: PropertyHost = node;

    const parseOutput = (text: string): unknown => {
      if (isJson) return JSON.parse(text);
      // js-yaml, as Node-RED's template node (see yaml.ts for why not the `yaml` package).
      if (config.output === 'yaml') return jsYaml().load(text);
      return text;
    };

    const output = (msg: Msg, text: string, send: (m: Msg) => void, done: (err?: unknown) => void): void => {
      let value: unknown;
      try {
        value = parseOutput(text);
      } catch (err) {
        done(err);
        return;
      }
      if (fieldPath) {
        fieldPath.set(msg, value);
        send(msg);
        done();
        return;
      }
      const scope = node.context()[config.fieldType as 'flow' | 'global'];
      scope.set(contextRef.key, value, contextRef.store, (err) => {
        if (err) return done(err);
        send(msg);
        done();
      });
    };

    const render = (compiled: CompiledTemplate, msg: Msg, resolved: Map<string, unknown>): string =>
      writer.renderTokens(compiled.tokens as string[][], new TemplateView(new mustache.Context(msg), resolved, isJson), undefined, compiled.source);

    return {
      onInput(msg, send, done) {
        let source = config.template;
        if (Object.hasOwn(msg, 'template') && (source === '' || source === null)) source = msg.template as string;
        if (!isMustache) {
          output(msg, source, send, done);
          return;
        }
        let compiled: CompiledTemplate;
        const resolved = new Map<string, unknown>();
        try {
          // A template arriving in msg.template is parsed for this message only.
          compiled = fixed && source === config.template ? fixed : compileTemplate(new mustache.Writer(), source);
          for (const [name, env] of compiled.envTokens) resolved.set(name, evaluateNodeProperty(env, 'env', host, msg));
        } catch (err) {
          done(err);
          return;
        }
        if (compiled.contextTokens.length === 0) {
          let text: string;
          try {
            text = render(compiled, msg, resolved);
          } catch (err) {
            done(err);
            return;
          }
          output(msg, text, send, done);
          return;
        }
        const ctx = node.context();
        Promise.all(compiled.contextTokens.map((t) => readContext(ctx, t).then((v) => resolved.set(t.name, v))))
          .then(() => output(msg, render(compiled, msg, resolved), send, done))
          .catch((err: unknown) => done(err));
      },
    };
  },
});
