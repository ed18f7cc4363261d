/**
 * Flags end at the first argument that is not one, as in docker (`run [OPTIONS] IMAGE [COMMAND]
 * [ARG...]`): in `berth run busybox sh -c 'exit 3'` the `-c` belongs to sh. oclif would read flags
 * anywhere (and sort the rest by first occurrence), so the split is made here, knowing which flags
 * take a value.
 */

/** The part of an oclif flag definition the split needs. */
export interface FlagShape {
  type: 'boolean' | 'option';
  char?: string;
  aliases?: string[];
  charAliases?: string[];
  allowNo?: boolean;
}

/** The command line cut in two: what oclif parses, and the positional arguments, verbatim. */
export interface SplitArgs {
  flags: string[];
  positionals: string[];
}

function byName(flags: Record<string, FlagShape>, name: string): FlagShape | undefined {
  return flags[name] ?? Object.values(flags).find((f) => f.aliases?.includes(name));
}

function byChar(flags: Record<string, FlagShape>, char: string): FlagShape | undefined {
  return Object.values(flags).find((f) => f.char === char || f.charAliases?.includes(char));
}

/** `--rm=false` (pflag style) in the form oclif knows: `--no-rm`, `--rm`, or nothing. */
function booleanWithValue(name: string, value: string, flag: FlagShape): string[] {
  if (['true', '1', 't', 'TRUE', 'True'].includes(value)) return [`--${name}`];
  return flag.allowNo ? [`--no-${name}`] : [];
}

/** How many tokens a short cluster such as `-it`, `-dp 80:80` or `-eA=1` takes (1 or 2). */
function shortTokens(token: string, flags: Record<string, FlagShape>): number {
  for (let j = 1; j < token.length; j++) {
    const flag = byChar(flags, token[j]!);
    if (!flag) return 1;
    if (flag.type === 'option') return j + 1 < token.length ? 1 : 2;
  }
  return 1;
}

/** Splits argv at the first positional argument (or after `--`). */
export function splitArgs(argv: readonly string[], flags: Record<string, FlagShape>): SplitArgs {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return { flags: out, positionals: argv.slice(i + 1) };
    if (!token.startsWith('-') || token === '-') return { flags: out, positionals: argv.slice(i) };
    if (!token.startsWith('--')) {
      const n = shortTokens(token, flags);
      out.push(...argv.slice(i, i + n));
      i += n - 1;
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const flag = byName(flags, name);
    if (flag?.type === 'boolean' && eq !== -1) out.push(...booleanWithValue(name, token.slice(eq + 1), flag));
    else if (flag?.type === 'option' && eq === -1 && i + 1 < argv.length) out.push(token, argv[++i]!);
    else out.push(token);
  }
  return { flags: out, positionals: [] };
}
