import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainBench } from '../flows/chain.js';
import { verifyMarker } from './message-suite.js';
import { cpuSeconds, peakRss } from './proc-stat.js';
import { createCollector, formatMarkdown, formatTable } from './results.js';
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
    c.add('full deploy', 'ms', 'time', 'node-red', 1000);
    c.add('full deploy', 'ms', 'time', 'redoubt', 100);
    c.note('redoubt: 12 warnings/errors during full deploy (e.g. nodes that failed to start): its numbers are not comparable');
    const t = targetChecks([c.result()]).find((x) => x.target.startsWith('10,000-node full deploy'));
    assert.equal(t?.met, null);
    assert.match(t?.measured ?? '', /not comparable/);
  });
});
