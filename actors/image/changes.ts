import { invalidParameter } from '../../protocol/errdefs.js';
import type { ImageConfig } from '../../protocol/types/image.js';

/** The instructions `docker import --change` and `docker commit --change` accept. */
const ALLOWED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

/** A JSON array (exec form) or a shell string (shell form, run by `/bin/sh -c`). */
function command(rest: string): string[] {
  if (rest.trim().startsWith('[')) {
    try {
      const v = JSON.parse(rest) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    } catch {
      // not JSON: the shell form below
    }
  }
  return ['/bin/sh', '-c', rest];
}

/** A JSON array of strings, or words separated by spaces (VOLUME's two forms). */
function words(rest: string): string[] {
  const c = command(rest);
  return c[0] === '/bin/sh' && c[1] === '-c' ? rest.split(/\s+/).filter(Boolean) : c;
}

/** `KEY=VALUE …` or the old `KEY VALUE` form. */
function pairs(rest: string): [string, string][] {
  if (!rest.includes('=')) {
    const sp = rest.indexOf(' ');
    return [[rest.slice(0, sp), rest.slice(sp + 1)]];
  }
  return (rest.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((kv) => {
    const eq = kv.indexOf('=');
    return [kv.slice(0, eq), kv.slice(eq + 1).replace(/^"(.*)"$/, '$1')];
  });
}

/** Applies Dockerfile-style `changes` to an image config, as dockerd does for import and commit. */
export function applyChanges(config: ImageConfig, changes: string[]): ImageConfig {
  const c: ImageConfig = { ...config };
  for (const line of changes) {
    const m = /^\s*(\w+)\s+(.*)$/s.exec(line);
    const op = m?.[1]?.toUpperCase();
    if (!m || !op || !ALLOWED.includes(op)) throw invalidParameter(`${line.split(/\s/)[0]} is not a valid change command`);
    const rest = m[2]!.trim();
    if (op === 'CMD') c.Cmd = command(rest);
    else if (op === 'ENTRYPOINT') c.Entrypoint = command(rest);
    else if (op === 'ENV') c.Env = mergeEnv(c.Env ?? [], pairs(rest));
    else if (op === 'LABEL') c.Labels = { ...c.Labels, ...Object.fromEntries(pairs(rest)) };
    else if (op === 'EXPOSE') c.ExposedPorts = { ...c.ExposedPorts, ...Object.fromEntries(rest.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
    else if (op === 'VOLUME') c.Volumes = { ...c.Volumes, ...Object.fromEntries(words(rest).map((v) => [v, {}])) };
    else if (op === 'WORKDIR') c.WorkingDir = rest;
    else if (op === 'USER') c.User = rest;
    else if (op === 'STOPSIGNAL') c.StopSignal = rest;
    else if (op === 'ONBUILD') c.OnBuild = [...(c.OnBuild ?? []), rest];
  }
  return c;
}

function mergeEnv(env: string[], add: [string, string][]): string[] {
  const out = env.filter((e) => !add.some(([k]) => e.startsWith(`${k}=`)));
  return [...out, ...add.map(([k, v]) => `${k}=${v}`)];
}
