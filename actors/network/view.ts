/**
 * Networks as dockerd shows them: the driver's records turned into the wire Network, the
 * built-in `host` and `none` networks (which have no bridge, so the driver does not know them),
 * and the list filters. Pure functions over the driver's records.
 */
import { createHash } from 'node:crypto';
import type { EndpointRecord, NetworkRecord } from '../../drivers/network/store.js';
import { filterAllows, labelsAllow, type Filters } from '../../protocol/filters.js';
import type { Network, NetworkContainer } from '../../protocol/types/networks.js';

/** The filter keys GET /networks accepts (as dockerd). */
export const NETWORK_LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;

/** Names dockerd reserves: they can be neither created nor removed. */
export const PREDEFINED = ['bridge', 'host', 'none'] as const;

/** Whether a name is one of the pre-defined networks. */
export function isPredefined(name: string): boolean {
  return (PREDEFINED as readonly string[]).includes(name);
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A stable id for `host` / `none`: derived from the engine id, so it survives restarts without being stored. */
export function builtinId(engineId: string, name: string): string {
  return createHash('sha256').update(`${engineId}/network/${name}`).digest('hex');
}

function base(name: string, id: string): Network {
  return {
    Name: name, Id: id, Created: ZERO_TIME, Scope: 'local', Driver: name === 'none' ? 'null' : name, EnableIPv4: false, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  };
}

/** The `host` and `none` networks. */
export function builtinNetworks(engineId: string): Network[] {
  return ['none', 'host'].map((n) => base(n, builtinId(engineId, n)));
}

/** The options dockerd shows for its default bridge. */
function defaultOptions(rec: NetworkRecord): Record<string, string> {
  return {
    'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': String(rec.icc),
    'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': rec.bridge, 'com.docker.network.driver.mtu': String(rec.mtu),
  };
}

/** One attached container as inspect shows it. */
function containerOf(ep: EndpointRecord): NetworkContainer {
  return { Name: ep.containerName, EndpointID: ep.id, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${ep.prefixLen}`, IPv6Address: '' };
}

/** A bridge network on the wire; `Containers` lists its endpoints. */
export function toNetwork(rec: NetworkRecord, endpoints: EndpointRecord[]): Network {
  // Go's field order (Subnet, IPRange, Gateway), so `{{json .IPAM}}` prints as dockerd's would.
  const pool = { Subnet: rec.subnet, ...(rec.ipRange && { IPRange: rec.ipRange }), Gateway: rec.gateway };
  const Containers: Record<string, NetworkContainer> = {};
  for (const ep of endpoints) if (ep.networkId === rec.Id) Containers[ep.containerId] = containerOf(ep);
  return {
    ...base(rec.Name, rec.Id), Created: rec.Created, Driver: 'bridge', EnableIPv4: true, Internal: rec.internal,
    IPAM: { Driver: 'default', Options: null, Config: [pool] }, Containers,
    Options: rec.isDefault ? defaultOptions(rec) : { ...rec.Options }, Labels: { ...rec.Labels },
  };
}

const substring = (f: Filters, key: string, value: string) => (f.get(key) ?? []).length === 0 || f.get(key)!.some((w) => value.includes(w));

/** Whether a network passes GET /networks filters (name and id match any part, as dockerd). */
export function networkMatches(n: Network, f: Filters): boolean {
  if (!substring(f, 'name', n.Name) || !substring(f, 'id', n.Id)) return false;
  if (!filterAllows(f, 'driver', n.Driver) || !filterAllows(f, 'scope', n.Scope) || !labelsAllow(f, n.Labels)) return false;
  if (!filterAllows(f, 'type', isPredefined(n.Name) ? 'builtin' : 'custom')) return false;
  const dangling = f.get('dangling')?.[0];
  if (dangling !== undefined) {
    const unused = !isPredefined(n.Name) && Object.keys(n.Containers).length === 0;
    if (unused !== ['true', '1'].includes(dangling)) return false;
  }
  return true;
}
