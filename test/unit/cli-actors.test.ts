import t from 'tap';
import { renderMessage, renderTree } from '../../cli/render/actors.js';

t.test('the actor tree renders as an indented outline with states', async (t) => {
  const lines = renderTree([
    { id: 'x:0', name: 'engine', parent: null, status: 'active', state: 'running' },
    { id: 'x:1', name: 'serveapi', parent: 'x:0', status: 'active', state: 'serving' },
    { id: 'x:2', name: 'server', parent: 'x:1', status: 'active' },
    { id: 'x:3', name: 'jobs', parent: 'x:0', status: 'active' },
  ]);
  t.same(lines, ['engine (running)', '  serveapi (serving)', '    server', '  jobs']);
});

t.test('live messages render by name; xstate internals are left out', async (t) => {
  const names = new Map([['x:3', 'jobs']]);
  const at = { seq: 1, time: 0 };
  t.equal(renderMessage({ ...at, type: 'actor.spawned', id: 'x:9', name: 'image.pull#4', parent: 'x:3' }, names), '+ image.pull#4 (under jobs)');
  t.equal(renderMessage({ ...at, type: 'state', id: 'x:9', state: 'downloading' }, names), '  image.pull#4 → downloading');
  t.equal(renderMessage({ ...at, type: 'event', id: 'x:9', source: null, event: 'xstate.done.actor.plan' }, names), null);
  t.equal(renderMessage({ ...at, type: 'job.failed', id: 'x:9', job: 'image.pull', kind: 'NotFound', message: 'manifest unknown', ms: 3 }, names), '✗ image.pull NotFound: manifest unknown');
  t.equal(renderMessage({ ...at, type: 'dropped', count: 12, reason: 'slow-client' }, names), '! 12 messages dropped (this client was too slow)');
  t.equal(renderMessage({ ...at, type: 'actor.stopped', id: 'x:9', status: 'done' }, names), '- image.pull#4 done');
});
