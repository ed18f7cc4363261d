//! Network links, addresses and routes over rtnetlink (no `ip` command): what the network driver
//! needs to build a bridge, wire a container to it with a veth pair and configure the container's end.
//!
//! Every request goes through [`Rtnl`], so the logic here (name checks, which message each operation
//! sends, how errors are named) is unit-tested against a recording fake; [`socket::HostRtnl`] is the
//! real NETLINK_ROUTE socket. Operations act in the network namespace the socket was opened in;
//! [`netns::in_netns`] opens one inside another namespace from a short-lived thread.

pub mod msg;
pub mod netns;
pub mod socket;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

use std::net::Ipv4Addr;
use std::os::fd::RawFd;

use crate::error::{ArgError, NativeError, SysError};
pub use msg::{Addr, Link};
use msg::{Builder, Reply, Request};

/// The rtnetlink transport. Implementations fill `syscall` with the message name ("RTM_NEWLINK")
/// and `detail` with the kernel's extended-ack text; callers add the object and the operation.
pub trait Rtnl {
    /// Sends `req` with NLM_F_ACK and returns once the kernel acknowledged it.
    fn ack(&self, req: &Request) -> Result<(), SysError>;
    /// Sends `req` and returns the reply messages (the one answer of a get, every part of a dump).
    fn query(&self, req: &Request) -> Result<Vec<Reply>, SysError>;
}

/// The message name for errors, as a static string (SysError's `syscall`).
pub fn message_name(msg_type: u16) -> &'static str {
    match msg_type {
        msg::RTM_NEWLINK => "RTM_NEWLINK",
        msg::RTM_DELLINK => "RTM_DELLINK",
        msg::RTM_GETLINK => "RTM_GETLINK",
        msg::RTM_SETLINK => "RTM_SETLINK",
        msg::RTM_NEWADDR => "RTM_NEWADDR",
        msg::RTM_DELADDR => "RTM_DELADDR",
        msg::RTM_GETADDR => "RTM_GETADDR",
        msg::RTM_NEWROUTE => "RTM_NEWROUTE",
        msg::RTM_DELROUTE => "RTM_DELROUTE",
        _ => "rtnetlink",
    }
}

/// A network namespace to move a link into: a process's, or one held open by an fd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsRef {
    Pid(u32),
    Fd(RawFd),
}

/// Changes made to a link in one RTM_SETLINK; None leaves a setting alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkChange {
    pub rename: Option<String>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    /// Some(Some(bridge)) enslaves the link to `bridge`; Some(None) releases it.
    pub master: Option<Option<String>>,
    pub up: Option<bool>,
}

/// Bridge-port settings of a link enslaved to a bridge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortChange {
    /// Isolated ports do not forward to each other, only to non-isolated ports (ICC off).
    pub isolated: Option<bool>,
    /// Reflect frames back out the port they came in on (a container reaching its own published port).
    pub hairpin: Option<bool>,
}

/// IFNAMSIZ - 1: the longest interface name the kernel takes.
pub const MAX_IFNAME: usize = 15;

/// Refuses names the kernel would refuse (dev_valid_name), with a clearer message.
pub fn check_name(arg: &str, name: &str) -> Result<(), ArgError> {
    let bad = |why: &str| Err(ArgError::new(arg, format!("'{name}' {why}")));
    if name.is_empty() || name == "." || name == ".." {
        return bad("is not an interface name");
    }
    if name.len() > MAX_IFNAME {
        return bad("is longer than 15 bytes");
    }
    if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace() || c.is_control())
    {
        return bad("contains '/', ':' or whitespace");
    }
    Ok(())
}

fn check_mtu(mtu: u32) -> Result<(), ArgError> {
    if (68..=65535).contains(&mtu) {
        Ok(())
    } else {
        Err(ArgError::new("mtu", format!("{mtu} is outside 68..65535")))
    }
}

/// "10.88.0.1/16" → (address, prefix length).
pub fn parse_cidr(cidr: &str) -> Result<(Ipv4Addr, u8), ArgError> {
    let bad = || {
        ArgError::new(
            "cidr",
            format!("'{cidr}' is not an IPv4 address with a prefix length (a.b.c.d/n)"),
        )
    };
    let (ip, len) = cidr.split_once('/').ok_or_else(bad)?;
    let ip: Ipv4Addr = ip.parse().map_err(|_| bad())?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    if len > 32 {
        return Err(bad());
    }
    Ok((ip, len))
}

fn parse_ip(arg: &str, s: &str) -> Result<Ipv4Addr, ArgError> {
    s.parse()
        .map_err(|_| ArgError::new(arg, format!("'{s}' is not an IPv4 address")))
}

/// Runs `f`, naming `object` on a syscall error that has no path and `operation` on any error.
fn named<T>(operation: String, object: &str, f: impl FnOnce() -> Result<T, NativeError>) -> Result<T, NativeError> {
    f().map_err(|e| match e {
        NativeError::Sys(s) => NativeError::Sys(s.or_path(object)).during(&operation),
        other => other.during(&operation),
    })
}

fn link_by_name_request(name: &str) -> Request {
    Request {
        msg_type: msg::RTM_GETLINK,
        flags: 0,
        body: Builder::with_header(&msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0))
            .attr_str(msg::IFLA_IFNAME, name)
            .finish(),
    }
}

fn parse_data(what: &str, r: Result<Link, String>) -> Result<Link, NativeError> {
    r.map_err(|detail| {
        crate::error::DataError {
            operation: String::new(),
            path: what.into(),
            detail,
        }
        .into()
    })
}

fn get_link(nl: &dyn Rtnl, name: &str) -> Result<Option<Link>, NativeError> {
    check_name("name", name)?;
    match nl.query(&link_by_name_request(name)) {
        Ok(replies) => match replies.iter().find(|r| r.msg_type == msg::RTM_NEWLINK) {
            Some(r) => parse_data("RTM_NEWLINK", msg::parse_link(&r.payload)).map(Some),
            None => Ok(None),
        },
        Err(e) if e.errno == libc::ENODEV => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn index_of(nl: &dyn Rtnl, name: &str) -> Result<u32, NativeError> {
    get_link(nl, name)?
        .map(|l| l.index)
        .ok_or_else(|| SysError::with_errno(message_name(msg::RTM_GETLINK), Some(name), libc::ENODEV).into())
}

/// The link called `name`, or None when there is none.
pub fn link_get(nl: &dyn Rtnl, name: &str) -> Result<Option<Link>, NativeError> {
    named(format!("link lookup of '{name}'"), name, || get_link(nl, name))
}

/// Every link whose name starts with `prefix` (all links for "").
pub fn link_list(nl: &dyn Rtnl, prefix: &str) -> Result<Vec<Link>, NativeError> {
    named(format!("link list '{prefix}*'"), "", || {
        let req = Request {
            msg_type: msg::RTM_GETLINK,
            flags: msg::NLM_F_DUMP,
            body: msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0).to_vec(),
        };
        let mut out = Vec::new();
        for r in nl.query(&req)?.iter().filter(|r| r.msg_type == msg::RTM_NEWLINK) {
            let link = parse_data("RTM_NEWLINK", msg::parse_link(&r.payload))?;
            if link.name.starts_with(prefix) {
                out.push(link);
            }
        }
        Ok(out)
    })
}

fn new_link(name: &str, mtu: Option<u32>, kind: &str, data: impl FnOnce(Builder) -> Builder) -> Request {
    let mut b = Builder::with_header(&msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0)).attr_str(msg::IFLA_IFNAME, name);
    if let Some(mtu) = mtu {
        b = b.attr_u32(msg::IFLA_MTU, mtu);
    }
    let body = b
        .nest(msg::IFLA_LINKINFO, |li| {
            li.attr_str(msg::IFLA_INFO_KIND, kind).nest(msg::IFLA_INFO_DATA, data)
        })
        .finish();
    Request {
        msg_type: msg::RTM_NEWLINK,
        flags: msg::NLM_F_CREATE | msg::NLM_F_EXCL,
        body,
    }
}

/// Creates bridge `name` (down, no address). EEXIST when a link of that name exists.
pub fn bridge_create(nl: &dyn Rtnl, name: &str, mtu: Option<u32>) -> Result<(), NativeError> {
    named(format!("bridge create '{name}'"), name, || {
        check_name("name", name)?;
        mtu.map(check_mtu).transpose()?;
        Ok(nl.ack(&new_link(name, mtu, "bridge", |d| d))?)
    })
}

/// Creates veth pair `name` ↔ `peer`, both down: `peer` in namespace `peer_ns` when given, else here.
/// Creating the peer in its namespace costs one request; moving it there afterwards unregisters and
/// re-registers the device, which waits for an RCU grace period (some 20 ms on a busy host).
pub fn veth_create(nl: &dyn Rtnl, name: &str, peer: &str, mtu: Option<u32>, peer_ns: Option<NsRef>) -> Result<(), NativeError> {
    named(format!("veth create '{name}' <-> '{peer}'"), name, || {
        check_name("name", name)?;
        check_name("peer", peer)?;
        mtu.map(check_mtu).transpose()?;
        let req = new_link(name, mtu, "veth", |d| {
            d.nest(msg::VETH_INFO_PEER, |p| {
                let mut p = p
                    .raw(&msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0))
                    .attr_str(msg::IFLA_IFNAME, peer);
                if let Some(m) = mtu {
                    p = p.attr_u32(msg::IFLA_MTU, m);
                }
                match peer_ns {
                    Some(NsRef::Pid(pid)) => p.attr_u32(msg::IFLA_NET_NS_PID, pid),
                    Some(NsRef::Fd(fd)) => p.attr_u32(msg::IFLA_NET_NS_FD, fd as u32),
                    None => p,
                }
            })
        });
        Ok(nl.ack(&req)?)
    })
}

fn setlink(index: u32, flags: u32, change: u32, attrs: impl FnOnce(Builder) -> Builder) -> Request {
    let header = msg::ifinfomsg(msg::AF_UNSPEC, index as i32, flags, change);
    Request {
        msg_type: msg::RTM_SETLINK,
        flags: 0,
        body: attrs(Builder::with_header(&header)).finish(),
    }
}

/// Applies `change` to link `name` in one RTM_SETLINK (a master is looked up by name first).
pub fn link_set(nl: &dyn Rtnl, name: &str, change: &LinkChange) -> Result<(), NativeError> {
    named(format!("link set '{name}'"), name, || {
        if let Some(new) = &change.rename {
            check_name("rename", new)?;
        }
        change.mtu.map(check_mtu).transpose()?;
        let mac = match &change.mac {
            Some(m) => {
                Some(msg::parse_mac(m).ok_or_else(|| ArgError::new("mac", format!("'{m}' is not aa:bb:cc:dd:ee:ff")))?)
            }
            None => None,
        };
        let master = match &change.master {
            Some(Some(bridge)) => Some(index_of(nl, bridge)?),
            Some(None) => Some(0),
            None => None,
        };
        let index = index_of(nl, name)?;
        let (flags, mask) = match change.up {
            Some(true) => (msg::IFF_UP, msg::IFF_UP),
            Some(false) => (0, msg::IFF_UP),
            None => (0, 0),
        };
        let req = setlink(index, flags, mask, |mut b| {
            if let Some(new) = &change.rename {
                b = b.attr_str(msg::IFLA_IFNAME, new);
            }
            if let Some(mtu) = change.mtu {
                b = b.attr_u32(msg::IFLA_MTU, mtu);
            }
            if let Some(mac) = mac {
                b = b.attr(msg::IFLA_ADDRESS, &mac);
            }
            if let Some(m) = master {
                b = b.attr_u32(msg::IFLA_MASTER, m);
            }
            b
        });
        Ok(nl.ack(&req)?)
    })
}

/// Moves link `name` into another network namespace, renamed to `rename` there when given.
pub fn link_set_netns(nl: &dyn Rtnl, name: &str, target: NsRef, rename: Option<&str>) -> Result<(), NativeError> {
    named(format!("link move '{name}' to another network namespace"), name, || {
        if let Some(new) = rename {
            check_name("rename", new)?;
        }
        let index = index_of(nl, name)?;
        let req = setlink(index, 0, 0, |b| {
            let b = match target {
                NsRef::Pid(pid) => b.attr_u32(msg::IFLA_NET_NS_PID, pid),
                NsRef::Fd(fd) => b.attr_u32(msg::IFLA_NET_NS_FD, fd as u32),
            };
            match rename {
                Some(new) => b.attr_str(msg::IFLA_IFNAME, new),
                None => b,
            }
        });
        Ok(nl.ack(&req)?)
    })
}

/// Sets bridge-port options (isolation, hairpin) of `name`, which must be enslaved to a bridge.
pub fn bridge_port_set(nl: &dyn Rtnl, name: &str, change: PortChange) -> Result<(), NativeError> {
    named(format!("bridge port set '{name}'"), name, || {
        let index = index_of(nl, name)?;
        let header = msg::ifinfomsg(msg::AF_BRIDGE, index as i32, 0, 0);
        let body = Builder::with_header(&header)
            .nest(msg::IFLA_PROTINFO, |mut p| {
                if let Some(h) = change.hairpin {
                    p = p.attr_u8(msg::IFLA_BRPORT_MODE, h as u8);
                }
                if let Some(i) = change.isolated {
                    p = p.attr_u8(msg::IFLA_BRPORT_ISOLATED, i as u8);
                }
                p
            })
            .finish();
        Ok(nl.ack(&Request {
            msg_type: msg::RTM_SETLINK,
            flags: 0,
            body,
        })?)
    })
}

/// Deletes link `name` (a veth takes its peer with it). ENODEV when it does not exist.
pub fn link_delete(nl: &dyn Rtnl, name: &str) -> Result<(), NativeError> {
    named(format!("link delete '{name}'"), name, || {
        let index = index_of(nl, name)?;
        let req = Request {
            msg_type: msg::RTM_DELLINK,
            flags: 0,
            body: msg::ifinfomsg(msg::AF_UNSPEC, index as i32, 0, 0).to_vec(),
        };
        Ok(nl.ack(&req)?)
    })
}

fn addr_request(msg_type: u16, flags: u16, index: u32, ip: Ipv4Addr, len: u8) -> Request {
    let mut b = Builder::with_header(&msg::ifaddrmsg(len, index))
        .attr(msg::IFA_LOCAL, &ip.octets())
        .attr(msg::IFA_ADDRESS, &ip.octets());
    if msg_type == msg::RTM_NEWADDR && len < 31 {
        let host_bits = u32::MAX.checked_shr(len as u32).unwrap_or(0);
        b = b.attr(msg::IFA_BROADCAST, &Ipv4Addr::from(u32::from(ip) | host_bits).octets());
    }
    Request {
        msg_type,
        flags,
        body: b.finish(),
    }
}

/// Adds `cidr` ("10.88.0.1/16") to link `name`, with the subnet's broadcast address.
pub fn addr_add(nl: &dyn Rtnl, name: &str, cidr: &str) -> Result<(), NativeError> {
    named(format!("address add {cidr} on '{name}'"), name, || {
        let (ip, len) = parse_cidr(cidr)?;
        let index = index_of(nl, name)?;
        Ok(nl.ack(&addr_request(
            msg::RTM_NEWADDR,
            msg::NLM_F_CREATE | msg::NLM_F_EXCL,
            index,
            ip,
            len,
        ))?)
    })
}

/// Removes `cidr` from link `name`; EADDRNOTAVAIL when it is not there.
pub fn addr_del(nl: &dyn Rtnl, name: &str, cidr: &str) -> Result<(), NativeError> {
    named(format!("address delete {cidr} on '{name}'"), name, || {
        let (ip, len) = parse_cidr(cidr)?;
        let index = index_of(nl, name)?;
        Ok(nl.ack(&addr_request(msg::RTM_DELADDR, 0, index, ip, len))?)
    })
}

/// The IPv4 addresses of link `name`.
pub fn addr_list(nl: &dyn Rtnl, name: &str) -> Result<Vec<Addr>, NativeError> {
    named(format!("address list of '{name}'"), name, || {
        let index = index_of(nl, name)?;
        let mut header = [0u8; 8];
        header[0] = msg::AF_INET;
        let req = Request {
            msg_type: msg::RTM_GETADDR,
            flags: msg::NLM_F_DUMP,
            body: header.to_vec(),
        };
        let mut out = Vec::new();
        for r in nl.query(&req)?.iter().filter(|r| r.msg_type == msg::RTM_NEWADDR) {
            let parsed = msg::parse_addr(&r.payload).map_err(|detail| {
                NativeError::from(crate::error::DataError {
                    operation: String::new(),
                    path: "RTM_NEWADDR".into(),
                    detail,
                })
            })?;
            out.extend(parsed.filter(|a| a.index == index));
        }
        Ok(out)
    })
}

fn default_route(msg_type: u16, flags: u16, gateway: Ipv4Addr, oif: Option<u32>) -> Request {
    let mut b = Builder::with_header(&msg::rtmsg(0, msg::RT_SCOPE_UNIVERSE)).attr(msg::RTA_GATEWAY, &gateway.octets());
    if let Some(i) = oif {
        b = b.attr_u32(msg::RTA_OIF, i);
    }
    Request {
        msg_type,
        flags,
        body: b.finish(),
    }
}

/// Adds the default route via `gateway` (out of `dev` when given). EEXIST when one exists.
pub fn route_add_default(nl: &dyn Rtnl, gateway: &str, dev: Option<&str>) -> Result<(), NativeError> {
    named(
        format!("default route add via {gateway}"),
        dev.unwrap_or(gateway),
        || {
            let gw = parse_ip("gateway", gateway)?;
            let oif = dev.map(|d| index_of(nl, d)).transpose()?;
            Ok(nl.ack(&default_route(
                msg::RTM_NEWROUTE,
                msg::NLM_F_CREATE | msg::NLM_F_EXCL,
                gw,
                oif,
            ))?)
        },
    )
}

/// Removes the default route via `gateway`; ESRCH when there is none.
pub fn route_del_default(nl: &dyn Rtnl, gateway: &str) -> Result<(), NativeError> {
    named(format!("default route delete via {gateway}"), gateway, || {
        let gw = parse_ip("gateway", gateway)?;
        Ok(nl.ack(&default_route(msg::RTM_DELROUTE, 0, gw, None))?)
    })
}

/// What the container's end of a veth gets inside its namespace (one call, one thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceConfig {
    /// The name the veth end has on arrival.
    pub name: String,
    /// Its name in the container, e.g. "eth0".
    pub rename: Option<String>,
    pub cidr: String,
    pub mac: Option<String>,
    pub mtu: Option<u32>,
    /// The default route's gateway; None for internal networks.
    pub gateway: Option<String>,
}

/// Configures a container's interface: rename, MAC, MTU, up, address, default route, and `lo` up.
/// Returns the final link. Meant to run on a socket opened inside the container's namespace.
pub fn interface_configure(nl: &dyn Rtnl, cfg: &InterfaceConfig) -> Result<Link, NativeError> {
    let final_name = cfg.rename.clone().unwrap_or_else(|| cfg.name.clone());
    link_set(
        nl,
        "lo",
        &LinkChange {
            up: Some(true),
            ..Default::default()
        },
    )?;
    link_set(
        nl,
        &cfg.name,
        &LinkChange {
            rename: cfg.rename.clone(),
            mtu: cfg.mtu,
            mac: cfg.mac.clone(),
            ..Default::default()
        },
    )?;
    addr_add(nl, &final_name, &cfg.cidr)?;
    link_set(
        nl,
        &final_name,
        &LinkChange {
            up: Some(true),
            ..Default::default()
        },
    )?;
    if let Some(gw) = &cfg.gateway {
        route_add_default(nl, gw, Some(&final_name))?;
    }
    link_get(nl, &final_name)?.ok_or_else(|| {
        NativeError::from(SysError::with_errno("RTM_GETLINK", Some(&final_name), libc::ENODEV))
            .during(&format!("interface configure '{final_name}'"))
    })
}
