/**
 * `-e`, `--env-file`, `--label` and `--label-file` as the docker CLI reads them: a bare `NAME` takes
 * its value from the CLI's own environment; files hold one entry a line, `#` comments and blank
 * lines skipped, and come before the values given on the command line.
 */
import { readFileSync } from 'node:fs';

/** docker's ValidateEnv: `K=V` as is; a bare `K` becomes `K=<value>` when set here, else stays `K`. */
export function expandEnv(entry: string, env: NodeJS.ProcessEnv = process.env): string {
  const eq = entry.indexOf('=');
  const key = eq === -1 ? entry : entry.slice(0, eq);
  if (key === '') throw new Error(`invalid environment variable: ${entry}`);
  if (eq !== -1) return entry;
  const value = env[key];
  return value === undefined ? entry : `${key}=${value}`;
}

/**
 * The entries of one file (docker's parseKeyValueFile). A bare name takes its value from `lookup`
 * (the environment, for env files) and is dropped when it has none there (always, for label files).
 */
export function readKeyValueFile(path: string, lookup?: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.replace(/^[ \t\r\n\v\f]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line.trim() : line.slice(0, eq);
    if (/[ \t\r\n\v\f]/.test(name)) throw new Error(`variable '${name}' contains whitespaces`);
    if (name === '') throw new Error(`no variable name on line '${line}'`);
    if (eq !== -1) out.push(line.replace(/\r$/, ''));
    else if (lookup?.[name] !== undefined) out.push(`${name}=${lookup[name]}`);
  }
  return out;
}

/** Config.Env: the env files' entries, then the -e ones; null when there are none (as docker sends). */
export function containerEnv(envFiles: readonly string[], env: readonly string[]): string[] | null {
  const all = [...envFiles.flatMap((file) => readKeyValueFile(file, process.env)), ...env.map((e) => expandEnv(e))];
  return all.length > 0 ? all : null;
}

/** The label entries: label files first, then --label values. */
export function labelEntries(labelFiles: readonly string[], labels: readonly string[]): string[] {
  return [...labelFiles.flatMap((file) => readKeyValueFile(file)), ...labels];
}
