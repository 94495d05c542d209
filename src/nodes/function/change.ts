/**
 * change: sets, changes (search and replace), deletes and moves message properties and flow or
 * global context values, as Node-RED's 15-change. Rules are compiled at deploy; a bad regex,
 * JSON value, number or JSONata expression refuses the deploy naming the rule.
 */
import { ValidationError } from '../../errors/index.js';
import { defineNode, type DoneFn, type SendFn } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';
import { json, string } from '../../runtime/definition/property-kinds.js';
import { applyChangeSteps } from './change/apply.js';
import { bindChangeSteps, compileChangeRules, type ChangeStep } from './change/compile.js';
import { migrateChangeNode, type ChangeRule } from './change/migrate.js';

export type { ChangeRule } from './change/migrate.js';
export { migrateChangeNode } from './change/migrate.js';

/**
 * Rules compiled at deploy validation, by the typed config the engine then hands to `create`
 * (the same object, when the node's config needs nothing from its environment): creation binds
 * them to the node instead of compiling them again.
 */
const checkedSteps = new WeakMap<object, ChangeStep[]>();

const checkRules = (v: unknown): string | undefined => (Array.isArray(v) ? undefined : 'must be a list of rules');

export const change = defineNode({
  type: 'change',
  category: 'function',
  inputs: 1,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    rules: json<ChangeRule[]>({ default: [{ t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' }], check: checkRules }),
  },
  editor: { color: '#E2D96E', icon: 'swap.svg' },
  migrate: migrateChangeNode,
  validate(config) {
    const { steps, issues, hostFree } = compileChangeRules(config.rules, undefined, config.id);
    if (issues.length === 0 && hostFree) checkedSteps.set(config, steps);
    return issues;
  },
  create(config, node) {
    const checked = checkedSteps.get(config);
    let steps: readonly ChangeStep[];
    if (checked) {
      checkedSteps.delete(config);
      steps = bindChangeSteps(checked, node);
    } else {
      const compiled = compileChangeRules(config.rules, node, config.id);
      if (compiled.issues.length > 0) throw new ValidationError(`change node '${config.id}' has invalid rules`, compiled.issues);
      steps = compiled.steps;
    }
    const deps = { node };
    return {
      onInput(msg, send, done) {
        let pending: Promise<void> | undefined;
        try {
          pending = applyChangeSteps(steps, msg, deps);
        } catch (err) {
          done(err);
          return;
        }
        if (!pending) {
          send(msg);
          done();
          return;
        }
        sendWhenApplied(pending, msg, send, done);
      },
    };
  },
});

// Apart from onInput: a closure inside it would make V8 allocate a context on every message,
// including the synchronous ones that never reach here.
function sendWhenApplied(pending: Promise<void>, msg: Msg, send: SendFn, done: DoneFn): void {
  pending.then(
    () => {
      send(msg);
      done();
    },
    (err: unknown) => done(err),
  );
}
