/**
 * `--security-opt` as the docker CLI reads it before sending: every option but `no-new-privileges`
 * needs a value (`key=value`, or the old `key:value`), and `seccomp=FILE` is replaced by the file's
 * JSON, compacted, because the daemon cannot read the client's files.
 */
import { readFileSync } from 'node:fs';

import { compactJson } from '../render/json-indent.js';
import { OptionError } from './errors.js';

function cut(opt: string): { key: string; value: string | undefined } {
  for (const sep of ['=', ':']) {
    const at = opt.indexOf(sep);
    if (at >= 0) return { key: opt.slice(0, at), value: opt.slice(at + 1) };
    if (opt === 'no-new-privileges') break;
  }
  return { key: opt, value: undefined };
}

function profileText(file: string, read: (file: string) => string): string {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new OptionError(`opening seccomp profile (${file}) failed: ${(err as Error).message}`);
  }
  try {
    JSON.parse(text); // json.Compact fails on invalid JSON: so does this
    return compactJson(text);
  } catch (err) {
    throw new OptionError(`compacting json for seccomp profile (${file}) failed: ${(err as Error).message}`);
  }
}

/** The SecurityOpt to send (null when none, as docker sends it); `read` is swapped in tests. */
export function securityOpts(opts: readonly string[], read = (f: string) => readFileSync(f, 'utf8')): string[] | null {
  if (opts.length === 0) return null;
  return opts.map((opt) => {
    const { key, value } = cut(opt);
    if (!value && key !== 'no-new-privileges') throw new OptionError(`invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key !== 'seccomp' || value === 'builtin' || value === 'unconfined') return opt;
    return `seccomp=${profileText(value!, read)}`;
  });
}
