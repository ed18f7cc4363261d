/**
 * docker's createContainer: POST /containers/create; when the daemon has no such image (404), pull
 * it with the progress on stderr (stdout is for the ID) and create again.
 */
import type { ContainerCreateResponse } from '../../protocol/types/containers.js';
import { familiarName, familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from '../../protocol/reference.js';
import type { ApiClient } from '../api.js';
import { registryAuthHeader } from '../auth-config.js';
import { DaemonError } from '../errors.js';
import { MessageDisplay, streamError, type JsonMessage } from '../render/progress.js';
import type { CreatePlan } from './config.js';

/** A pull that failed inside its stream: docker prints its message without the daemon prefix. */
export class PullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullError';
  }
}

/** The image as a reference docker would pull, tagged `latest` when untagged; undefined for an ID. */
function pullable(image: string): Reference | undefined {
  try {
    return withDefaultTag(parseNormalizedNamed(image));
  } catch {
    return undefined;
  }
}

/** POST /images/create?fromImage, shown on stderr as docker's run shows it; `quiet` shows nothing. */
export async function pullImage(client: ApiClient, ref: Reference, quiet: boolean): Promise<void> {
  const res = await client.stream('POST', '/images/create', {
    query: { fromImage: familiarName(ref), tag: ref.digest ?? ref.tag },
    headers: { 'X-Registry-Auth': await registryAuthHeader(ref.domain) },
  });
  const display = new MessageDisplay(process.stderr.isTTY === true, process.stderr.columns || undefined);
  for await (const line of client.readLines(res)) {
    let msg: JsonMessage;
    try {
      msg = JSON.parse(line) as JsonMessage;
    } catch {
      throw new PullError(`the daemon sent a line that is not a JSON message: ${line.slice(0, 200)}`);
    }
    const error = streamError(msg);
    if (error !== undefined) throw new PullError(error);
    if (!quiet) process.stderr.write(display.render(msg));
  }
}

/** Creates the container, pulling its image first if the daemon does not have it; returns the ID. */
export async function createContainer(client: ApiClient, plan: CreatePlan, quiet: boolean): Promise<string> {
  const create = async (): Promise<ContainerCreateResponse> =>
    JSON.parse(await client.text('POST', '/containers/create', { query: { name: plan.name }, body: plan.body })) as ContainerCreateResponse;
  let created: ContainerCreateResponse;
  try {
    created = await create();
  } catch (err) {
    const ref = pullable(plan.body.Image ?? '');
    if (!(err instanceof DaemonError) || err.status !== 404 || !ref) throw err;
    if (!quiet) process.stderr.write(`Unable to find image '${familiarString(ref)}' locally\n`);
    await pullImage(client, ref, quiet);
    created = await create();
  }
  for (const warning of created.Warnings ?? []) process.stderr.write(`WARNING: ${warning}\n`);
  return created.Id;
}
