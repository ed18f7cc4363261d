import t from 'tap';
import { encodeFilters, parseFilters } from '../../cli/filters.js';

t.test('key=value flags become a map of value lists', async (t) => {
  const filters = parseFilters(['type=container', 'event=start', 'event=die', 'type=container']);
  t.same(filters, { type: ['container'], event: ['start', 'die'] }, 'values grouped by key, duplicates dropped');
  t.equal(encodeFilters(filters), '{"type":["container"],"event":["start","die"]}');
});

t.test('keys are lower-cased and trimmed; values keep further = signs', async (t) => {
  t.same(parseFilters([' Label = com.example.tier=db ']), { label: ['com.example.tier=db'] });
  t.same(parseFilters(['container=']), { container: [''] }, 'an empty value is still a value');
});

t.test('no filters leave the parameter out', async (t) => {
  t.equal(encodeFilters(parseFilters([])), undefined);
});

t.test('a filter without a name or = is refused', async (t) => {
  for (const bad of ['container', '=x', '']) {
    t.throws(() => parseFilters([bad]), { name: 'InvalidParameterError', message: /expected name=value/ }, bad);
  }
});
