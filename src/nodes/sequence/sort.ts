/**
 * sort: sorts an array held in a message property, or the messages of a sequence (by
 * `msg.parts`), by the element or message value or by a JSONata expression, ascending or
 * descending, optionally as numbers. Sequences are held until complete, within
 * `nodeMessageBufferMaxLength`.
 */
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { boolean, defineNode, select, string, type BaseConfig } from '../../runtime/definition/index.js';
import { compileMessagePath, evaluateJSONataExpression, prepareJSONataExpression, type PreparedJSONata } from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg } from '../../runtime/types.js';
import { messageBufferLimit, type PendingMessage } from './message-buffer.js';

const properties = {
  name: string(),
  order: select(['ascending', 'descending'] as const, { default: 'ascending' }),
  as_num: boolean({ label: 'as number' }),
  target: string({ default: 'payload', label: 'Sort', showWhen: { targetType: ['msg'] } }),
  targetType: select(['msg', 'seq'] as const, { default: 'msg' }),
  msgKey: string({ default: 'payload', label: 'Key', showWhen: { targetType: ['msg'] } }),
  msgKeyType: select(['elem', 'jsonata'] as const, { default: 'elem', showWhen: { targetType: ['msg'] } }),
  seqKey: string({ default: 'payload', label: 'Key', showWhen: { targetType: ['seq'] } }),
  seqKeyType: select(['msg', 'jsonata'] as const, { default: 'msg', showWhen: { targetType: ['seq'] } }),
};

type SortConfig = { [K in keyof typeof properties]: (typeof properties)[K]['default'] } & BaseConfig;

interface Sequence {
  count: number | undefined;
  items: PendingMessage[];
  seqNo: number;
}

const hasOwn = (obj: unknown, key: string): boolean =>
  typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);

/** Node-RED's runtime sorts a message sequence unless targetType is exactly 'msg'. */
function migrateSort(raw: FlowConfigNode): FlowConfigNode {
  return raw.targetType === undefined ? { ...raw, targetType: 'seq' } : raw;
}

function checkSortConfig(config: SortConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const fail = (property: string, err: unknown) =>
    issues.push({ code: 'invalid_property', nodeId: config.id, property, message: `'${property}' ${(err as Error).message}` });
  const check = (property: string, fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      fail(property, err);
    }
  };
  if (config.targetType === 'msg') {
    check('target', () => compileMessagePath(config.target || 'payload'));
    if (config.msgKeyType === 'jsonata') check('msgKey', () => prepareJSONataExpression(config.msgKey, undefined));
  } else if (config.seqKeyType === 'jsonata') {
    check('seqKey', () => prepareJSONataExpression(config.seqKey, undefined));
  } else {
    check('seqKey', () => compileMessagePath(config.seqKey || 'payload'));
  }
  return issues;
}

function invalidExpression(err: unknown): Error {
  return new Error(`Invalid JSONata expression in sort node: ${err instanceof Error ? err.message : String(err)}`);
}

export const sort = defineNode({
  type: 'sort',
  category: 'sequence',
  inputs: 1,
  outputs: 1,
  properties,
  migrate: migrateSort,
  validate: (config) => checkSortConfig(config),
  create(config, node) {
    const issues = checkSortConfig(config);
    if (issues.length > 0) throw new ValidationError(`sort node '${config.id}' has invalid properties`, issues);
    const sortsProperty = config.targetType === 'msg';
    const direction = config.order === 'ascending' ? 1 : -1;
    const toKey = config.as_num ? (x: unknown) => Number(x) : (x: unknown) => x;
    const compare = (x: unknown, y: unknown): number => {
      const a = toKey(x) as number;
      const b = toKey(y) as number;
      if (a === b) return 0;
      return a > b ? direction : -direction;
    };
    const keyExpression = (sortsProperty ? config.msgKeyType : config.seqKeyType) === 'jsonata';
    const expression: PreparedJSONata | undefined = keyExpression
      ? prepareJSONataExpression(sortsProperty ? config.msgKey : config.seqKey, node)
      : undefined;
    // Only the paths in play are compiled: the others may hold anything (an expression...).
    const target = sortsProperty ? compileMessagePath(config.target || 'payload') : undefined;
    const seqKey = !sortsProperty && !expression ? compileMessagePath(config.seqKey || 'payload') : undefined;

    /** Sorts `items` by the keys `keyOf` gives, or by the expression evaluated against each. */
    async function sortBy<T>(items: T[], keyOf: (item: T) => unknown): Promise<T[]> {
      if (!expression) return items.sort((x, y) => compare(keyOf(x), keyOf(y)));
      const keyed = await Promise.all(
        items.map(async (item) => {
          try {
            return { item, key: await evaluateJSONataExpression(expression, keyOf(item) as Msg) };
          } catch (err) {
            throw invalidExpression(err);
          }
        }),
      );
      return keyed.sort((x, y) => compare(x.key, y.key)).map((k) => k.item);
    }

    async function sortProperty(msg: Msg): Promise<boolean> {
      const data = target!.get(msg);
      if (!Array.isArray(data)) return false;
      const sorted = await sortBy(data, (element) => element);
      // Sorted in place for element keys, a new array for expression keys, as Node-RED.
      if (sorted !== data) target!.set(msg, sorted);
      return true;
    }

    let pending = new Map<string, Sequence>();
    let pendingCount = 0;
    let nextSeqNo = 0;

    async function sortSequence(seq: Sequence): Promise<void> {
      const sorted = await sortBy(seq.items, (item) => (seqKey ? seqKey.get(item.msg) : item.msg));
      sorted.forEach((item, index) => {
        (item.msg.parts as Record<string, unknown>).index = index;
        item.send(item.msg);
        item.done();
      });
    }

    /** Drops the oldest held sequence: its last message carries the error, the others complete. */
    function dropOldest(): number {
      let oldestId: string | undefined;
      let oldest: Sequence | undefined;
      for (const [id, seq] of pending) {
        if (!oldest || seq.seqNo < oldest.seqNo) {
          oldest = seq;
          oldestId = id;
        }
      }
      if (!oldest || oldestId === undefined) return 0;
      const items = oldest.items;
      items[items.length - 1]!.done(new Error('Too many pending messages in sort node'));
      for (const item of items.slice(0, -1)) item.done();
      pending.delete(oldestId);
      return items.length;
    }

    function onSequenceMessage(item: PendingMessage): void {
      const parts = item.msg.parts as Record<string, unknown> | undefined;
      if (!hasOwn(parts, 'id') || !hasOwn(parts, 'index')) {
        // Node-RED drops a message that is not part of a sequence.
        item.done();
        return;
      }
      const id = String(parts!.id);
      let seq = pending.get(id);
      if (!seq) {
        seq = { count: undefined, items: [], seqNo: nextSeqNo++ };
        pending.set(id, seq);
      }
      seq.items.push(item);
      if (hasOwn(parts, 'count')) seq.count = parts!.count as number;
      pendingCount++;
      if (seq.count === seq.items.length) {
        pending.delete(id);
        pendingCount -= seq.items.length;
        const items = seq.items;
        sortSequence(seq).catch((err: unknown) => {
          items[items.length - 1]!.done(err);
          for (const other of items.slice(0, -1)) other.done();
        });
        return;
      }
      const limit = messageBufferLimit(node);
      if (limit > 0 && pendingCount > limit) pendingCount -= dropOldest();
    }

    return {
      onInput(msg, send, done) {
        if (!sortsProperty) {
          onSequenceMessage({ msg, send, done });
          return;
        }
        sortProperty(msg).then(
          (sorted) => {
            if (sorted) send(msg);
            done();
          },
          (err: unknown) => done(err),
        );
      },
      onClose() {
        for (const seq of pending.values()) {
          node.log('clear pending message in sort node');
          for (const item of seq.items) item.done();
        }
        pending = new Map();
        pendingCount = 0;
      },
    };
  },
  editor: { color: '#E2D96E', icon: 'sort.svg' },
});
