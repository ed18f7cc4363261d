import { randomBytes } from 'node:crypto';
import { fromPromise } from 'xstate';
import { invalidParameter, kindOf } from '../../protocol/errdefs.js';
import type { ContainerCreateRequest, ContainerCreateResponse } from '../../protocol/types/containers.js';
import type { EngineContext } from '../context.js';
import { defineJob, type JobInput, type JobType } from '../kernel/job.js';
import { createdState } from '../services/containers/lifecycle.js';
import { commandOf, mergeConfig, validateHostConfig } from '../services/containers/merge.js';
import { logConfigAtCreate } from '../services/containers/logconfig.js';
import { normalizeName, randomName } from '../services/containers/names.js';
import type { ContainerRecord } from '../services/containers/record.js';
import { attachMounts, detachMounts } from '../volume/attach.js';
import { planMounts } from '../volume/parse.js';
import { containerPaths } from './files.js';
import { networkSettingsAtCreate } from './network.js';

/** Arguments of container.create (POST /containers/create?name=). */
export interface CreateArgs {
  name?: string;
  body: ContainerCreateRequest;
}

declare module '../kernel/job.js' {
  interface Jobs {
    'container.create': JobType<CreateArgs, ContainerCreateResponse>;
  }
}

/** The record of a new container, before anything is made on disk; imageLayer is its image's top tree. */
async function newRecord(ctx: EngineContext, args: CreateArgs): Promise<ContainerRecord> {
  const { body } = args;
  if (!body.Image) throw invalidParameter('Config cannot be empty in order to create a container');
  const hostConfig = { NetworkMode: 'default', ...(body.HostConfig ?? {}) };
  validateHostConfig(hostConfig);
  hostConfig.LogConfig = logConfigAtCreate(body.HostConfig?.LogConfig);
  const image = await ctx.call('graph', 'forContainer', [body.Image]);
  const config = mergeConfig(body, image.config);
  const { Path, Args } = commandOf(config);
  const id = randomBytes(32).toString('hex');
  const p = containerPaths(ctx.config, id);
  const NetworkSettings = await networkSettingsAtCreate(ctx, hostConfig.NetworkMode, body.NetworkingConfig?.EndpointsConfig);
  return {
    Id: id, Name: args.name ? normalizeName(args.name) : `/${randomName()}`, Created: new Date(ctx.clock.now()).toISOString(),
    Path, Args, Config: config, HostConfig: hostConfig, Image: image.id, State: createdState(), RestartCount: 0, Driver: image.driver,
    LogPath: hostConfig.LogConfig.Type === 'none' ? '' : p.log, ResolvConfPath: p.resolvConf, HostnamePath: p.hostname, HostsPath: p.hosts,
    NetworkSettings, Mounts: [], rwLayer: id, imageLayer: image.topLayer, manuallyStopped: false,
  };
}

/** How many other generated names dockerd tries when the one it drew is taken. */
const NAME_RETRIES = 5;

/**
 * Records a new container. A generated name that is taken is drawn again, as dockerd does (with a
 * digit after the first retry); a name the client chose is its to change.
 */
export async function addRecord(ctx: EngineContext, r: ContainerRecord, chosen: boolean): Promise<ContainerRecord> {
  for (let retry = 0; ; retry++) {
    try {
      await ctx.call('containers', 'add', [r]);
      return r;
    } catch (err) {
      if (chosen || kindOf(err) !== 'Conflict' || retry >= NAME_RETRIES) throw err;
      r = { ...r, Name: `/${randomName(retry + 1)}` };
    }
  }
}

/**
 * Creates a container: the config merged with the image's, a name, a writable layer on top of the
 * image and its mounts (volumes made on demand and filled from the image). The layer and volumes are
 * let go again when recording the container fails (a name clash, say).
 */
export const createJob = defineJob(
  'container.create',
  fromPromise(async ({ input }: { input: JobInput<CreateArgs> }) => {
    const ctx = input.ctx as EngineContext;
    let r = await newRecord(ctx, input.args);
    const planned = planMounts(r.Config, r.HostConfig);
    await ctx.call('graphdriver', 'create', [r.rwLayer, r.imageLayer]);
    try {
      const Mounts = await attachMounts(ctx, r.Id, r.rwLayer, planned);
      r = await addRecord(ctx, { ...r, Mounts }, Boolean(input.args.name)).catch(async (err: unknown) => {
        await detachMounts(ctx, r.Id, true).catch(() => undefined);
        throw err;
      });
    } catch (err) {
      await ctx.call('graphdriver', 'remove', [r.rwLayer]).catch(() => undefined);
      throw err;
    }
    ctx.bus.publish('container.create', { id: r.Id, attributes: { image: input.args.body.Image!, name: r.Name.slice(1) } });
    return { Id: r.Id, Warnings: [] };
  }),
  (a) => `${a.name ?? ''}${a.name ? ', ' : ''}${a.body.Image ?? ''}`,
);
