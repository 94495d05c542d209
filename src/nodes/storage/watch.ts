/**
 * watch: sends a message when a watched file or directory changes. Node-RED uses node-watch;
 * this uses node:fs `watch` with the same message shape and event names ('update' when the path
 * exists after the change, 'remove' when it is gone) and coalesces the burst of events one
 * change raises into one message per path.
 */
import { statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defineNode } from '../../runtime/definition/index.js';
import { boolean, string } from '../../runtime/definition/property-kinds.js';
import type { Msg } from '../../runtime/types.js';

// How long events for one path are gathered into one message (node-watch's default delay).
const SETTLE_MS = 200;

function kindOf(stat: Stats): string {
  if (stat.isFile()) return 'file';
  if (stat.isBlockDevice()) return 'blockdevice';
  if (stat.isCharacterDevice()) return 'characterdevice';
  if (stat.isSocket()) return 'socket';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isDirectory()) return 'directory';
  return 'n/a';
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    // Gone (or unreadable): reported as a 'remove' of type 'none', as Node-RED does.
    return undefined;
  }
}

/** The message Node-RED's watch node sends for a change of `path`. */
export function watchMessage(path: string, topic: string): Msg {
  const stat = statOrUndefined(path);
  const msg: Msg = { payload: path, topic, file: basename(path), filename: path, event: stat ? 'update' : 'remove' };
  msg.type = stat ? kindOf(stat) : 'none';
  if (stat?.isFile()) msg.size = stat.size;
  return msg;
}

export const watchNode = defineNode({
  type: 'watch',
  category: 'storage',
  inputs: 0,
  outputs: 1,
  properties: {
    // Comma-separated. Node-RED's help mentions quoting names with spaces, but its code only
    // splits on commas and trims; that code is followed here.
    files: string({ default: '', label: 'Files' }),
    recursive: boolean({ default: false, label: 'Watch sub-directories' }),
  },
  editor: { color: 'BurlyWood', icon: 'watch.svg' },
  create(config, node) {
    const files = config.files.split(',').map((f) => f.trim());
    const topic = files.length === 1 ? files[0]! : JSON.stringify(files);
    const watchers: FSWatcher[] = [];
    const pending = new Map<string, NodeJS.Timeout>();
    let closed = false;

    const report = (err: unknown) => node.error(err, { payload: '' });

    const changed = (path: string) => {
      if (closed) return;
      const previous = pending.get(path);
      if (previous) clearTimeout(previous);
      pending.set(
        path,
        setTimeout(() => {
          pending.delete(path);
          if (closed) return;
          try {
            node.send(watchMessage(path, topic));
          } catch (err) {
            report(err);
          }
        }, SETTLE_MS),
      );
    };

    for (const file of files) {
      const target = resolve(file);
      const stat = statOrUndefined(target);
      if (!stat) {
        // Reported after start, like node-watch's error event, so that the node is fully wired.
        setImmediate(() => !closed && report(new Error(`${file} does not exist.`)));
        continue;
      }
      try {
        const isDir = stat.isDirectory();
        const watcher = watch(target, { recursive: isDir && config.recursive }, (_event, name) => {
          // A directory watcher names the entry that changed; a file watcher the file itself.
          const path = isDir && name ? join(file, name.toString()) : file;
          changed(path);
        });
        watcher.on('error', report);
        watchers.push(watcher);
      } catch (err) {
        setImmediate(() => !closed && report(err));
      }
    }

    return {
      onClose() {
        closed = true;
        for (const w of watchers) w.close();
        for (const t of pending.values()) clearTimeout(t);
        pending.clear();
      },
    };
  },
});
