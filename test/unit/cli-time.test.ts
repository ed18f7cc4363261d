import t from 'tap';
import { parseDate, parseGoDuration, parseTimestamp } from '../../cli/time.js';

// A fixed "now" so relative values are exact: 2026-11-28T12:00:00Z.
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const NOW_S = NOW / 1000;

t.test('Go durations', async (t) => {
  t.equal(parseGoDuration('10m'), 600_000);
  t.equal(parseGoDuration('1h30m'), 5_400_000);
  t.equal(parseGoDuration('1.5h'), 5_400_000);
  t.equal(parseGoDuration('300ms'), 300);
  t.equal(parseGoDuration('-2s'), -2000);
  t.equal(parseGoDuration('+2s'), 2000);
  t.equal(parseGoDuration('1500us'), 1.5);
  t.equal(parseGoDuration('1500µs'), 1.5);
  for (const bad of ['10', '10d', 'm', '1.2.3s', '', '1h 30m', '2026-01-01']) t.equal(parseGoDuration(bad), undefined, bad);
});

t.test('durations count back from now, in whole seconds', async (t) => {
  t.equal(parseTimestamp('10m', NOW), String(NOW_S - 600));
  t.equal(parseTimestamp('1h', NOW), String(NOW_S - 3600));
  t.equal(parseTimestamp('1500ms', NOW), String(NOW_S - 2), 'floor, as Go Unix() does');
  t.equal(parseTimestamp('-1m', NOW), String(NOW_S + 60), 'a negative duration is in the future');
});

t.test('unix seconds pass through', async (t) => {
  t.equal(parseTimestamp('1700000000', NOW), '1700000000');
  t.equal(parseTimestamp('1700000000.123456789', NOW), '1700000000.123456789');
  t.equal(parseTimestamp('0', NOW), '0', '0 is the epoch, not a zero duration');
});

t.test('RFC 3339 dates with a zone', async (t) => {
  t.equal(parseTimestamp('2026-11-28T12:00:00Z', NOW), String(NOW_S));
  t.equal(parseTimestamp('2026-11-28T13:00:00+01:00', NOW), String(NOW_S));
  t.equal(parseTimestamp('2026-11-28T07:30:00-04:30', NOW), String(NOW_S));
  t.equal(parseTimestamp('2026-11-28T12:00:00.5Z', NOW), `${NOW_S}.500000000`);
  t.equal(parseTimestamp('2026-11-28T12:00:00.000000001Z', NOW), `${NOW_S}.000000001`);
  t.equal(parseTimestamp('2026-11-28T12Z', NOW), String(NOW_S), 'hours only');
  t.equal(parseTimestamp('2026-11-28T12:00Z', NOW), String(NOW_S), 'hours and minutes');
});

t.test('dates without a zone are local time', async (t) => {
  t.equal(parseDate('2026-11-28'), String(new Date(2026, 10, 28).getTime() / 1000));
  t.equal(parseDate('2026-11-28T09:15:30'), String(new Date(2026, 10, 28, 9, 15, 30).getTime() / 1000));
});

t.test('garbage and impossible dates are refused', async (t) => {
  for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '2026-11-28T25:00:00Z', '2026-11-28T12:00:00+0100', '-5', '']) {
    t.throws(() => parseTimestamp(bad, NOW), { name: 'InvalidParameterError', message: /invalid timestamp/ }, JSON.stringify(bad));
  }
});
