import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { cliOperator } from './cli-operator.js';

describe('cliOperator', () => {
  it('names the OS account running the command, marked as coming from the command line', () => {
    assert.equal(cliOperator(), `cli:${userInfo().username}`);
  });
});
