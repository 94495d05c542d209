/**
 * `inject`: starts flows. A message with the configured properties is sent when the editor's
 * button is pressed (`node.receive()` with no message), once after deploy (`once`, after
 * `onceDelay` seconds), every `repeat` seconds, or on the `crontab` schedule. The editor writes
 * "interval between times" and "at a specific time" as cron expressions too (`*\/5 9-17 * * 1-5`,
 * `30 08 * * *`), so every schedule runs through cronosjs, as in Node-RED.
 */
import { CronosExpression, scheduleTask, type CronosTask } from 'cronosjs';
import type { ValidationIssue } from '../../errors/index.js';
import { boolean, defineNode, json, number, string, typed } from '../../runtime/definition/index.js';
import {
  DEFAULT_INJECT_PROPS,
  INJECT_VALUE_TYPES,
  applyCompiledProps,
  applyUserProps,
  compileInjectProps,
  liftLegacyInjectProps,
  validateInjectProps,
  type InjectProp,
} from './inject-props.js';

/** Node-RED's limit: setInterval cannot wait longer than 2^31-1 ms. */
const MAX_REPEAT_SECONDS = 2147483;

/** Why cronosjs refuses an expression, or undefined when it accepts it. */
export function checkCrontab(crontab: string): string | undefined {
  try {
    CronosExpression.parse(crontab);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export const injectNode = defineNode({
  type: 'inject',
  category: 'common',
  inputs: 0,
  outputs: 1,
  properties: {
    name: string({ default: '' }),
    props: json<InjectProp[]>({ default: DEFAULT_INJECT_PROPS }),
    repeat: number({ default: 0, min: 0, max: MAX_REPEAT_SECONDS, label: 'Repeat (seconds)' }),
    crontab: string({ default: '' }),
    once: boolean({ default: false }),
    onceDelay: number({ default: 0.1, min: 0 }),
    // The payload and a string topic are kept here as well as in `props` (see liftLegacyInjectProps).
    topic: string({ default: '' }),
    payload: typed({ default: '', typeKey: 'payloadType', types: INJECT_VALUE_TYPES }),
    payloadType: string({ default: 'date' }),
  },
  migrate: liftLegacyInjectProps,
  validate(config) {
    const issues: ValidationIssue[] = validateInjectProps(config.props, config.id);
    // The crontab is only used when no repeat interval is set.
    if (!(config.repeat > 0) && config.crontab.trim() !== '') {
      const problem = checkCrontab(config.crontab);
      if (problem) {
        issues.push({
          code: 'invalid_crontab',
          nodeId: config.id,
          property: 'crontab',
          message: `'crontab' is not a valid cron expression ('${config.crontab}'): ${problem}`,
        });
      }
    }
    return issues;
  },
  editor: { color: '#a6bbcf', icon: 'inject.svg' },
  create(config, node) {
    const props = compileInjectProps(config.props, node);
    let onceTimer: NodeJS.Timeout | undefined;
    let interval: NodeJS.Timeout | undefined;
    let cronTask: CronosTask | undefined;

    const fire = () => {
      try {
        node.receive({});
      } catch (err) {
        node.error(err);
      }
    };
    const startSchedule = () => {
      if (config.repeat > 0) {
        const ms = config.repeat * 1000;
        node.debug(`repeat = ${ms}`);
        interval = setInterval(fire, ms);
      } else if (config.crontab.trim() !== '') {
        node.debug(`crontab = ${config.crontab}`);
        cronTask = scheduleTask(config.crontab, fire, undefined);
      }
    };

    if (config.once) {
      // Node-RED reads 0 (or nothing) as its default delay of 0.1 s.
      const delayMs = (config.onceDelay || 0.1) * 1000;
      onceTimer = setTimeout(() => {
        onceTimer = undefined;
        fire();
        try {
          startSchedule();
        } catch (err) {
          node.error(err);
        }
      }, delayMs);
    } else {
      startSchedule();
    }

    return {
      async onInput(msg, send, done) {
        const userProps = msg.__user_inject_props__;
        delete msg.__user_inject_props__;
        const errors = Array.isArray(userProps) ? await applyUserProps(userProps, node, msg) : await applyCompiledProps(props, msg);
        if (errors.length > 0) {
          done(errors.join('; '));
          return;
        }
        send(msg);
        done();
      },
      onClose() {
        if (onceTimer) clearTimeout(onceTimer);
        if (interval) clearInterval(interval);
        cronTask?.stop();
        onceTimer = undefined;
        interval = undefined;
        cronTask = undefined;
      },
    };
  },
});
