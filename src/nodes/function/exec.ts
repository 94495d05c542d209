/**
 * The exec node: runs a system command with the message's property appended, and sends stdout,
 * stderr and the return code to its three outputs; in exec mode once the command ends, in
 * spawn mode as the output arrives. Node-RED 4's properties and behaviour, except that it runs
 * nothing unless the installation's settings say `execEnabled: true`: a flow that uses it still
 * deploys, and every message it receives fails with an error saying how to enable it.
 */
import { exec as execChild, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { boolean, defineNode, number, select, string } from '../../runtime/definition/index.js';
import { PermissionError, RedoubtError, type ValidationIssue } from '../../errors/index.js';
import { cloneMessage, compileMessagePath, isPrintableUtf8 } from '../../runtime/properties/index.js';
import type { FlowConfigNode, Msg } from '../../runtime/types.js';
import type { DoneFn, SendFn } from '../../runtime/definition/index.js';

export const EXEC_DISABLED_MESSAGE =
  "exec is disabled by this installation's settings; set execEnabled: true in redoubt.yaml to allow it";

/** Node-RED saved `addpay` as a boolean before it named a property; missing meant "payload". */
export function migrateExec(raw: FlowConfigNode): FlowConfigNode {
  const addpay = raw.addpay;
  if (addpay === undefined || addpay === true || addpay === 'true') return { ...raw, addpay: 'payload' };
  if (addpay === false || addpay === 'false') return { ...raw, addpay: '' };
  return raw;
}

/** Splits a command line on spaces, keeping "quoted parts" together without their quotes. */
export function splitCommandLine(line: string): string[] {
  const parts = line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return parts.map((part) => (/^".*"$/.test(part) ? part.slice(1, -1) : part));
}

/** Output as text when it is printable UTF-8, otherwise the Buffer, as Node-RED decides. */
export function textOrBuffer(data: Buffer): string | Buffer {
  return isPrintableUtf8(data) ? data.toString() : data;
}

type ReturnCode = number | null | { code: number | string | null; signal?: string; message?: string };

export const exec = defineNode({
  type: 'exec',
  category: 'function',
  inputs: 1,
  outputs: 3,
  properties: {
    command: string({ default: '', label: 'Command' }),
    addpay: string({ default: 'payload', label: 'Append msg property' }),
    append: string({ default: '', label: 'extra input parameters' }),
    useSpawn: select(['false', 'true'], { default: 'false', label: 'Output' }),
    timer: number({ default: 0, min: 0, label: 'Timeout (seconds)' }),
    // Only meaningful on Windows, which Redoubt does not hide consoles for; kept so flows round-trip.
    winHide: boolean({ default: false }),
    oldrc: boolean({ default: false, label: 'Use old style output (compatibility mode)' }),
    name: string({ default: '' }),
  },
  migrate: migrateExec,
  validate(config) {
    const issues: ValidationIssue[] = [];
    if (config.addpay) {
      try {
        compileMessagePath(config.addpay);
      } catch (err) {
        issues.push({ code: 'invalid_property_expression', nodeId: config.id, property: 'addpay', message: `'addpay' ${(err as Error).message}` });
      }
    }
    return issues;
  },
  create(config, node) {
    if (node.runtime.settings.execEnabled !== true) {
      node.warn(EXEC_DISABLED_MESSAGE);
      return {
        onInput(_msg, _send, done) {
          node.status({ fill: 'red', shape: 'dot', text: 'disabled by settings' });
          done(new PermissionError(EXEC_DISABLED_MESSAGE, { nodeId: node.id, setting: 'execEnabled' }));
        },
      };
    }

    const command = config.command.trim();
    const append = config.append.trim();
    const addpay = config.addpay ? compileMessagePath(config.addpay) : undefined;
    const useSpawn = config.useSpawn === 'true';
    const timeoutMs = Number(config.timer) * 1000;
    const oldrc = config.oldrc;
    const isWindows = process.platform === 'win32';
    const maxBuffer = Number(node.runtime.settings.execMaxBufferSize) || 10_000_000;
    // Node-RED runs exec-mode commands with bash where Linux has it, so bash syntax works in flows.
    const shell = process.platform === 'linux' && existsSync('/bin/bash') ? '/bin/bash' : undefined;
    const active = new Map<number, ChildProcess & { tout?: NodeJS.Timeout }>();

    const commandLine = (msg: Msg): string => {
      let line = command;
      if (addpay) {
        const value = addpay.get(msg);
        if (value !== undefined) line += ' ' + String(value);
      }
      if (append !== '') line += ' ' + append;
      return line;
    };

    const track = (child: ChildProcess & { tout?: NodeJS.Timeout }) => {
      node.status({ fill: 'blue', shape: 'dot', text: `pid:${child.pid}` });
      if (child.pid === undefined) return;
      if (timeoutMs > 0) child.tout = setTimeout(() => child.kill(), timeoutMs);
      active.set(child.pid, child);
    };
    const untrack = (child: ChildProcess & { tout?: NodeJS.Timeout }) => {
      if (child.tout) clearTimeout(child.tout);
      if (child.pid !== undefined) active.delete(child.pid);
    };

    const kill = (msg: Msg, done: DoneFn) => {
      const requested = msg.kill;
      const signal = (typeof requested === 'string' && requested.toUpperCase().startsWith('SIG') ? requested : 'SIGTERM').toUpperCase();
      let target: ChildProcess | undefined;
      if (Object.prototype.hasOwnProperty.call(msg, 'pid')) target = active.get(Number(msg.pid));
      else if (active.size === 1) target = active.values().next().value;
      if (target) {
        try {
          target.kill(signal as NodeJS.Signals);
        } catch (err) {
          done(new RedoubtError('invalid_signal', `cannot send ${signal}: ${(err as Error).message}`, { cause: err, place: { nodeId: node.id } }));
          return;
        }
        node.status({ fill: 'red', shape: 'dot', text: 'killed' });
      }
      done();
    };

    const runSpawn = (msg: Msg, send: SendFn, done: DoneFn) => {
      const args = splitCommandLine(commandLine(msg));
      const cmd = args.shift();
      if (cmd === undefined) {
        done(new RedoubtError('no_command', 'exec: nothing to run (the command line is empty)', { place: { nodeId: node.id } }));
        return;
      }
      node.debug(`${cmd} [${args.join(',')}]`);
      const child: ChildProcess & { tout?: NodeJS.Timeout } = isWindows
        ? spawn([cmd, ...args].join(' '), { shell: true, windowsHide: config.winHide })
        : spawn(cmd, args, { windowsHide: config.winHide });
      const unknownCommand = child.pid === undefined;
      track(child);
      const isLive = () => child.pid !== undefined && active.has(child.pid);
      const forward = (output: 0 | 1) => (data: Buffer) => {
        if (!isLive()) return;
        msg.payload = textOrBuffer(data);
        const outputs: Array<Msg | null> = [null, null, null];
        outputs[output] = cloneMessage(msg);
        send(outputs);
      };
      child.stdout?.on('data', forward(0));
      child.stderr?.on('data', forward(1));
      // A command that cannot start reports through 'close' with a negative code, as in Node-RED.
      child.on('error', (err) => node.debug(`spawn ${cmd}: ${err.message}`));
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        if (unknownCommand || isLive()) {
          untrack(child);
          let rc: ReturnCode = code;
          if (!oldrc) rc = signal ? { code, signal } : { code };
          // Node-RED clears the status for code 0 and then shows it as "rc:0" in yellow anyway;
          // the editor shows that, so Redoubt does too.
          if (code === 0) node.status({});
          if (code === null) node.status({ fill: 'red', shape: 'dot', text: 'killed' });
          else if (code < 0) node.status({ fill: 'red', shape: 'dot', text: `rc:${code}` });
          else node.status({ fill: 'yellow', shape: 'dot', text: `rc:${code}` });
          msg.payload = rc;
          send([null, null, cloneMessage(msg)]);
        }
        done();
      });
    };

    const runExec = (msg: Msg, send: SendFn, done: DoneFn) => {
      const line = commandLine(msg);
      node.debug(line);
      const child: ChildProcess & { tout?: NodeJS.Timeout } = execChild(
        line,
        { encoding: 'buffer', maxBuffer, windowsHide: config.winHide, shell },
        (error, stdout, stderr) => {
          untrack(child);
          delete msg.payload;
          let errMsg: Msg | null = null;
          if (stderr.length > 0) {
            errMsg = cloneMessage(msg);
            errMsg.payload = textOrBuffer(stderr);
          }
          msg.payload = textOrBuffer(stdout);
          node.status({});
          let rcMsg: Msg | null = null;
          if (error) {
            const failure = error as NodeJS.ErrnoException & { signal?: string | null; code?: number | string | null };
            const rc: ReturnCode = { code: failure.code ?? null, message: failure.message };
            if (failure.signal) rc.signal = failure.signal;
            rcMsg = cloneMessage(msg);
            rcMsg.payload = rc;
            node.status(
              failure.code === null || failure.code === undefined
                ? { fill: 'red', shape: 'dot', text: 'killed' }
                : { fill: 'red', shape: 'dot', text: `error:${failure.code}` },
            );
          } else if (!oldrc) {
            rcMsg = cloneMessage(msg);
            rcMsg.payload = { code: 0 };
          }
          if (rcMsg) {
            msg.rc = rcMsg.payload;
            if (errMsg) errMsg.rc = rcMsg.payload;
          }
          send([msg, errMsg, rcMsg]);
          done();
        },
      );
      track(child);
      // Failures arrive in the callback above; without a listener an 'error' would be thrown.
      child.on('error', (err) => node.debug(`exec: ${err.message}`));
    };

    return {
      onInput(msg, send, done) {
        if (Object.prototype.hasOwnProperty.call(msg, 'kill')) kill(msg, done);
        else if (useSpawn) runSpawn(msg, send, done);
        else runExec(msg, send, done);
      },
      onClose() {
        const running = [...active.values()];
        active.clear();
        for (const child of running) {
          if (child.tout) clearTimeout(child.tout);
          child.kill();
        }
        node.status({});
      },
    };
  },
  editor: { color: 'darksalmon', icon: 'cog.svg' },
});
