/**
 * file in: reads a file into one message (a string or a Buffer), one message per line, or a
 * stream of Buffer chunks, each series carrying `parts` so that a join node can rebuild it.
 */
import { open } from 'node:fs/promises';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, string } from '../../runtime/definition/property-kinds.js';
import { cloneMessage, evaluateNodeProperty } from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg } from '../../runtime/types.js';
import { filenameProperties, migrateFilename, resolveFilePath } from './file-path.js';
import { createTextCodec } from './text-encoding.js';

// Node's default read-stream block size; a shorter block is the end of the file.
const CHUNK_SIZE = 64 * 1024;

function migrateFileIn(raw: FlowConfigNode): FlowConfigNode {
  const out: FlowConfigNode = migrateFilename({ ...raw });
  // Nodes saved before sendError existed did send an error message; the editor now defaults to false.
  if (out.sendError === undefined) out.sendError = true;
  return out;
}

export const fileInNode = defineNode({
  type: 'file in',
  category: 'storage',
  inputs: 1,
  outputs: 1,
  properties: {
    ...filenameProperties,
    // 'utf8' one string, 'lines' a message per line, 'stream' Buffer chunks, anything else
    // ('' in the editor, or missing) one Buffer. A string kind: a select would read '' as its default.
    format: string({ default: 'utf8', label: 'Output' }),
    // Saved by the editor but unused by Node-RED's runtime (the format decides).
    chunk: boolean({ default: false }),
    sendError: boolean({ default: false, label: 'Send message on error' }),
    encoding: string({ default: 'none', label: 'Encoding' }),
    allProps: boolean({ default: false, label: 'Keep all message properties in each part' }),
  },
  migrate: migrateFileIn,
  editor: { color: 'BurlyWood', icon: 'file-in.svg' },
  create(config, node) {
    const codec = createTextCodec();
    const filenameType = config.filenameType || 'str';
    const format = config.format;

    const partMessage = (msg: Msg): Msg => (config.allProps ? cloneMessage(msg) : { topic: msg.topic, filename: msg.filename });

    const read = async (msg: Msg, fullPath: string, send: (m: Msg) => void): Promise<void> => {
      const file = await open(fullPath, 'r');
      try {
        const whole: Buffer[] = [];
        const lines = format === 'lines' ? codec.decoder(config.encoding || 'none') : undefined;
        let spare = '';
        let count = 0;
        let pendingEnd = false;
        for (;;) {
          const buffer = Buffer.alloc(CHUNK_SIZE);
          const { bytesRead } = await file.read(buffer, 0, CHUNK_SIZE, null);
          if (bytesRead === 0) break;
          const chunk = buffer.subarray(0, bytesRead);
          if (format === 'lines') {
            // A streaming decoder keeps multi-byte characters whole across blocks.
            spare += lines!.write(chunk);
            const bits = spare.split('\n');
            spare = bits.pop()!;
            for (const line of bits) {
              const m = partMessage(msg);
              m.payload = line;
              m.parts = { index: count++, ch: '\n', type: 'string', id: msg._msgid };
              send(m);
            }
          } else if (format === 'stream') {
            const m = partMessage(msg);
            m.payload = chunk;
            const parts: Record<string, unknown> = { index: count++, ch: '', type: 'buffer', id: msg._msgid };
            pendingEnd = bytesRead === CHUNK_SIZE;
            if (!pendingEnd) parts.count = count;
            m.parts = parts;
            send(m);
          } else {
            whole.push(chunk);
          }
          if (bytesRead < CHUNK_SIZE) break;
        }
        if (format === 'lines') {
          const m = partMessage(msg);
          m.payload = spare + lines!.end();
          m.parts = { index: count, count: count + 1, ch: '\n', type: 'string', id: msg._msgid };
          send(m);
        } else if (format === 'stream') {
          // The last block was full: an empty closing part carries the count.
          if (pendingEnd) send({ parts: { index: count, count, ch: '', type: 'buffer', id: msg._msgid } });
        } else {
          const data = Buffer.concat(whole);
          msg.payload = format === 'utf8' ? codec.decode(data, config.encoding || 'none') : data;
          send(msg);
        }
      } finally {
        await file.close();
      }
    };

    return {
      onInput(msg, send, done) {
        evaluateNodeProperty(config.filename, filenameType, node, msg, (err, value) => {
          if (err) {
            node.error(err, msg);
            done();
            return;
          }
          const filename = (value === null || value === undefined ? '' : String(value)).replace(/\t|\r|\n/g, '');
          const fullPath = resolveFilePath(filename, node.runtime.settings);
          if (!config.filename) node.status({ fill: 'grey', shape: 'dot', text: filename });
          if (filename === '') {
            node.warn('No filename specified');
            done();
            return;
          }
          msg.filename = filename;
          read(msg, fullPath, send).then(
            () => done(),
            (readErr: unknown) => {
              node.error(readErr, msg);
              if (config.sendError) {
                const m = cloneMessage(msg);
                delete m.payload;
                m.error = readErr;
                send(m);
              }
              done();
            },
          );
        });
      },
      onClose() {
        node.status({});
      },
    };
  },
});
