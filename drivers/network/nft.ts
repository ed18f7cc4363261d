/**
 * The nftables rules of the network driver, as `nft -f` scripts. All of berth's rules live in one
 * table, `inet berth`; each network has its own chains, reached through verdict maps keyed by
 * interface name, and each published port is one element of a DNAT map. So adding or removing a
 * network or an endpoint touches only its own chains and elements, and every script is one atomic
 * nft transaction. Pure functions: unit-tested as text.
 */

/** The table, as nft names it. */
export const TABLE = 'inet berth';

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
function skeleton(): string[] {
  const dnat = (hook: string) => [
    `add rule ${TABLE} ${hook} fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_addr`,
    `add rule ${TABLE} ${hook} fib daddr type local dnat ip to meta l4proto . th dport map @ports_any`,
  ];
  return [
    `add table ${TABLE}`,
    ...DISPATCH.map(([map]) => `add map ${TABLE} ${map} { type ifname : verdict; }`),
    `add map ${TABLE} ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${TABLE} ports_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
    // Forward: packets into a bridge are judged first (so one network cannot reach another), then out.
    `add chain ${TABLE} forward { type filter hook forward priority filter; policy accept; }`,
    `add rule ${TABLE} forward oifname vmap @fwd_in`,
    `add rule ${TABLE} forward iifname vmap @fwd_out`,
    // route_localnet lets 127.0.0.1 reach a bridge; nothing from a bridge may reach 127/8 in return.
    `add chain ${TABLE} guard { type filter hook prerouting priority -300; policy accept; }`,
    `add rule ${TABLE} guard iifname vmap @pre_in`,
    `add chain ${TABLE} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    ...dnat('prerouting'),
    `add chain ${TABLE} output { type nat hook output priority -100; policy accept; }`,
    ...dnat('output'),
    `add chain ${TABLE} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add rule ${TABLE} postrouting oifname vmap @post_out`,
    `add rule ${TABLE} postrouting iifname vmap @post_in`,
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
export function addNetwork(n: NftNetwork): string {
  const rules = networkRules(n);
  const lines: string[] = [];
  for (const part of PARTS) {
    lines.push(`add chain ${TABLE} ${chain(n.bridge, part)}`);
    for (const r of rules[part]) lines.push(`add rule ${TABLE} ${chain(n.bridge, part)} ${r}`);
  }
  for (const [map, part] of DISPATCH) lines.push(`add element ${TABLE} ${map} { ${q(n.bridge)} : jump ${chain(n.bridge, part)} }`);
  return lines.join('\n') + '\n';
}

/** Removes a network's dispatch elements and chains. */
export function removeNetwork(bridge: string): string {
  const lines = DISPATCH.map(([map]) => `delete element ${TABLE} ${map} { ${q(bridge)} }`);
  for (const part of PARTS) lines.push(`flush chain ${TABLE} ${chain(bridge, part)}`, `delete chain ${TABLE} ${chain(bridge, part)}`);
  return lines.join('\n') + '\n';
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0';

function portKey(p: NftPort): string {
  return anyAddress(p.hostIp) ? `ports_any { ${p.proto} . ${p.hostPort}` : `ports_addr { ${p.hostIp} . ${p.proto} . ${p.hostPort}`;
}

/** Adds DNAT elements for published ports. */
export function addPorts(ports: NftPort[]): string {
  return ports.map((p) => `add element ${TABLE} ${portKey(p)} : ${p.containerIp} . ${p.containerPort} }\n`).join('');
}

/** Removes the DNAT elements of published ports. */
export function removePorts(ports: NftPort[]): string {
  return ports.map((p) => `delete element ${TABLE} ${portKey(p)} }\n`).join('');
}

/** The whole table from scratch in one transaction: what was there (if anything) is replaced. */
export function rebuild(networks: NftNetwork[], ports: NftPort[]): string {
  // `add` first so that `delete` cannot fail on a host without the table.
  const head = `add table ${TABLE}\ndelete table ${TABLE}\n`;
  return head + skeleton().join('\n') + '\n' + networks.map(addNetwork).join('') + addPorts(ports);
}

/** Deletes the table, if there is one. */
export function dropTable(): string {
  return `add table ${TABLE}\ndelete table ${TABLE}\n`;
}
