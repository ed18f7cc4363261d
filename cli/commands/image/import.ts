import { Args, Flags } from '@oclif/core';
import type { Readable } from 'node:stream';
import { parseNormalizedNamed } from '../../../protocol/reference.js';
import { ImageCommand } from '../../image-command.js';
import { openInput } from '../../local-files.js';

/**
 * `berth image import` / `berth import`: POST /images/create?fromSrc with the tarball as the body
 * (`-` reads stdin), or fromSrc=<url> for the daemon to fetch. Prints the new image's ID.
 */
export default class ImageImport extends ImageCommand {
  static override description = 'Import the contents from a tarball to create a filesystem image';
  static override aliases = ['import'];
  static override examples = [
    "<%= config.bin %> import -c 'CMD [\"sh\"]' rootfs.tar myimage:1",
    'cat rootfs.tar | <%= config.bin %> import - myimage',
  ];

  static override args = {
    file: Args.string({ required: true, ignoreStdin: true, description: 'file|URL|-' }),
    reference: Args.string({ ignoreStdin: true, description: 'REPOSITORY[:TAG]' }),
  };

  static override flags = {
    change: Flags.string({ char: 'c', multiple: true, multipleNonGreedy: true, description: 'apply a Dockerfile instruction to the image (repeatable)' }),
    message: Flags.string({ char: 'm', description: 'commit message for the imported image' }),
    platform: Flags.string({ description: 'platform of the image (os[/arch[/variant]])' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageImport);
    if (args.reference) parseNormalizedNamed(args.reference); // refused here, as docker's client does
    const url = /^https?:\/\//.test(args.file);
    const body: Readable | undefined = url ? undefined : args.file === '-' ? process.stdin : await openInput(args.file);
    const client = await this.apiClient(flags);
    const res = await client.stream('POST', '/images/create', {
      query: { fromSrc: url ? args.file : '-', repo: args.reference, message: flags.message, changes: flags.change, platform: flags.platform?.toLowerCase() },
      headers: body ? { 'Content-Type': 'application/x-tar' } : {},
      body,
    });
    await this.showStream(client, res);
  }
}
