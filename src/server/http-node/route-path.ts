/**
 * Node-RED 4 runs on Express 4, whose route syntax Express 5 no longer accepts in two places
 * that saved flows use: a bare `*` wildcard and an optional `:param?`. They are rewritten here
 * to Express 5's `*name` and `{/:param}`; `req.params[0]`, `[1]`... then carry the wildcards as
 * Express 4 gave them.
 */
import { RedoubtError } from '../../errors/index.js';

export const WILDCARD_PREFIX = 'nrWildcard';

export function toExpress5Path(path: string): string {
  let wildcard = 0;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === ':') {
      const match = /^:([A-Za-z_$][\w$]*)(\?)?/.exec(path.slice(i));
      if (!match) throw new RedoubtError('invalid_route', `route '${path}' has a ':' without a parameter name`);
      if (match[2]) {
        // Express 4's `/:id?` makes the parameter and the slash before it optional.
        if (out.endsWith('/')) out = `${out.slice(0, -1)}{/:${match[1]}}`;
        else out += `{:${match[1]}}`;
      } else out += `:${match[1]}`;
      i += match[0].length - 1;
    } else if (ch === '*') {
      out += `*${WILDCARD_PREFIX}${wildcard++}`;
    } else out += ch;
  }
  return out;
}

/** Express 5 hands a wildcard over as its list of segments; Express 4 gave the joined string by position. */
export function restoreWildcardParams(params: Record<string, unknown>): void {
  for (const key of Object.keys(params)) {
    if (!key.startsWith(WILDCARD_PREFIX)) continue;
    const value = params[key];
    params[key.slice(WILDCARD_PREFIX.length)] = Array.isArray(value) ? value.join('/') : value;
    delete params[key];
  }
}
