import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRouteTable } from './route-table.js';

describe('createRouteTable', () => {
  it('answers with the route registered first, whether it is exact or has parameters', () => {
    const table = createRouteTable<string>();
    table.add('get', '/:name', 'param');
    table.add('get', '/fixed', 'exact');
    assert.equal(table.find('GET', '/fixed')?.value, 'param');

    const other = createRouteTable<string>();
    other.add('get', '/fixed', 'exact');
    other.add('get', '/:name', 'param');
    assert.equal(other.find('GET', '/fixed')?.value, 'exact');
    assert.equal(other.find('GET', '/else')?.value, 'param');
  });

  it('answers with the next route once the first is removed, and removing twice is harmless', () => {
    const table = createRouteTable<string>();
    const first = table.add('get', '/dup', 'first');
    table.add('get', '/dup', 'second');
    first();
    first();
    assert.equal(table.find('GET', '/dup')?.value, 'second');
    assert.equal(table.size, 1);
  });

  it('matches as express does: any case, one trailing slash, no percent-decoding of the path', () => {
    const table = createRouteTable<string>();
    table.add('get', '/Bench', 'b');
    table.add('get', '/', 'root');
    assert.equal(table.find('GET', '/bench')?.value, 'b');
    assert.equal(table.find('GET', '/BENCH/')?.value, 'b');
    assert.equal(table.find('GET', '/bench//'), undefined);
    assert.equal(table.find('GET', '/b%65nch'), undefined);
    assert.equal(table.find('GET', '/benchx'), undefined);
    assert.equal(table.find('GET', '/')?.value, 'root');
    assert.equal(table.find('GET', '//')?.value, 'root');
  });

  it('keeps methods apart, and lets HEAD find GET routes', () => {
    const table = createRouteTable<string>();
    table.add('post', '/x', 'post');
    table.add('get', '/x', 'get');
    assert.equal(table.find('GET', '/x')?.value, 'get');
    assert.equal(table.find('HEAD', '/x')?.value, 'get');
    assert.equal(table.find('POST', '/x')?.value, 'post');
    assert.equal(table.find('PUT', '/x'), undefined);
    assert.equal(table.find('OPTIONS', '/x'), undefined);
    assert.equal(table.has('DELETE', '/x'), false);
  });

  it('decodes parameters and gives Express 4 wildcards and optional parameters', () => {
    const table = createRouteTable<string>();
    table.add('get', '/user/:id/:rest?', 'user');
    table.add('get', '/files/*', 'files');
    assert.deepEqual({ ...table.find('GET', '/user/42/x%20y')?.params }, { id: '42', rest: 'x y' });
    assert.deepEqual({ ...table.find('GET', '/user/42')?.params }, { id: '42' });
    assert.deepEqual({ ...table.find('GET', '/files/a/b%2Fc.txt')?.params }, { 0: 'a/b/c.txt' });
  });

  it('reports a parameter that is not valid percent-encoding as a 400 error of its route', () => {
    const table = createRouteTable<string>();
    table.add('get', '/user/:id', 'user');
    const hit = table.find('GET', '/user/%E0%A4%A');
    assert.equal(hit?.value, 'user');
    assert.equal(hit?.params, undefined);
    assert.equal(hit?.error?.status, 400);
    assert.equal(table.has('GET', '/user/%E0%A4%A'), true);
  });

  it('matches paths with characters outside ASCII through the route expressions', () => {
    const table = createRouteTable<string>();
    table.add('get', '/caf\u00e9', 'cafe');
    table.add('get', '/:word', 'word');
    assert.equal(table.find('GET', '/caf\u00e9')?.value, 'cafe');
    assert.equal(table.find('GET', '/\u212Aelvin')?.value, 'word');
  });

  it('refuses a path that is not a valid route with invalid_route', () => {
    const table = createRouteTable<string>();
    assert.throws(() => table.add('get', '/a/:', 'x'), (err: { code?: string }) => err.code === 'invalid_route');
    assert.throws(() => table.add('get', '/a/(x', 'x'), (err: { code?: string }) => err.code === 'invalid_route');
    assert.equal(table.size, 0);
  });

  it('lists the methods answered on a path, sorted, GET bringing HEAD', () => {
    const table = createRouteTable<string>();
    table.add('post', '/m', 'p');
    table.add('get', '/m', 'g');
    table.add('delete', '/:any', 'd');
    assert.deepEqual(table.allowedMethods('/m'), ['DELETE', 'GET', 'HEAD', 'POST']);
    assert.deepEqual(table.allowedMethods('/m/deeper'), []);
  });
});
