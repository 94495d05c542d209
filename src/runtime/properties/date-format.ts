/**
 * The `date` typed input. Node-RED 4 hands any format other than '', 'iso' and 'object' to
 * moment's `format()` in local time; so does this, with the same moment-timezone that `$moment`
 * uses, loaded only when a custom format is first evaluated (most flows never use one, and the
 * zone data costs megabytes of idle memory).
 */
import type momentTimezone from 'moment-timezone';
import { lazyRequire } from '../lazy-require.js';

const loadMoment = lazyRequire<typeof momentTimezone>('moment-timezone');

/**
 * Formats `date` with moment's tokens in local time; `[text]` is copied literally.
 *
 * @example formatDate(new Date(2024, 0, 5, 14, 3), 'YYYY-MM-DD HH:mm') // '2024-01-05 14:03'
 */
export function formatDate(date: Date, format: string): string {
  return loadMoment()(date).format(format);
}

/**
 * The value of a `date` typed input: '' milliseconds since epoch, 'iso' an ISO 8601 string,
 * 'object' a Date, anything else a formatted string.
 */
export function currentDateValue(format: string, now: Date = new Date()): number | string | Date {
  if (!format) return now.getTime();
  if (format === 'object') return now;
  if (format === 'iso') return now.toISOString();
  return formatDate(now, format);
}
