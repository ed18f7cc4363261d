/** The text of `berth version`, laid out like `docker version`. */
import type { ComponentVersion, SystemVersion } from '../../protocol/types/system.js';
import type { ClientVersion } from '../platform.js';
import { alignLines, type Line } from './columns.js';

/** The Client: section. */
export function renderClientVersion(client: ClientVersion): string[] {
  const downgraded = client.ApiVersion === client.DefaultAPIVersion ? '' : ` (downgraded from ${client.DefaultAPIVersion})`;
  return alignLines([
    'Client:',
    [' Version:', client.Version],
    [' API version:', client.ApiVersion + downgraded],
    [' Node version:', client.NodeVersion],
    [' OS/Arch:', `${client.Os}/${client.Arch}`],
  ]);
}

/** The Server: section: the engine from the top-level fields, then every other component. */
export function renderServerVersion(server: SystemVersion): string[] {
  const name = server.Platform?.Name ?? '';
  const lines: Line[] = [name ? `Server: ${name}` : 'Server:', ' Engine:', ...engineLines(server)];
  for (const component of server.Components ?? []) {
    if (component.Name !== 'Engine') lines.push(...componentLines(component));
  }
  return alignLines(lines);
}

function engineLines(server: SystemVersion): Line[] {
  return [
    ['  Version:', server.Version],
    ['  API version:', `${server.ApiVersion} (minimum version ${server.MinAPIVersion})`],
    // berth reports its Node version in GoVersion; a real dockerd reports Go's.
    [server.GoVersion?.startsWith('go') ? '  Go version:' : '  Node version:', server.GoVersion ?? ''],
    ['  Git commit:', server.GitCommit ?? ''],
    ['  Built:', server.BuildTime ?? ''],
    ['  OS/Arch:', `${server.Os}/${server.Arch}`],
    ['  Kernel:', server.KernelVersion ?? ''],
    ['  Experimental:', String(server.Experimental ?? false)],
  ];
}

function componentLines(component: ComponentVersion): Line[] {
  const details = component.Details ?? {};
  return [
    ` ${component.Name}:`,
    ['  Version:', component.Version],
    ...Object.keys(details).sort().map((key): Line => [`  ${key}:`, details[key] ?? '']),
  ];
}

/** The whole text: client, a blank line, then the server (when there is one). */
export function renderVersion(client: ClientVersion, server: SystemVersion | undefined): string {
  const lines = renderClientVersion(client);
  if (server) lines.push('', ...renderServerVersion(server));
  return lines.join('\n');
}
