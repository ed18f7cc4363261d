import t from 'tap';
import { formatG, humanDuration, humanSize, since } from '../../cli/render/humanize.js';
import { IMAGE_HEADERS, imageFormat, imageRows, truncateId } from '../../cli/render/images.js';
import { indentJson } from '../../cli/render/json-indent.js';
import { renderListing } from '../../cli/render/listing.js';
import { tabwrite } from '../../cli/render/tabwriter.js';
import { HISTORY_HEADERS, ellipsis, historyFormat, historyRows } from '../../cli/render/history.js';
import { deleteLines, pruneReport } from '../../cli/render/image-delete.js';
import { dockerHumanFlag } from '../../cli/commands/image/history.js';
import type { HistoryResponseItem } from '../../protocol/types/images-api.js';
import { goJson } from '../../cli/render/template.js';
import type { ImageSummary } from '../../protocol/types/images-api.js';

// Every expected string here was checked against docker CLI 28.2.2 (go-units, text/tabwriter).
process.env.TZ = 'UTC';

t.test('sizes: go-units HumanSize with precision 3 and 4, Go %g included', async (t) => {
  t.equal(humanSize(0), '0B');
  t.equal(humanSize(999), '999B');
  t.equal(humanSize(1000), '1kB');
  t.equal(humanSize(36412), '36.41kB');
  t.equal(humanSize(1035162), '1.035MB');
  t.equal(humanSize(1982364, 3), '1.98MB');
  t.equal(humanSize(1982364), '1.982MB');
  t.equal(humanSize(77_800_000, 3), '77.8MB');
  t.equal(humanSize(2_000_000_000_000, 3), '2TB');
  // 999999 B is 999.999 kB: Go's %.3g rounds it to 1e+03, and docker prints just that.
  t.equal(humanSize(999_999, 3), '1e+03kB');
  t.equal(formatG(0.00001234, 4), '1.234e-05');
  t.equal(formatG(123.456, 4), '123.5');
  t.equal(formatG(2, 4), '2');
});

t.test('ages: go-units HumanDuration at its boundaries', async (t) => {
  const cases: [number, string][] = [
    [-5, 'Less than a second'], [0.5, 'Less than a second'], [1, '1 second'], [59, '59 seconds'],
    [60, 'About a minute'], [119, 'About a minute'], [120, '2 minutes'], [59 * 60 + 59, '59 minutes'],
    [3600, 'About an hour'], [5399, 'About an hour'], [5400, '2 hours'], [47 * 3600, '47 hours'],
    [48 * 3600, '2 days'], [13 * 86400, '13 days'], [14 * 86400, '2 weeks'], [59 * 86400, '8 weeks'],
    [60 * 86400, '2 months'], [729 * 86400, '24 months'], [730 * 86400, '2 years'], [3650 * 86400, '10 years'],
  ];
  for (const [seconds, text] of cases) t.equal(humanDuration(seconds), text, `${seconds}s`);
  const now = Date.UTC(2024, 0, 1, 2, 0, 0);
  t.equal(since(Date.UTC(2024, 0, 1) / 1000, now), '2 hours ago', 'a fixed clock');
});

t.test('tabwriter: docker table layout, blocks, unpadded last cell, rune widths', async (t) => {
  // Column 0: 12 + padding 3; column 1: below the minimum width, so 10.
  t.equal(tabwrite('A\tBB\tC\nxxxxxxxxxxxx\ty\tz'), `${'A'.padEnd(15)}${'BB'.padEnd(10)}C\n${'x'.repeat(12).padEnd(15)}${'y'.padEnd(10)}z`);
  t.equal(tabwrite('a\tb\t\nc\td\t'), 'a         b         \nc         d         ', 'an empty last cell keeps the padding before it');
  // A line without tabs ends the block: the columns after it are sized on their own.
  t.equal(tabwrite('aaaaaaaaaaaaaaa\tb\nplain\nc\td'), 'aaaaaaaaaaaaaaa   b\nplain\nc         d');
  t.equal(tabwrite('é…\tx\nab\ty'), 'é…        x\nab        y');
});

t.test('go JSON escapes and raw re-indentation keep the daemon text', async (t) => {
  t.equal(goJson({ Digest: '<none>', a: 'x&y' }), '{"Digest":"\\u003cnone\\u003e","a":"x\\u0026y"}');
  const raw = '{"Id":"sha256:1","RepoTags":["a:1","b:2"],"Config":{"Env":[],"Labels":{}},"Size":12345678901234567890,"Note":"a\\u003cb, c: {d}"}';
  t.equal(indentJson(`[${raw}]`), [
    '[',
    '    {',
    '        "Id": "sha256:1",',
    '        "RepoTags": [',
    '            "a:1",',
    '            "b:2"',
    '        ],',
    '        "Config": {',
    '            "Env": [],',
    '            "Labels": {}',
    '        },',
    '        "Size": 12345678901234567890,',
    '        "Note": "a\\u003cb, c: {d}"',
    '    }',
    ']',
  ].join('\n'));
  t.equal(indentJson('[]'), '[]');
});

const BUSYBOX: ImageSummary = {
  Id: 'sha256:15aabf57b54773b8d4a84aec783502cab9bda01c84737d6296facab45db70df8', ParentId: '',
  RepoTags: ['127.0.0.1:5000/busybox:latest', 'bb:1', 'bb:2'],
  RepoDigests: ['127.0.0.1:5000/busybox@sha256:6a4f499eaa53823da5dcfde756d3151c4b0038c55c27cf93136e3cbb5dde959c', 'other@sha256:6a4f499eaa53823da5dcfde756d3151c4b0038c55c27cf93136e3cbb5dde959c'],
  Created: 1704067200, Size: 1982364, SharedSize: -1, Labels: {}, Containers: -1,
};
const DANGLING: ImageSummary = { ...BUSYBOX, Id: 'sha256:dc675b78eda230654bb2fdc86f93667fba4c00274a1b6455412d851d91768534', RepoTags: [], RepoDigests: [], Created: 1704070800 };
const NOW = Date.UTC(2024, 0, 1, 3, 0, 0);

t.test('images: the default table, a row per tag, <none> for dangling', async (t) => {
  const rows = imageRows([DANGLING, BUSYBOX], { digests: false, noTrunc: false, nowMs: NOW });
  t.equal(renderListing(imageFormat(undefined, false, false), rows, IMAGE_HEADERS), [
    'REPOSITORY               TAG       IMAGE ID       CREATED       SIZE',
    '<none>                   <none>    dc675b78eda2   2 hours ago   1.98MB',
    '127.0.0.1:5000/busybox   latest    15aabf57b547   3 hours ago   1.98MB',
    'bb                       1         15aabf57b547   3 hours ago   1.98MB',
    'bb                       2         15aabf57b547   3 hours ago   1.98MB',
    'other                    <none>    15aabf57b547   3 hours ago   1.98MB',
    '',
  ].join('\n'));
  t.equal(renderListing(imageFormat(undefined, true, false), rows, IMAGE_HEADERS), `dc675b78eda2\n${'15aabf57b547\n'.repeat(4)}`, '-q');
});

t.test('images: --digests, --no-trunc, custom table and json formats', async (t) => {
  const rows = imageRows([BUSYBOX], { digests: true, noTrunc: true, nowMs: NOW });
  const digests = renderListing(imageFormat(undefined, false, true), rows, IMAGE_HEADERS).split('\n');
  t.equal(digests[0], `${'REPOSITORY'.padEnd(25)}${'TAG'.padEnd(10)}${'DIGEST'.padEnd(74)}${'IMAGE ID'.padEnd(74)}${'CREATED'.padEnd(14)}SIZE`);
  t.match(digests[1], /^127\.0\.0\.1:5000\/busybox {3}latest {4}sha256:6a4f\w+ {3}sha256:15aa\w+ {3}3 hours ago {3}1\.98MB$/);
  t.match(digests[4], /^other {20}<none> {4}sha256:6a4f/, 'a digest-only repository, one row per digest');
  const custom = renderListing(imageFormat('table {{.Repository}}\\t{{.Tag}}', false, false), rows.slice(0, 2), IMAGE_HEADERS);
  t.equal(custom, 'REPOSITORY               TAG\n127.0.0.1:5000/busybox   latest\nbb                       1\n');
  const json = renderListing('json', imageRows([DANGLING], { digests: false, noTrunc: false, nowMs: NOW }), IMAGE_HEADERS);
  t.equal(json, '{"Containers":"N/A","CreatedAt":"2024-01-01 01:00:00 +0000 UTC","CreatedSince":"2 hours ago","Digest":"\\u003cnone\\u003e",' +
    '"ID":"dc675b78eda2","Repository":"\\u003cnone\\u003e","SharedSize":"N/A","Size":"1.98MB","Tag":"\\u003cnone\\u003e","UniqueSize":"N/A","VirtualSize":"1.982MB"}\n');
  t.equal(renderListing('table {{json .}}', [], IMAGE_HEADERS), '\n', 'a json action prints nothing in the header');
  t.equal(renderListing('{{.ID}}', [], IMAGE_HEADERS), '', 'no rows, no table: nothing');
  t.equal(truncateId('<missing>'), '<missing>');
});

const HISTORY: HistoryResponseItem[] = [
  { Id: 'sha256:bc276224dd14470b34fb05067ef53634ca7896a49dfc969a70d7550f40ae3003', Created: 1704067200, CreatedBy: 'CMD ["sh"]', Tags: ['multi:v1'], Size: 0, Comment: '' },
  { Id: '<missing>', Created: 1704067200, CreatedBy: '/bin/sh -c\tapk add --no-cache a-rather-long-package-name another-one', Tags: null, Size: 1982364, Comment: 'hi' },
];

t.test('history: docker table, human and raw, ellipsis at 45 runes', async (t) => {
  const human = historyRows(HISTORY, { human: true, noTrunc: false, nowMs: NOW });
  t.equal(renderListing(historyFormat(undefined, false, true), human, HISTORY_HEADERS), [
    'IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT',
    'bc276224dd14   3 hours ago   CMD ["sh"]                                      0B        ',
    '<missing>      3 hours ago   /bin/sh -c apk add --no-cache a-rather-long-…   1.98MB    hi',
    '',
  ].join('\n'));
  const raw = historyRows(HISTORY, { human: false, noTrunc: true, nowMs: NOW });
  const lines = renderListing(historyFormat(undefined, false, false), raw, HISTORY_HEADERS).split('\n');
  t.match(lines[0], /^IMAGE {69}CREATED AT {13}CREATED BY {2,}SIZE {6}COMMENT$/);
  t.match(lines[2], /^<missing> {65}2024-01-01T00:00:00Z {3}\/bin\/sh -c apk add --no-cache a-rather-long-package-name another-one {3}1982364 {3}hi$/);
  t.equal(renderListing(historyFormat(undefined, true, true), human, HISTORY_HEADERS), 'bc276224dd14\n<missing>\n');
  t.equal(renderListing('json', raw.slice(0, 1), HISTORY_HEADERS),
    '{"Comment":"","CreatedAt":"2024-01-01T00:00:00Z","CreatedBy":"CMD [\\"sh\\"]","CreatedSince":"2024-01-01T00:00:00Z","ID":"sha256:bc276224dd14470b34fb05067ef53634ca7896a49dfc969a70d7550f40ae3003","Size":"0"}\n');
  t.equal(ellipsis('ααααα', 3), 'αα…', 'runes, not bytes');
});

t.test("history's -H is docker's Go bool flag", async (t) => {
  t.same(dockerHumanFlag(['-H=false', 'x', '--human=true', '-H', '--', '-H=0']), ['--no-human', 'x', '--human', '-H', '--', '-H=0']);
});

t.test('rmi and prune text', async (t) => {
  t.equal(deleteLines([{ Untagged: 'bb:1' }, { Deleted: 'sha256:1' }]), 'Untagged: bb:1\nDeleted: sha256:1\n');
  t.equal(pruneReport({ ImagesDeleted: null, SpaceReclaimed: 0 }), 'Total reclaimed space: 0B\n');
  t.equal(pruneReport({ ImagesDeleted: [{ Untagged: 'm:v1' }, { Deleted: 'sha256:bc27' }], SpaceReclaimed: 1982589 }),
    'Deleted Images:\nuntagged: m:v1\ndeleted: sha256:bc27\n\nTotal reclaimed space: 1.983MB\n');
});
