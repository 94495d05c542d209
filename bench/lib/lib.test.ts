import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { chainBench } from '../flows/chain.js';
import { verifyMarker } from './message-suite.js';
import { cpuSeconds, peakRss } from './proc-stat.js';
import { loadMetrics, type LoadResult } from './http-suite.js';
import { createCollector, formatMarkdown, formatSummary, formatTable } from './results.js';
import { createLineReader, markerOf } from './server-child.js';
import { benchCredentials, nodeRedSettingsText, redoubtSettingsText } from './server-setup.js';
import { median, ratio } from './stats.js';
import { targetChecks } from './targets.js';

describe('stats', () => {
  it('median takes the middle value, or the mean of the two middle ones, ignoring non-numbers', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([null, 7, undefined, Number.NaN]), 7);
    assert.equal(median([]), null);
  });

  it('ratio is null when a side is missing or the divisor is zero', () => {
    assert.equal(ratio(10, 4), 2.5);
    assert.equal(ratio(null, 4), null);
    assert.equal(ratio(4, 0), null);
  });
});

describe('createCollector', () => {
  it('reports speedups for rates and times and shares for memory', () => {
    const c = createCollector('x', 'X');
    for (const v of [100, 300, 200]) c.add('throughput', 'msg/s', 'rate', 'node-red', v);
    for (const v of [1000, 900, 1100]) c.add('throughput', 'msg/s', 'rate', 'redoubt', v);
    c.add('deploy', 'ms', 'time', 'node-red', 500);
    c.add('deploy', 'ms', 'time', 'redoubt', 100);
    c.add('rss', 'MB', 'memory', 'node-red', 200);
    c.add('rss', 'MB', 'memory', 'redoubt', 50);
    const rows = Object.fromEntries(c.result().rows.map((r) => [r.metric, r]));
    assert.equal(rows.throughput.nodeRed, 200);
    assert.equal(rows.throughput.ratio, 5);
    assert.equal(rows.deploy.ratio, 5);
    assert.equal(rows.rss.ratio, 0.25);
  });

  it('leaves the ratio empty when Redoubt gave no number, and prints n/a', () => {
    const c = createCollector('x', 'X');
    c.add('throughput', 'msg/s', 'rate', 'node-red', 100);
    c.add('throughput', 'msg/s', 'rate', 'redoubt', undefined);
    c.note('redoubt runtime not available');
    const result = c.result();
    assert.equal(result.rows[0].ratio, null);
    assert.match(formatTable(result), /n\/a/);
    assert.match(formatMarkdown(result), /redoubt runtime not available/);
  });
});

describe('verifyMarker', () => {
  const bench = chainBench(3);
  it('accepts the marker of a correct run', () => {
    assert.equal(verifyMarker(bench, 'tk', `done|tk|3|${bench.expected.check}|1700000000000`), null);
  });

  it('refuses a wrong count, a wrong check, another token and garbage', () => {
    assert.match(verifyMarker(bench, 'tk', `done|tk|2|${bench.expected.check}|1`) ?? '', /count 2/);
    assert.match(verifyMarker(bench, 'tk', 'done|tk|3|bench,x,1,true,6|1') ?? '', /check/);
    assert.match(verifyMarker(bench, 'tk', `done|other|3|${bench.expected.check}|1`) ?? '', /another run/);
    assert.match(verifyMarker(bench, 'tk', undefined) ?? '', /malformed/);
  });
});

describe('proc-stat', () => {
  it('reads CPU time and peak RSS of a live process', () => {
    const before = cpuSeconds(process.pid, 100);
    let x = 0;
    const until = process.cpuUsage().user + 50000;
    while (process.cpuUsage().user < until) x += Math.sqrt(x + 1);
    assert.ok(x > 0);
    assert.ok(cpuSeconds(process.pid, 100) > before);
    assert.ok((peakRss(process.pid) ?? 0) > 1024 * 1024);
  });

  it('gives 0 and null for a process that does not exist', () => {
    assert.equal(cpuSeconds(2 ** 22 + 12345, 100), 0);
    assert.equal(peakRss(2 ** 22 + 12345), null);
  });
});

describe('targetChecks', () => {
  it('marks a target unknown without a ratio, met or missed with one', () => {
    const c = createCollector('chain', 'chain');
    c.add('throughput', 'msg/s', 'rate', 'node-red', 100);
    c.add('throughput', 'msg/s', 'rate', 'redoubt', 600);
    const checks = targetChecks([c.result()]);
    assert.equal(checks.find((t) => t.target.startsWith('chain'))?.met, true);
    assert.equal(checks.find((t) => t.target.startsWith('switch'))?.met, null);
  });
});

describe('targetChecks with flagged runs', () => {
  it('does not count a target as met when a runtime logged errors during it', () => {
    const c = createCollector('deploy-10000', 'deploy');
    c.add('full deploy, until serving', 'ms', 'time', 'node-red', 1000);
    c.add('full deploy, until serving', 'ms', 'time', 'redoubt', 100);
    c.note('redoubt: 12 warnings/errors during full deploy (e.g. nodes that failed to start): its numbers are not comparable');
    const t = targetChecks([c.result()]).find((x) => x.target.startsWith('10,000-node full deploy'));
    assert.equal(t?.met, null);
    assert.match(t?.measured ?? '', /not comparable/);
  });
});

describe('console output', () => {
  it('finds the marker in Node-RED and Redoubt console lines', () => {
    assert.equal(markerOf('28 Nov 02:55:54 - [info] [debug:d1] done|tk|3|a,b|17 '), 'done|tk|3|a,b|17');
    assert.equal(markerOf('2026-11-28T02:55:34.642Z [info] [debug:marker] done|tk|3|x|1'), 'done|tk|3|x|1');
    assert.equal(markerOf('28 Nov 02:55:54 - [info] Started flows'), null);
  });

  it('reassembles lines split across chunks and keeps a tail', () => {
    const lines: string[] = [];
    const reader = createLineReader((l) => lines.push(l));
    reader.push('first li');
    reader.push(Buffer.from('ne\nsecond\nthi'));
    assert.deepEqual(lines, ['first line', 'second']);
    reader.push('rd\n');
    assert.deepEqual(lines, ['first line', 'second', 'third']);
    assert.match(reader.tail(), /first line\nsecond\nthird\n$/);
  });
});

describe('server setup', () => {
  it('gives Node-RED loopback, adminAuth with the hash, and no telemetry', () => {
    const text = nodeRedSettingsText('bench', '$2y$08$abcdefghijklmnopqrstuv');
    const exported = { exports: {} as Record<string, unknown> };
    new Function('module', text)(exported);
    const settings = exported.exports as { uiHost: string; adminAuth: { users: Array<{ username: string; password: string; permissions: string }> }; telemetry: { enabled: boolean } };
    assert.equal(settings.uiHost, '127.0.0.1');
    assert.deepEqual(settings.adminAuth.users, [{ username: 'bench', password: '$2y$08$abcdefghijklmnopqrstuv', permissions: '*' }]);
    assert.equal(settings.telemetry.enabled, false);
  });

  it('gives Redoubt its port on loopback, and loopback allow-lists when asked', () => {
    assert.match(redoubtSettingsText(4321, false), /^port: 4321$/m);
    assert.match(redoubtSettingsText(4321, false), /^host: 127\.0\.0\.1$/m);
    assert.doesNotMatch(redoubtSettingsText(4321, false), /ipAllowList/);
    const parsed = parseYaml(redoubtSettingsText(4321, true)) as { ipAllowList: { editor: string[]; httpNode: string[] } };
    assert.deepEqual(parsed.ipAllowList, { editor: ['127.0.0.1/32'], httpNode: ['127.0.0.1/32'] });
  });

  it('makes a different password each time, without the user name in it', () => {
    const a = benchCredentials();
    const b = benchCredentials();
    assert.notEqual(a.password, b.password);
    assert.ok(a.password.length >= 12);
    assert.ok(!a.password.toLowerCase().includes(a.username));
  });
});

describe('loadMetrics', () => {
  const result = (over: Partial<LoadResult>): LoadResult => ({ duration: 10, errors: 0, timeouts: 0, non2xx: 0, '2xx': 20000, requests: { total: 20000 }, latency: { p50: 12, p99: 40, average: 13 }, ...over });

  it('counts only 2xx answers per second and divides the CPU by every request', () => {
    const m = loadMetrics(result({ '2xx': 19000, non2xx: 1000 }), 9);
    assert.equal(m.requestsPerSecond, 1900);
    assert.equal(m.cpuMicrosPerRequest, 450);
    assert.equal(m.failed, 1000);
    assert.equal(m.p99Ms, 40);
  });

  it('has no CPU per request when nothing was sent', () => {
    const m = loadMetrics(result({ '2xx': 0, requests: { total: 0 }, errors: 32 }), 1);
    assert.equal(m.cpuMicrosPerRequest, null);
    assert.equal(m.requestsPerSecond, 0);
    assert.equal(m.failed, 32);
  });
});

describe('formatSummary', () => {
  it('puts the headline rows of every benchmark in one table and marks flagged ones', () => {
    const http = createCollector('http', 'http');
    http.add('requests/s', 'req/s', 'rate', 'node-red', 2000);
    http.add('requests/s', 'req/s', 'rate', 'redoubt', 9000);
    http.add('latency p50', 'ms', 'time', 'node-red', 10);
    const chain = createCollector('chain', 'chain');
    chain.add('throughput', 'msg/s', 'rate', 'node-red', 100);
    chain.add('throughput', 'msg/s', 'rate', 'redoubt', 300);
    chain.note('redoubt: 3 warnings/errors during a run (e.g. nodes that failed to start): its numbers are not comparable');
    const text = formatSummary([http.result(), chain.result()]);
    assert.match(text, /http +requests\/s \(req\/s\) +2,000 +9,000 +4\.50x faster/);
    assert.match(text, /chain \* +throughput/);
    assert.doesNotMatch(text, /latency p50/);
    assert.match(formatSummary([http.result()], 'markdown'), /\| http \| requests\/s \(req\/s\) \| 2,000 \| 9,000 \| 4\.50x faster \|/);
  });
});
