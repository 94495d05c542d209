/**
 * The `date` typed input with a custom format. Node-RED 4 hands any format other than '', 'iso'
 * and 'object' to moment's `format()`; moment is not a dependency here, so this covers moment's
 * common tokens in local time. Unsupported letters pass through unchanged, as moment does for
 * characters that are not tokens.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const TOKENS = /\[([^\]]*)\]|YYYY|YY|Q|MMMM|MMM|MM|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|d|E|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x/g;

const pad = (n: number, width = 2): string => String(Math.abs(Math.trunc(n))).padStart(width, '0');

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return n + (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
}

function offset(d: Date, separator: string): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  return `${sign}${pad(Math.abs(minutes) / 60)}${separator}${pad(Math.abs(minutes) % 60)}`;
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
}

function token(t: string, d: Date): string {
  const h = d.getHours();
  switch (t) {
    case 'YYYY': return pad(d.getFullYear(), 4);
    case 'YY': return pad(d.getFullYear() % 100);
    case 'Q': return String(Math.floor(d.getMonth() / 3) + 1);
    case 'MMMM': return MONTHS[d.getMonth()];
    case 'MMM': return MONTHS[d.getMonth()].slice(0, 3);
    case 'MM': return pad(d.getMonth() + 1);
    case 'M': return String(d.getMonth() + 1);
    case 'DDDD': return pad(dayOfYear(d), 3);
    case 'DDD': return String(dayOfYear(d));
    case 'Do': return ordinal(d.getDate());
    case 'DD': return pad(d.getDate());
    case 'D': return String(d.getDate());
    case 'dddd': return DAYS[d.getDay()];
    case 'ddd': return DAYS[d.getDay()].slice(0, 3);
    case 'dd': return DAYS[d.getDay()].slice(0, 2);
    case 'd': return String(d.getDay());
    case 'E': return String(d.getDay() === 0 ? 7 : d.getDay());
    case 'HH': return pad(h);
    case 'H': return String(h);
    case 'hh': return pad(h % 12 || 12);
    case 'h': return String(h % 12 || 12);
    case 'kk': return pad(h || 24);
    case 'k': return String(h || 24);
    case 'mm': return pad(d.getMinutes());
    case 'm': return String(d.getMinutes());
    case 'ss': return pad(d.getSeconds());
    case 's': return String(d.getSeconds());
    case 'SSS': return pad(d.getMilliseconds(), 3);
    case 'SS': return pad(Math.floor(d.getMilliseconds() / 10));
    case 'S': return String(Math.floor(d.getMilliseconds() / 100));
    case 'A': return h < 12 ? 'AM' : 'PM';
    case 'a': return h < 12 ? 'am' : 'pm';
    case 'ZZ': return offset(d, '');
    case 'Z': return offset(d, ':');
    case 'X': return String(Math.floor(d.getTime() / 1000));
    case 'x': return String(d.getTime());
    default: return t;
  }
}

/**
 * Formats `date` with moment-style tokens (local time); `[text]` is copied literally.
 *
 * @example formatDate(new Date(2024, 0, 5, 14, 3), 'YYYY-MM-DD HH:mm') // '2024-01-05 14:03'
 */
export function formatDate(date: Date, format: string): string {
  return format.replace(TOKENS, (match, literal: string | undefined) => (literal !== undefined ? literal : token(match, date)));
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
