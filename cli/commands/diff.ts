import { Args } from '@oclif/core';
import { BerthCommand } from '../base.js';

const KIND = ['C', 'A', 'D'];

/** `berth diff` / `berth container diff`: GET /containers/{id}/changes as docker's `A /path` lines. */
export default class Diff extends BerthCommand {
  static override description = "Inspect changes to files or directories on a container's filesystem";
  static override aliases = ['container:diff'];
  static override examples = ['<%= config.bin %> diff web'];
  static override args = { container: Args.string({ required: true, ignoreStdin: true, description: 'CONTAINER' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const client = await this.connect(flags);
    const changes = (await client.get<{ Path: string; Kind: number }[] | null>(`/containers/${encodeURIComponent(args.container)}/changes`)) ?? [];
    process.stdout.write(changes.map((c) => `${KIND[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
  }
}
