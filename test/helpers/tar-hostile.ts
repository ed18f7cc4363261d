/**
 * The hostile-layer corpus: archives that try to write, link or delete outside the directory they are
 * applied to. Each is either refused (InvalidParameter) or neutralised (applied, but confined); in
 * both cases nothing outside may change. Built as TarSpecs, so no binary fixture is involved.
 */
import type { TarSpec } from './tar.js';

/** Whether an archive must be refused or may apply harmlessly. */
export type HostileOutcome = 'refuse' | 'neutralise';

/** One hostile archive. */
export interface HostileCase {
  name: string;
  layer: TarSpec[];
  expect: HostileOutcome;
}

/** Files the sentinel directory holds before any case runs. */
export const SENTINEL_FILES: TarSpec[] = [
  { name: 'secret', content: 's3cret\n', mode: 0o600 },
  { name: 'dir', type: 'directory' },
  { name: 'dir/inner', content: 'inner\n' },
];

const link = (name: string, to: string): TarSpec => ({ name, type: 'symlink', linkname: to });
const hard = (name: string, to: string): TarSpec => ({ name, type: 'link', linkname: to });
const file = (name: string, content = 'pwned\n'): TarSpec => ({ name, content });

/**
 * The corpus. `outside` is the sentinel's absolute path; `up` the relative path from the directory
 * the layer is applied to (its root) to the sentinel, e.g. `../../../sentinel`.
 */
export function hostileCases(outside: string, up: string): HostileCase[] {
  return [
    { name: '../ in the entry name', layer: [file(`${up}/escape`)], expect: 'refuse' },
    { name: '.. in the middle of a name', layer: [file('a/../../escape')], expect: 'refuse' },
    { name: 'long PAX name climbing out', layer: [file(`${up}/${'x'.repeat(150)}`)], expect: 'refuse' },
    { name: 'absolute entry name', layer: [file(`${outside}/abs`)], expect: 'neutralise' },
    { name: 'symlink to an outside dir, then a file through it', layer: [link('evil', outside), file('evil/pwned')], expect: 'refuse' },
    { name: 'relative symlink climbing out, then a file', layer: [link('evil', up), file('evil/pwned')], expect: 'refuse' },
    { name: 'symlink chain, then a file', layer: [link('a', 'b'), link('b', outside), file('a/pwned')], expect: 'refuse' },
    { name: 'symlinked parent for a directory entry', layer: [link('l', outside), { name: 'l/newdir', type: 'directory' }], expect: 'refuse' },
    { name: 'symlinked parent for a device or fifo', layer: [link('l', outside), { name: 'l/fifo', type: 'fifo' }], expect: 'refuse' },
    { name: 'hardlink with ../', layer: [hard('h', `${up}/secret`)], expect: 'refuse' },
    { name: 'hardlink to an absolute outside path', layer: [hard('h', `${outside}/secret`)], expect: 'refuse' },
    { name: 'hardlink through a symlinked dir', layer: [link('d', outside), hard('h', 'd/secret')], expect: 'refuse' },
    { name: 'file written over a symlink to an outside file', layer: [link('f', `${outside}/secret`), file('f', 'overwrite\n')], expect: 'neutralise' },
    {
      name: 'hardlink to an escaping symlink, then a file over it',
      layer: [link('s', `${outside}/secret`), hard('h', 's'), file('h', 'overwrite\n')],
      expect: 'neutralise',
    },
    {
      name: 'directory replaced by a symlink mid-archive',
      layer: [{ name: 'd', type: 'directory' }, file('d/x'), link('d', outside), file('d/y')],
      expect: 'refuse',
    },
    { name: 'whiteout through a symlink', layer: [link('w', outside), file('w/.wh.secret', '')], expect: 'refuse' },
    { name: 'whiteout climbing out', layer: [file(`${up}/.wh.secret`, '')], expect: 'refuse' },
    { name: 'opaque marker through a symlink', layer: [link('w', outside), file('w/.wh..wh..opq', '')], expect: 'neutralise' },
    { name: 'whiteout of ".."', layer: [file('.wh...', '')], expect: 'refuse' },
    { name: 'the root replaced by a symlink', layer: [link('.', outside), file('x')], expect: 'refuse' },
    {
      name: 'forged overlay redirect xattr',
      layer: [{ name: 'd', type: 'directory', xattrs: { 'trusted.overlay.redirect': outside } }],
      expect: 'neutralise',
    },
  ];
}
