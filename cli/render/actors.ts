import type { ActorNode, ActorStreamMessage } from '../../protocol/types/actorstream.js';

/** The actor tree as indented lines: `engine (running)` then its children, two spaces deeper. */
export function renderTree(actors: ActorNode[]): string[] {
  const kids = new Map<string | null, ActorNode[]>();
  for (const a of actors) kids.set(a.parent, [...(kids.get(a.parent) ?? []), a]);
  const roots = actors.filter((a) => a.parent === null || !actors.some((p) => p.id === a.parent));
  const out: string[] = [];
  const walk = (a: ActorNode, depth: number) => {
    out.push(`${'  '.repeat(depth)}${a.name}${a.state !== undefined ? ` (${JSON.stringify(a.state).replace(/"/g, '')})` : ''}`);
    for (const c of kids.get(a.id) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** One live message as a line; `names` maps actor ids to names as they are spawned. */
export function renderMessage(m: ActorStreamMessage, names: Map<string, string>): string | null {
  const n = (id: string | null) => (id === null ? '-' : (names.get(id) ?? id));
  switch (m.type) {
    case 'snapshot':
      return null;
    case 'actor.spawned':
      names.set(m.id, m.name);
      return `+ ${m.name} (under ${n(m.parent)})`;
    case 'actor.stopped':
      return `- ${n(m.id)} ${m.status}`;
    case 'state':
      return `  ${n(m.id)} → ${JSON.stringify(m.state).replace(/"/g, '')}`;
    case 'event':
      return m.event.startsWith('xstate.') ? null : `  ${n(m.id)} ← ${m.event}${m.source ? ` from ${n(m.source)}` : ''}`;
    case 'job.finished':
      return `✓ ${m.job} ${m.ms} ms`;
    case 'job.failed':
      return `✗ ${m.job} ${m.kind}: ${m.message}`;
    case 'dropped':
      return `! ${m.count} messages dropped (this client was too slow)`;
  }
}
