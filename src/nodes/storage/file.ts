/**
 * file: writes msg.payload to a file (append or overwrite) or deletes the file, one message at
 * a time in arrival order, then passes the message on. As in Node-RED 4, a failed write is
 * reported with node.error(text, msg) and the message is completed without being sent.
 */
import { EOL } from 'node:os';
import { appendFile, mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, select, string } from '../../runtime/definition/property-kinds.js';
import { evaluateNodeProperty } from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg } from '../../runtime/types.js';
import { filenameProperties, migrateFilename, resolveFilePath } from './file-path.js';
import { createTextCodec } from './text-encoding.js';

const STATUS_DELAY_MS = 333;

function migrateFile(raw: FlowConfigNode): FlowConfigNode {
  const out: FlowConfigNode = migrateFilename({ ...raw });
  // Saved as a boolean by old editors (and by Node-RED's own tests).
  if (typeof out.overwriteFile === 'boolean') out.overwriteFile = String(out.overwriteFile);
  // Node-RED's runtime reads a missing appendNewline as false, whatever the editor's default.
  if (out.appendNewline === undefined) out.appendNewline = false;
  return out;
}

function evaluateFilename(value: string, type: string, node: Parameters<typeof evaluateNodeProperty>[2], msg: Msg): Promise<unknown> {
  return new Promise((resolve, reject) => {
    evaluateNodeProperty(value, type, node, msg, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.toString() : String(err);
}

export const fileNode = defineNode({
  type: 'file',
  category: 'storage',
  inputs: 1,
  outputs: 1,
  properties: {
    ...filenameProperties,
    appendNewline: boolean({ default: true, label: 'Add newline to each payload' }),
    createDir: boolean({ default: false, label: 'Create directory if it does not exist' }),
    // 'false' appends, 'true' overwrites, 'delete' deletes the file.
    overwriteFile: select(['false', 'true', 'delete'] as const, { default: 'false', label: 'Action' }),
    // 'none' (UTF-8), 'setbymsg' (msg.encoding) or an encoding name.
    encoding: string({ default: 'none', label: 'Encoding' }),
  },
  migrate: migrateFile,
  editor: { color: 'BurlyWood', icon: 'file-out.svg', align: 'right' },
  create(config, node) {
    const codec = createTextCodec();
    const filenameType = config.filenameType || 'str';
    let queue: Promise<void> = Promise.resolve();
    let statusTimer: NodeJS.Timeout | undefined;

    const write = async (msg: Msg): Promise<boolean> => {
      let value: unknown;
      try {
        value = await evaluateFilename(config.filename, filenameType, node, msg);
      } catch (err) {
        node.error(err, msg);
        return false;
      }
      const filename = value === null || value === undefined ? '' : String(value);
      msg.filename = filename;
      const fullPath = resolveFilePath(filename, node.runtime.settings);
      // Node-RED shows the filename a third of a second later, and only one per third of a second,
      // so that a fast stream of messages to changing files does not flood the editor.
      if (!config.filename && !statusTimer) {
        statusTimer = setTimeout(() => {
          statusTimer = undefined;
          node.status({ fill: 'grey', shape: 'dot', text: filename });
        }, STATUS_DELAY_MS);
      }
      if (filename === '') {
        node.warn('No filename specified');
        return false;
      }
      if (config.overwriteFile === 'delete') {
        try {
          await unlink(fullPath);
        } catch (err) {
          node.error(`failed to delete file: ${describe(err)}`, msg);
          return false;
        }
        return true;
      }
      if (!Object.hasOwn(msg, 'payload') || msg.payload === undefined) return false;
      if (config.createDir) {
        try {
          await mkdir(dirname(fullPath), { recursive: true });
        } catch (err) {
          node.error(`failed to create file: ${describe(err)}`, msg);
          return false;
        }
      }
      let data: string | Buffer;
      const payload = msg.payload;
      if (Buffer.isBuffer(payload)) data = payload;
      else if (typeof payload === 'object') data = JSON.stringify(payload);
      else data = String(payload);
      // The last part of a split string ends the file without a newline.
      const parts = msg.parts as { type?: unknown; count?: unknown; index?: unknown } | undefined;
      const lastPart = !!parts && parts.type === 'string' && parts.count === (parts.index as number) + 1;
      if (config.appendNewline && typeof data === 'string' && !lastPart) data += EOL;
      const encoding = config.encoding === 'setbymsg' ? String(msg.encoding || 'none') : config.encoding || 'none';
      const overwrite = config.overwriteFile === 'true';
      let bytes: Buffer;
      try {
        bytes = Buffer.isBuffer(data) && encoding === 'none' ? data : codec.encode(data, encoding);
      } catch (err) {
        // An unknown encoding is the node's setting, not a failed write.
        node.error(err, msg);
        return false;
      }
      try {
        if (overwrite) await writeFile(fullPath, bytes);
        else await appendFile(fullPath, bytes);
      } catch (err) {
        node.error(`failed to ${overwrite ? 'write' : 'append'} to file: ${describe(err)}`, msg);
        return false;
      }
      return true;
    };

    return {
      onInput(msg, send, done) {
        // One write at a time, in arrival order, as Node-RED's queue does.
        queue = queue.then(async () => {
          try {
            if (await write(msg)) send(msg);
            done();
          } catch (err) {
            done(err);
          }
        });
      },
      async onClose() {
        // Pending writes finish before the node stops.
        await queue;
        clearTimeout(statusTimer);
        statusTimer = undefined;
        node.status({});
      },
    };
  },
});
