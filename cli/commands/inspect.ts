import { Args, Flags } from '@oclif/core';
import { invalidParameter } from '../../protocol/errdefs.js';
import type { ApiClient } from '../api.js';
import { DaemonError, describeError } from '../errors.js';
import { ImageCommand } from '../image-command.js';
import { renderInspect } from '../inspect.js';

// The objects `inspect` knows and where each is read, tried in docker's order when --type is not given.
const KINDS: Record<string, (name: string) => string> = {
  container: (name) => `/containers/${name}/json`,
  image: (name) => `/images/${name}/json`,
  network: (name) => `/networks/${name}`,
  volume: (name) => `/volumes/${name}`,
};

/** `berth inspect`: low-level information on containers, images, networks or volumes. */
export default class Inspect extends ImageCommand {
  static override description = 'Return low-level information on berth objects';
  static override strict = false;
  static override examples = ['<%= config.bin %> inspect busybox', "<%= config.bin %> inspect --type image -f '{{.Id}}' busybox"];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'NAME|ID [NAME|ID...]' }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "'json' or a Go template such as '{{.Id}}'" }),
    type: Flags.string({ options: Object.keys(KINDS), description: 'only look for objects of this type' }),
    size: Flags.boolean({ char: 's', description: 'display total file sizes if the type is container' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Inspect);
    const client = await this.apiClient(flags);
    const raws: string[] = [];
    const errors: string[] = [];
    for (const name of argv as string[]) {
      const found = await find(client, name, flags.type ? [flags.type] : Object.keys(KINDS), flags.size).catch((err: unknown) => {
        if (!(err instanceof DaemonError)) throw err;
        errors.push(describeError(err));
      });
      if (typeof found === 'string') raws.push(found);
      else if (found === null) errors.push(`Error: No such object: ${name}`);
    }
    process.stdout.write(renderInspect(raws, flags.format));
    // docker exits 1 whether the CLI found nothing or the daemon refused.
    if (errors.length > 0) this.fail(errors.join('\n'), 1);
  }
}

/** The first object of these kinds with that name; null when none has it. Other failures throw. */
async function find(client: ApiClient, name: string, kinds: readonly string[], size: boolean): Promise<string | null> {
  for (const kind of kinds) {
    const path = KINDS[kind];
    if (!path) throw invalidParameter(`"${kind}" is not a valid value for --type`);
    try {
      return await client.text('GET', path(name), { query: { size: kind === 'container' && size ? '1' : undefined } });
    } catch (err) {
      // With one type asked for, its own "no such …" is the answer; else try the next kind.
      if (!(err instanceof DaemonError) || err.status !== 404 || kinds.length === 1) throw err;
    }
  }
  return null;
}
