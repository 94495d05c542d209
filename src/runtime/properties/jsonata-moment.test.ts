import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Msg } from '../types.js';
import { evaluateJSONataExpression, prepareJSONataExpression } from './jsonata.js';

// Node's module registry is one per process and the test runner gives each file its own process,
// so what is in it here was loaded by this file alone.
const requireHere = createRequire(import.meta.url);
const MOMENT_FILES = [requireHere.resolve('moment-timezone'), requireHere.resolve('moment')];
const isMomentLoaded = (): boolean => MOMENT_FILES.some((file) => requireHere.cache[file] !== undefined);

const run = (source: string, msg: Msg = {}): Promise<unknown> => evaluateJSONataExpression(prepareJSONataExpression(source, undefined), msg);

// Must stay the first suite of this file: every later one loads moment-timezone.
describe('$moment: loading', () => {
  it('leaves moment-timezone unloaded while no expression calls $moment', async () => {
    assert.equal(isMomentLoaded(), false);
    assert.equal(await run('payload * 2', { payload: 21 }), 42);
    assert.equal(await run('$string($now() != "")'), 'true');
    // Naming the function without calling it is not a use.
    assert.equal(await run('$type($moment)'), 'function');
    assert.equal(isMomentLoaded(), false);
  });

  it('loads moment-timezone on the first call', async () => {
    assert.equal(await run('$moment(0).tz("UTC").year()'), 1970);
    assert.equal(isMomentLoaded(), true);
  });
});

describe('$moment: Node-RED 4 behaviour', () => {
  const at = '2024-01-05T14:03:07.009Z';

  it('formats a fixed instant in an explicit zone, whatever the machine zone', async () => {
    const msg = { payload: at };
    assert.equal(await run('$moment(payload).tz("Europe/London").format("YYYY-MM-DD HH:mm:ss.SSS z")', msg), '2024-01-05 14:03:07.009 GMT');
    assert.equal(await run('$moment(payload).tz("Asia/Tokyo").format("dddd Do MMMM, h:mm a Z")', msg), 'Friday 5th January, 11:03 pm +09:00');
    assert.equal(await run('$moment(payload).tz("America/New_York").format()', msg), '2024-01-05T09:03:07-05:00');
  });

  it('follows daylight saving time in .tz()', async () => {
    assert.equal(await run('$moment("2024-07-01T12:00:00Z").tz("America/New_York").format("HH:mm z")'), '08:00 EDT');
    assert.equal(await run('$moment("2024-03-31T00:59:59Z").tz("Europe/Berlin").add(1, "second").format("HH:mm:ss Z")'), '03:00:00 +02:00');
    assert.equal(await run('$moment("2024-01-05T14:03:07Z").tz("Australia/Sydney").tz()'), 'Australia/Sydney');
  });

  it('adds and subtracts calendar units', async () => {
    assert.equal(await run('$moment("2024-01-31T00:00:00Z").tz("UTC").add(1, "month").format("YYYY-MM-DD")'), '2024-02-29');
    assert.equal(await run('$moment("2024-03-01T00:00:00Z").tz("UTC").subtract(1, "day").format("YYYY-MM-DD")'), '2024-02-29');
    assert.equal(await run('$moment($$.payload).add(90, "minutes").valueOf()', { payload: 0 }), 5_400_000);
    assert.equal(await run('$moment("2024-01-10T00:00:00Z").diff($moment("2024-01-05T12:00:00Z"), "hours")'), 108);
  });

  it('parses with a format, a locale and strict mode (arguments 2 to 4)', async () => {
    assert.equal(await run('$moment("05/01/2024 14:03 +0200", "DD/MM/YYYY HH:mm ZZ").toISOString()'), '2024-01-05T12:03:00.000Z');
    assert.equal(await run('$moment("2024-13-45", "YYYY-MM-DD", true).isValid()'), false);
    assert.equal(await run('$moment("2024-1-5", "YYYY-MM-DD").isValid()'), true);
    assert.equal(await run('$moment("5 janvier 2024 +0000", "D MMMM YYYY ZZ", "fr", true).toISOString()'), '2024-01-05T00:00:00.000Z');
  });

  it('takes epoch milliseconds and Dates, and now when called without arguments', async () => {
    assert.equal(await run('$moment(payload).toISOString()', { payload: Date.parse(at) }), at);
    assert.equal(await run('$moment(payload).toISOString()', { payload: new Date(at) }), at);
    const before = Date.now();
    const now = (await run('$moment().valueOf()')) as number;
    assert.ok(now >= before && now <= Date.now());
  });

  it('keeps methods chainable through clone() and returns moments usable outside JSONata', async () => {
    assert.equal(await run('$moment("2024-01-05T14:03:07Z").clone().tz("UTC").startOf("day").format()'), '2024-01-05T00:00:00Z');
    const m = (await run('$moment("2024-01-05T14:03:07Z").tz("UTC")')) as { format(f: string): string; toJSON(): string };
    assert.equal(m.format('HH:mm'), '14:03');
    assert.equal(JSON.stringify({ m }), '{"m":"2024-01-05T14:03:07.000Z"}');
  });

  it('exposes only moment methods: no constructor and nothing of Object.prototype', async () => {
    assert.equal(await run('$moment(0).constructor'), undefined);
    assert.equal(await run('$moment(0).hasOwnProperty'), undefined);
    await assert.rejects(run('$moment(0).constructor("x")'), /non-function/);
  });
});
