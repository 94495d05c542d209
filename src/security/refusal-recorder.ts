/**
 * Counts refused connections (address not allowed, bad TLS, ...) and records them in the audit
 * log without letting a flood fill it: the first refusal of an address is recorded at once, later
 * ones within `windowMs` are only counted, and the next record after the window carries how many
 * were folded into it. Memory is bounded: beyond `maxAddresses` the oldest address is forgotten.
 * A pure core: the clock is injected, the audit log is the only output.
 */
import { ConfigError } from '../errors/index.js';
import type { AuditLog, Clock } from './types.js';

export type RefusalReason = 'ip_not_allowed' | 'bad_tls' | (string & {});

export interface Refusal {
  address: string | undefined;
  reason: RefusalReason;
  /** What was refused, e.g. 'GET /flows', 'WS comms', 'http-in'; never a secret. */
  route?: string;
  details?: Record<string, unknown>;
}

export interface RefusalStats {
  total: number;
  byReason: Record<string, number>;
}

export interface RefusalRecorder {
  refused(refusal: Refusal): void;
  stats(): RefusalStats;
}

export interface RefusalRecorderOptions {
  /** One audit record per address per window; default one minute. */
  windowMs?: number;
  /** Addresses remembered at once; default 10,000. */
  maxAddresses?: number;
}

interface AddressState {
  recordedAt: number;
  folded: number;
}

/**
 * @example
 * const refusals = createRefusalRecorder({}, { clock, audit });
 * refusals.refused({ address: '203.0.113.9', reason: 'ip_not_allowed', route: 'GET /flows' });
 */
export function createRefusalRecorder(options: RefusalRecorderOptions, deps: { clock: Clock; audit: Pick<AuditLog, 'record'> }): RefusalRecorder {
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  if (!(windowMs > 0)) throw new ConfigError('refusals.windowMs', 'must be a positive number of milliseconds');
  if (!(maxAddresses >= 1)) throw new ConfigError('refusals.maxAddresses', 'must be at least 1');
  const byAddress = new Map<string, AddressState>();
  const counts: RefusalStats = { total: 0, byReason: {} };

  return {
    refused({ address, reason, route, details }) {
      counts.total += 1;
      counts.byReason[reason] = (counts.byReason[reason] ?? 0) + 1;
      const key = address ?? 'unknown';
      const now = deps.clock.now();
      const state = byAddress.get(key);
      if (state && now - state.recordedAt < windowMs) {
        state.folded += 1;
        return;
      }
      const folded = state?.folded ?? 0;
      byAddress.delete(key);
      byAddress.set(key, { recordedAt: now, folded: 0 });
      if (byAddress.size > maxAddresses) byAddress.delete(byAddress.keys().next().value as string);
      deps.audit.record({
        event: 'request.refused',
        address: key,
        details: { code: reason, ...(route ? { route } : {}), ...details, ...(folded > 0 ? { refusedSinceLastRecord: folded } : {}) },
      });
    },
    stats: () => ({ total: counts.total, byReason: { ...counts.byReason } }),
  };
}
