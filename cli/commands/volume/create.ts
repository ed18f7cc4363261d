import { Args, Flags } from '@oclif/core';
import { invalidParameter } from '../../../protocol/errdefs.js';
import type { Volume } from '../../../protocol/types/volumes.js';
import { BerthCommand } from '../../base.js';

/** `key=value` flags as a map (`--label`, `--opt`); a bare key has an empty value, as docker reads it. */
function keyValues(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v) => (v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [v, ''])));
}

/** `berth volume create`: POST /volumes/create; prints the volume's name. */
export default class VolumeCreate extends BerthCommand {
  static override description = 'Create a volume';
  static override examples = ['<%= config.bin %> volume create data', '<%= config.bin %> volume create --label app=web'];
  static override args = { name: Args.string({ ignoreStdin: true, description: 'VOLUME name (generated when left out)' }) };
  static override flags = {
    driver: Flags.string({ char: 'd', default: 'local', description: 'specify volume driver name' }),
    label: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'set metadata for a volume' }),
    opt: Flags.string({ char: 'o', multiple: true, multipleNonGreedy: true, description: 'set driver specific options' }),
    name: Flags.string({ description: 'specify volume name', hidden: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VolumeCreate);
    if (args.name && flags.name && args.name !== flags.name) throw invalidParameter(`conflicting options: either specify --name or provide positional arg, not both`);
    const client = await this.connect(flags);
    const body = { Name: args.name ?? flags.name ?? '', Driver: flags.driver, DriverOpts: keyValues(flags.opt ?? []), Labels: keyValues(flags.label ?? []) };
    this.log((await client.post<Volume>('/volumes/create', body)).Name);
  }
}
