import { Args } from '@oclif/core';
import { invalidParameter } from '../../../protocol/errdefs.js';
import { familiarName, parseNormalizedNamed, parseReference, withDefaultTag, type Reference } from '../../../protocol/reference.js';
import { BerthCommand } from '../../base.js';

/** `berth image tag` / `berth tag`: POST /images/{source}/tag?repo&tag, checked first as docker's client does. */
export default class ImageTag extends BerthCommand {
  static override description = 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE';
  static override aliases = ['tag'];
  static override examples = ['<%= config.bin %> tag busybox 127.0.0.1:5000/busybox:v1'];
  static override args = {
    source: Args.string({ required: true, ignoreStdin: true, description: 'SOURCE_IMAGE[:TAG]' }),
    target: Args.string({ required: true, ignoreStdin: true, description: 'TARGET_IMAGE[:TAG]' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImageTag);
    // The source may also be an image ID; only its syntax is checked here, the daemon resolves it.
    if (!/^[a-f0-9]{64}$/.test(args.source)) checked(args.source, parseReference);
    const target = withDefaultTag(checked(args.target, parseNormalizedNamed));
    if (target.digest !== undefined) throw invalidParameter('refusing to create a tag with a digest reference');
    const client = await this.connect(flags);
    await client.post(`/images/${args.source}/tag`, undefined, { repo: familiarName(target), tag: target.tag });
  }
}

/** Parses a reference, with docker's wording around a refusal. */
function checked(text: string, parse: (text: string) => Reference): Reference {
  try {
    return parse(text);
  } catch (err) {
    throw invalidParameter(`Error parsing reference: "${text}" is not a valid repository/tag: ${(err as Error).message}`);
  }
}
