import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportForEditor, mergeFromEditor, UNCHANGED_PASSWORD } from './credential-editor.js';

const decls = { user: { type: 'text' as const }, password: { type: 'password' as const } };

describe('exportForEditor', () => {
  it('sends text fields as they are and password fields only as has_<name>', () => {
    assert.deepEqual(exportForEditor({ user: 'ada', password: 'secret' }, decls), { user: 'ada', has_password: true });
    assert.deepEqual(exportForEditor({ password: '' }, decls), { user: '', has_password: false });
    assert.deepEqual(exportForEditor(undefined, decls), {});
  });

  it('sends no value at all for a type without a declaration (subflow, tab, group, unknown)', () => {
    const out = exportForEditor({ user: 'ada', token: 't' }, undefined);
    assert.deepEqual(out, { has_user: true, has_token: true });
    assert.doesNotMatch(JSON.stringify(out), /ada|"t"/);
  });
});

describe('mergeFromEditor', () => {
  it('keeps a password sent back as __PWRD__ and replaces changed fields', () => {
    assert.deepEqual(mergeFromEditor({ user: 'ada', password: 'old' }, { user: 'bob', password: UNCHANGED_PASSWORD }, decls), { user: 'bob', password: 'old' });
  });

  it('removes a field sent blank, keeps one not sent, and ignores undeclared fields', () => {
    assert.deepEqual(mergeFromEditor({ user: 'ada', password: 'old' }, { password: '  ', extra: 'x' }, decls), { user: 'ada' });
  });

  it('treats __PWRD__ in a text field as a value, as Node-RED does', () => {
    assert.deepEqual(mergeFromEditor({}, { user: UNCHANGED_PASSWORD }, decls), { user: UNCHANGED_PASSWORD });
  });

  it('for an undeclared type, keeps __PWRD__ fields and drops fields the editor no longer sends', () => {
    assert.deepEqual(mergeFromEditor({ a: '1', b: '2', c: '3' }, { a: UNCHANGED_PASSWORD, b: 'new' }, undefined), { a: '1', b: 'new' });
  });

  it('does not change the existing record', () => {
    const existing = { password: 'old' };
    mergeFromEditor(existing, { password: 'new' }, decls);
    assert.deepEqual(existing, { password: 'old' });
  });
});
