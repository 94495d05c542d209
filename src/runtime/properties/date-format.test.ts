import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { currentDateValue, formatDate } from './date-format.js';

// One module registry per test file (the runner gives each file its own process).
const requireHere = createRequire(import.meta.url);
const isMomentLoaded = (): boolean => requireHere.cache[requireHere.resolve('moment-timezone')] !== undefined;

describe('currentDateValue', () => {
  // First in this file: the later tests load moment-timezone.
  it('gives milliseconds, ISO text and Dates without loading moment-timezone', () => {
    const now = new Date(Date.UTC(2024, 0, 5, 14, 3, 7, 9));
    assert.equal(currentDateValue('', now), now.getTime());
    assert.equal(currentDateValue('iso', now), '2024-01-05T14:03:07.009Z');
    assert.equal(currentDateValue('object', now), now);
    assert.equal(isMomentLoaded(), false);
  });

  it('formats any other format with moment in local time', () => {
    const now = new Date(2024, 0, 5, 14, 3, 7, 9);
    assert.equal(currentDateValue('HH:mm [on] dddd', now), '14:03 on Friday');
    assert.equal(isMomentLoaded(), true);
  });
});

describe('formatDate', () => {
  it('knows the moment tokens a hand-written subset lacked: weeks, week years, localized formats', () => {
    const d = new Date(2024, 11, 30, 9, 5);
    assert.equal(formatDate(d, 'W GGGG w gggg'), '1 2025 1 2025');
    assert.equal(formatDate(d, 'L LT'), '12/30/2024 9:05 AM');
    assert.equal(formatDate(d, 'Wo [week], wo'), '1st week, 1st');
  });

  it('prints the machine offset as moment does', () => {
    const d = new Date(2024, 6, 1, 12, 0);
    const minutes = -d.getTimezoneOffset();
    const hhmm = `${String(Math.trunc(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
    assert.equal(formatDate(d, 'Z'), `${minutes < 0 ? '-' : '+'}${hhmm}`);
  });
});
