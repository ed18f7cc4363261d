import { Flags } from '@oclif/core';
import WebSocket from 'ws';
import { ACTOR_STREAM_PATH } from '../../../protocol/api.js';
import type { ActorStreamMessage } from '../../../protocol/types/actorstream.js';
import { BerthCommand } from '../../base.js';
import { parseHost } from '../../host.js';
import { renderMessage, renderTree } from '../../render/actors.js';

/** `berth system actors`: the daemon's actor tree, then (with --follow) every change, live. */
export default class SystemActors extends BerthCommand {
  static override description = "Show the daemon's actor tree and follow it live (the debug console)";
  static override examples = ['<%= config.bin %> system actors', '<%= config.bin %> system actors --follow', '<%= config.bin %> system actors --format json'];

  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep streaming actors spawned and stopped, state changes, events and job results' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemActors);
    const host = parseHost(flags.host);
    const url = host.kind === 'unix' ? `ws+unix://${host.socketPath}:${ACTOR_STREAM_PATH}` : `ws://${host.hostname}:${host.port}${ACTOR_STREAM_PATH}`;
    const ws = new WebSocket(url);
    const names = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      ws.on('error', (err) => reject(new Error(`Cannot connect to the berth daemon at ${host.text}: ${err.message}`)));
      ws.on('close', () => resolve());
      process.once('SIGINT', () => ws.close());
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as ActorStreamMessage;
        if (flags.format?.trim() === 'json') this.log(String(data));
        else if (m.type === 'snapshot') {
          for (const a of m.actors) names.set(a.id, a.name);
          for (const line of renderTree(m.actors)) this.log(line);
        } else {
          const line = renderMessage(m, names);
          if (line) this.log(line);
        }
        if (!flags.follow) ws.close();
      });
    }).catch((err: Error) => this.error(err.message, { exit: 1 }));
  }
}
