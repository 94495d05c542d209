import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs, parseCommandArgsOrUsage } from './command-args.js';
import { captureIo } from './test-kit.js';

const options = { 'user-dir': { type: 'string' }, json: { type: 'boolean' } } as const;

describe('parseCommandArgs', () => {
  it('reads options and positionals, and throws on an unknown option', () => {
    const { values, positionals } = parseCommandArgs(['list', '--user-dir', '/d', '--json'], options);
    assert.deepEqual({ ...values }, { 'user-dir': '/d', json: true });
    assert.deepEqual(positionals, ['list']);
    assert.throws(() => parseCommandArgs(['--nope'], options), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });
});

describe('parseCommandArgsOrUsage', () => {
  it('answers a bad option with the command, the reason and the usage, and no result', () => {
    const { io, err } = captureIo();
    assert.equal(parseCommandArgsOrUsage(['--user-dir'], options, io, { command: 'user 2fa', usage: 'usage: x\n' }), undefined);
    assert.match(err(), /^redoubt user 2fa: Option '--user-dir <value>' argument missing\nusage: x\n$/);
  });

  it('returns the parse of good arguments without writing anything', () => {
    const { io, err } = captureIo();
    assert.deepEqual(parseCommandArgsOrUsage(['a'], options, io, { command: 'c', usage: 'u' })?.positionals, ['a']);
    assert.equal(err(), '');
  });
});
