import t from 'tap';
import { MessageDisplay, progressString, streamError, type JsonMessage } from '../../cli/render/progress.js';

// A pull as berth's daemon streams it (the same messages dockerd sends).
const PULL: JsonMessage[] = [
  { status: 'Pulling from multi', id: 'v1', progressDetail: {} },
  { status: 'Already exists', id: '401b5d99a886', progressDetail: {} },
  { status: 'Pulling fs layer', id: '482aea39ae22', progressDetail: {} },
  { status: 'Downloading', id: '482aea39ae22', progressDetail: { current: 231, total: 463 }, progress: '[=========================>      ]     231B/463B' },
  { status: 'Download complete', id: '482aea39ae22', progressDetail: {} },
  { status: 'Pull complete', id: '482aea39ae22', progressDetail: {} },
  { status: 'Digest: sha256:ff89' },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/multi:v1' },
];

const show = (display: MessageDisplay, messages: JsonMessage[]): string => messages.map((m) => display.render(m)).join('');

t.test('progress bar: docker JSONProgress.String on wide and narrow terminals', async (t) => {
  t.equal(progressString({ current: 65140, total: 1053000 }, 120), `[===>${' '.repeat(47)}]  65.14kB/1.053MB`);
  t.equal(progressString({ current: 1053000, total: 1053000 }, 120), `[${'='.repeat(50)}>]  1.053MB/1.053MB`, 'full bar still ends in >');
  t.equal(progressString({ current: 463, total: 463 }, 120), `[${'='.repeat(50)}>]     463B/463B`, 'counts right-aligned in 8 columns');
  t.equal(progressString({ current: 231, total: 463 }, 80), '    231B/463B', 'no bar at 110 columns or less');
  t.equal(progressString({ current: 600, total: 463 }, 80), '    600B', 'a current past the total hides the total');
  t.equal(progressString({ current: 1_500_000 }, 120), '   1.5MB', 'no total: the count alone');
  t.equal(progressString({ current: 3, total: 10, units: 'layers' }, 80), '3/10 layers');
  t.equal(progressString({}, 120), '');
});

t.test('not a terminal: plain status lines, no bars', async (t) => {
  t.equal(show(new MessageDisplay(false), PULL), [
    'v1: Pulling from multi',
    '401b5d99a886: Already exists',
    '482aea39ae22: Pulling fs layer',
    '482aea39ae22: Download complete',
    '482aea39ae22: Pull complete',
    'Digest: sha256:ff89',
    'Status: Downloaded newer image for 127.0.0.1:5000/multi:v1',
    '',
  ].join('\n'));
  t.equal(new MessageDisplay(false).render({ stream: 'Loaded image: busybox:latest\n' }), 'Loaded image: busybox:latest\n', 'load lines pass through');
  t.equal(new MessageDisplay(false).render({ aux: { Digest: 'sha256:1' } }), '', 'aux messages are not shown');
});

t.test('terminal: one line per id, redrawn in place (byte for byte what docker 28 writes)', async (t) => {
  const out = show(new MessageDisplay(true, 120), PULL);
  const esc = '\x1b[';
  t.equal(out, [
    `\n${esc}1A${esc}2K\rv1: Pulling from multi \r${esc}1B`,
    `\n${esc}1A${esc}2K\r401b5d99a886: Already exists \r${esc}1B`,
    `\n${esc}1A${esc}2K\r482aea39ae22: Pulling fs layer \r${esc}1B`,
    `${esc}1A${esc}2K\r482aea39ae22: Downloading [${'='.repeat(24)}>${' '.repeat(26)}]     231B/463B\r${esc}1B`,
    `${esc}1A${esc}2K\r482aea39ae22: Download complete \r${esc}1B`,
    `${esc}1A${esc}2K\r482aea39ae22: Pull complete \r${esc}1B`,
    'Digest: sha256:ff89\n',
    'Status: Downloaded newer image for 127.0.0.1:5000/multi:v1\n',
  ].join(''));
  // An earlier layer is three lines up from the cursor once two more ids have their lines.
  const display = new MessageDisplay(true, 120);
  show(display, PULL.slice(0, 3));
  t.equal(display.render({ status: 'Verifying Checksum', id: '401b5d99a886', progressDetail: {} }), `${esc}2A${esc}2K\r401b5d99a886: Verifying Checksum \r${esc}2B`);
});

t.test('errors in the stream', async (t) => {
  t.equal(streamError({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }), 'manifest unknown');
  t.equal(streamError({ error: 'plain' }), 'plain');
  t.equal(streamError({ errorDetail: { code: 401, message: 'x' } }), 'authentication is required');
  t.equal(streamError({ status: 'fine' }), undefined);
});
