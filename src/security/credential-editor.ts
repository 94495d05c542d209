/**
 * Node-RED's rules for credentials crossing the editor boundary. Going out, a `password` field
 * becomes `has_<name>` (true when set) and never its value; a `text` field goes as it is. Coming
 * back, `__PWRD__` in a password field means "unchanged", an empty or blank string removes the
 * value, and fields the type does not declare are ignored. Types with no declaration (subflow
 * instances, tabs, groups, unknown types) are treated as all-password: nothing is sent back.
 */

export interface CredentialFieldDecl {
  type: 'text' | 'password';
}

/** A node type's credential declaration; `undefined` for subflows, tabs, groups and unknown types. */
export type CredentialDecls = Readonly<Record<string, CredentialFieldDecl>> | undefined;

/** What the editor sends for a password it did not change. */
export const UNCHANGED_PASSWORD = '__PWRD__';

/**
 * @example
 * exportForEditor({ user: 'ada', password: 'x' }, { user: { type: 'text' }, password: { type: 'password' } });
 * // { user: 'ada', has_password: true }
 */
export function exportForEditor(creds: Readonly<Record<string, unknown>> | undefined, typeDecls: CredentialDecls): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!creds) return out;
  const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (!typeDecls) {
    for (const name of Object.keys(creds)) out[`has_${name}`] = isSet(creds[name]);
    return out;
  }
  for (const [name, decl] of Object.entries(typeDecls)) {
    if (decl.type === 'password') out[`has_${name}`] = isSet(creds[name]);
    else out[name] = isSet(creds[name]) ? creds[name] : '';
  }
  return out;
}

/**
 * The credentials to store after a deploy: `existing` updated by what the editor sent. Pure.
 *
 * @example
 * mergeFromEditor({ password: 'old' }, { password: '__PWRD__', user: 'bob' }, decls); // { password: 'old', user: 'bob' }
 */
export function mergeFromEditor(
  existing: Readonly<Record<string, unknown>> | undefined,
  incoming: Readonly<Record<string, unknown>>,
  typeDecls: CredentialDecls,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...(existing ?? {}) };
  const apply = (name: string, value: unknown) => {
    if (isBlank(value)) delete result[name];
    else result[name] = value;
  };
  if (!typeDecls) {
    for (const [name, value] of Object.entries(incoming)) {
      if (value === UNCHANGED_PASSWORD) continue;
      apply(name, value);
    }
    // Without a declaration the editor sends every field it has; one it left out was removed.
    for (const name of Object.keys(result)) if (!(name in incoming)) delete result[name];
    return result;
  }
  for (const [name, decl] of Object.entries(typeDecls)) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (decl.type === 'password' && value === UNCHANGED_PASSWORD) continue;
    apply(name, value);
  }
  return result;
}

function isBlank(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}
