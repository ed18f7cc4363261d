/**
 * The nftables rules of the network driver, as `nft -f` scripts. All of a daemon's rules live in one
 * table of its own (`inet berth` for the default bridge berth0, `inet berth-<bridge>` for a daemon
 * with another default bridge), so daemons side by side never touch each other's rules; each network has its own chains, reached through verdict maps keyed by
 * interface name, and each published port is one element of a DNAT map. So adding or removing a
 * network or an endpoint touches only its own chains and elements, and every script is one atomic
 * nft transaction. Pure functions of the table's name `t` (tableFor): unit-tested as text.
 */

/** The table of the default daemon (default bridge berth0), as nft names it. */
export const DEFAULT_TABLE = 'inet berth';

/**
 * The table of a daemon whose default bridge is `bridge`: berth0 keeps `inet berth` (so existing
 * set-ups keep their table), any other bridge gets `inet berth-<bridge>` (bridge names are unique
 * on a host, so tables are too).
 */
export function tableFor(bridge: string): string {
  return bridge === 'berth0' ? DEFAULT_TABLE : `inet berth-${bridge}`;
}

/** What the rules need of a network. */
export interface NftNetwork {
  /** The bridge's interface name. */
  bridge: string;
  /** No masquerade, nothing in or out but the bridge itself. */
  internal: boolean;
}

/** One published port: hostIp '' or '0.0.0.0' means every local address. */
export interface NftPort {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

const q = (name: string) => JSON.stringify(name);
const chain = (bridge: string, part: string) => `n-${bridge}-${part}`;
const PARTS = ['in', 'out', 'pre', 'post', 'masq'] as const;
/** Which verdict map sends which network's packets to which chain. */
const DISPATCH: ReadonlyArray<[map: string, part: (typeof PARTS)[number]]> = [
  ['fwd_in', 'in'],
  ['fwd_out', 'out'],
  ['pre_in', 'pre'],
  ['post_out', 'post'],
  ['post_in', 'masq'],
];

/** The table skeleton: maps and base chains, without any network. */
function skeleton(t: string): string[] {
  const dnat = (hook: string) => [
    `add rule ${t} ${hook} fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_addr`,
    `add rule ${t} ${hook} fib daddr type local dnat ip to meta l4proto . th dport map @ports_any`,
  ];
  return [
    `add table ${t}`,
    ...DISPATCH.map(([map]) => `add map ${t} ${map} { type ifname : verdict; }`),
    `add map ${t} ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${t} ports_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
    // Forward: packets into a bridge are judged first (so one network cannot reach another), then out.
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `add rule ${t} forward oifname vmap @fwd_in`,
    `add rule ${t} forward iifname vmap @fwd_out`,
    // route_localnet lets 127.0.0.1 reach a bridge; nothing from a bridge may reach 127/8 in return.
    `add chain ${t} guard { type filter hook prerouting priority -300; policy accept; }`,
    `add rule ${t} guard iifname vmap @pre_in`,
    `add chain ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    ...dnat('prerouting'),
    `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
    ...dnat('output'),
    `add chain ${t} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add rule ${t} postrouting oifname vmap @post_out`,
    `add rule ${t} postrouting iifname vmap @post_in`,
  ];
}

/** The rules of one network's chains. */
function networkRules(n: NftNetwork): Record<(typeof PARTS)[number], string[]> {
  const br = q(n.bridge);
  return {
    // Into the bridge: from itself (bridged traffic when br_netfilter is loaded), replies, published ports.
    in: n.internal
      ? [`iifname ${br} accept`, 'drop']
      : [`iifname ${br} accept`, 'ct state established,related accept', 'ct status dnat accept', 'drop'],
    // Out of the bridge to anywhere else.
    out: [n.internal ? 'drop' : 'accept'],
    pre: ['ip daddr 127.0.0.0/8 drop'],
    // Published-port traffic from the host's loopback, and hairpin traffic, leaves with the gateway's address.
    post: ['ip saddr 127.0.0.0/8 masquerade', `iifname ${br} ct status dnat masquerade`],
    masq: n.internal ? [] : [`oifname != ${br} masquerade`],
  };
}

/** Adds a network's chains and dispatch elements (the table must exist). */
export function addNetwork(t: string, n: NftNetwork): string {
  const rules = networkRules(n);
  const lines: string[] = [];
  for (const part of PARTS) {
    lines.push(`add chain ${t} ${chain(n.bridge, part)}`);
    for (const r of rules[part]) lines.push(`add rule ${t} ${chain(n.bridge, part)} ${r}`);
  }
  for (const [map, part] of DISPATCH) lines.push(`add element ${t} ${map} { ${q(n.bridge)} : jump ${chain(n.bridge, part)} }`);
  return lines.join('\n') + '\n';
}

/** Removes a network's dispatch elements and chains. */
export function removeNetwork(t: string, bridge: string): string {
  const lines = DISPATCH.map(([map]) => `delete element ${t} ${map} { ${q(bridge)} }`);
  for (const part of PARTS) lines.push(`flush chain ${t} ${chain(bridge, part)}`, `delete chain ${t} ${chain(bridge, part)}`);
  return lines.join('\n') + '\n';
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0';

function portKey(p: NftPort): string {
  return anyAddress(p.hostIp) ? `ports_any { ${p.proto} . ${p.hostPort}` : `ports_addr { ${p.hostIp} . ${p.proto} . ${p.hostPort}`;
}

/** Adds DNAT elements for published ports. */
export function addPorts(t: string, ports: NftPort[]): string {
  return ports.map((p) => `add element ${t} ${portKey(p)} : ${p.containerIp} . ${p.containerPort} }\n`).join('');
}

/** Removes the DNAT elements of published ports. */
export function removePorts(t: string, ports: NftPort[]): string {
  return ports.map((p) => `delete element ${t} ${portKey(p)} }\n`).join('');
}

/** The whole table from scratch in one transaction: what was there (if anything) is replaced. */
export function rebuild(t: string, networks: NftNetwork[], ports: NftPort[]): string {
  // `add` first so that `delete` cannot fail on a host without the table.
  const head = `add table ${t}\ndelete table ${t}\n`;
  return head + skeleton(t).join('\n') + '\n' + networks.map((n) => addNetwork(t, n)).join('') + addPorts(t, ports);
}

/** Deletes the table, if there is one. */
export function dropTable(t: string): string {
  return `add table ${t}\ndelete table ${t}\n`;
}
