//! rtnetlink wire format: building request bodies and parsing replies. Pure byte work, no syscalls,
//! so every message berth sends is checked byte for byte in unit tests.
//!
//! Layout (linux/netlink.h, linux/rtnetlink.h): a message is a 16-byte `nlmsghdr` followed by a
//! fixed family header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) and attributes, each a 4-byte
//! `nlattr` (length, type) plus payload padded to 4 bytes. Everything is in host byte order
//! except addresses, which are in network order as the kernel keeps them.

use std::net::Ipv4Addr;

// Message types (linux/rtnetlink.h).
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;

// Control messages (linux/netlink.h).
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;

// Header flags.
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP: u16 = 0x300;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
/// On an NLMSG_ERROR: extended-ack attributes follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;
/// On an NLMSG_ERROR: the request was not echoed back (NETLINK_CAP_ACK).
pub const NLM_F_CAPPED: u16 = 0x100;
pub const NLMSGERR_ATTR_MSG: u16 = 1;

pub const NLMSG_HDRLEN: usize = 16;
const NLA_HDRLEN: usize = 4;
pub const NLA_F_NESTED: u16 = 1 << 15;
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | (1 << 14));

// Link attributes (linux/if_link.h).
pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_MASTER: u16 = 10;
pub const IFLA_PROTINFO: u16 = 12;
pub const IFLA_LINKINFO: u16 = 18;
pub const IFLA_NET_NS_PID: u16 = 19;
pub const IFLA_NET_NS_FD: u16 = 28;
pub const IFLA_INFO_KIND: u16 = 1;
pub const IFLA_INFO_DATA: u16 = 2;
pub const VETH_INFO_PEER: u16 = 1;
pub const IFLA_BRPORT_MODE: u16 = 4;
pub const IFLA_BRPORT_ISOLATED: u16 = 33;

// Address and route attributes (linux/if_addr.h, linux/rtnetlink.h).
pub const IFA_ADDRESS: u16 = 1;
pub const IFA_LOCAL: u16 = 2;
pub const IFA_BROADCAST: u16 = 4;
pub const RTA_DST: u16 = 1;
pub const RTA_OIF: u16 = 4;
pub const RTA_GATEWAY: u16 = 5;

pub const IFF_UP: u32 = 0x1;
pub const AF_UNSPEC: u8 = 0;
pub const AF_INET: u8 = 2;
pub const AF_BRIDGE: u8 = 7;
pub const RT_TABLE_MAIN: u8 = 254;
pub const RTPROT_BOOT: u8 = 3;
pub const RT_SCOPE_UNIVERSE: u8 = 0;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RTN_UNICAST: u8 = 1;

/// A request body (everything after the nlmsghdr) and the header fields the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub msg_type: u16,
    /// NLM_F_* flags besides NLM_F_REQUEST, which the sender always sets.
    pub flags: u16,
    pub body: Vec<u8>,
}

/// One reply message: its type and the bytes after its nlmsghdr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub msg_type: u16,
    pub payload: Vec<u8>,
}

/// Appends attributes to a body; nested attributes are opened and closed around their children.
#[derive(Default)]
pub struct Builder {
    buf: Vec<u8>,
}

impl Builder {
    /// A body starting with a fixed family header.
    pub fn with_header(header: &[u8]) -> Self {
        Builder { buf: header.to_vec() }
    }

    pub fn attr(mut self, kind: u16, payload: &[u8]) -> Self {
        self.put(kind, payload);
        self
    }

    pub fn attr_u32(self, kind: u16, v: u32) -> Self {
        self.attr(kind, &v.to_ne_bytes())
    }

    pub fn attr_u8(self, kind: u16, v: u8) -> Self {
        self.attr(kind, &[v])
    }

    /// A NUL-terminated string, as the kernel wants for names and kinds.
    pub fn attr_str(self, kind: u16, s: &str) -> Self {
        let mut bytes = s.as_bytes().to_vec();
        bytes.push(0);
        self.attr(kind, &bytes)
    }

    /// A nested attribute whose children `f` adds.
    pub fn nest(mut self, kind: u16, f: impl FnOnce(Builder) -> Builder) -> Self {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0; NLA_HDRLEN]);
        let inner = f(Builder {
            buf: std::mem::take(&mut self.buf),
        });
        self.buf = inner.buf;
        let len = (self.buf.len() - start) as u16;
        self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        self.buf[start + 2..start + 4].copy_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self
    }

    /// Raw bytes (a family header inside a nest, like the veth peer's ifinfomsg).
    pub fn raw(mut self, bytes: &[u8]) -> Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    fn put(&mut self, kind: u16, payload: &[u8]) {
        let len = (NLA_HDRLEN + payload.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.buf.resize(align(self.buf.len()), 0);
    }
}

/// Rounds up to netlink's 4-byte alignment.
pub fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// struct ifinfomsg: family, type, index, flags, change.
pub fn ifinfomsg(family: u8, index: i32, flags: u32, change: u32) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[0] = family;
    h[4..8].copy_from_slice(&index.to_ne_bytes());
    h[8..12].copy_from_slice(&flags.to_ne_bytes());
    h[12..16].copy_from_slice(&change.to_ne_bytes());
    h
}

/// struct ifaddrmsg: family, prefix length, flags, scope, index.
pub fn ifaddrmsg(prefix_len: u8, index: u32) -> [u8; 8] {
    let mut h = [0u8; 8];
    h[0] = AF_INET;
    h[1] = prefix_len;
    h[3] = RT_SCOPE_UNIVERSE;
    h[4..8].copy_from_slice(&index.to_ne_bytes());
    h
}

/// struct rtmsg for an IPv4 unicast route in the main table.
pub fn rtmsg(dst_len: u8, scope: u8) -> [u8; 12] {
    [
        AF_INET,
        dst_len,
        0,
        0,
        RT_TABLE_MAIN,
        RTPROT_BOOT,
        scope,
        RTN_UNICAST,
        0,
        0,
        0,
        0,
    ]
}

/// One message of a datagram: its header fields and the bytes after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub payload: &'a [u8],
}

/// Splits one datagram the kernel sent into its messages.
pub fn split_messages(buf: &[u8]) -> Result<Vec<Part<'_>>, String> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + NLMSG_HDRLEN <= buf.len() {
        let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            return Err(format!("bad netlink message length {len} at offset {off}"));
        }
        let kind = u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap());
        let flags = u16::from_ne_bytes(buf[off + 6..off + 8].try_into().unwrap());
        let seq = u32::from_ne_bytes(buf[off + 8..off + 12].try_into().unwrap());
        out.push(Part {
            kind,
            flags,
            seq,
            payload: &buf[off + NLMSG_HDRLEN..off + len],
        });
        off += align(len);
    }
    Ok(out)
}

/// The attributes in `buf` as (type without flag bits, payload); a truncated tail is ignored.
pub fn attrs(buf: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + NLA_HDRLEN <= buf.len() {
        let len = u16::from_ne_bytes([buf[off], buf[off + 1]]) as usize;
        let kind = u16::from_ne_bytes([buf[off + 2], buf[off + 3]]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN || off + len > buf.len() {
            break;
        }
        out.push((kind, &buf[off + NLA_HDRLEN..off + len]));
        off += align(len);
    }
    out
}

/// A NUL-terminated attribute string.
pub fn attr_string(payload: &[u8]) -> String {
    let end = payload.iter().position(|&b| b == 0).unwrap_or(payload.len());
    String::from_utf8_lossy(&payload[..end]).into_owned()
}

fn attr_u32(payload: &[u8]) -> Option<u32> {
    payload.get(..4).map(|b| u32::from_ne_bytes(b.try_into().unwrap()))
}

/// The errno of an NLMSG_ERROR payload (0 is an ack) and the kernel's extended-ack text, if any.
pub fn parse_error(flags: u16, payload: &[u8]) -> Result<(i32, Option<String>), String> {
    let code = payload
        .get(..4)
        .map(|b| i32::from_ne_bytes(b.try_into().unwrap()))
        .ok_or("short NLMSG_ERROR")?;
    if flags & NLM_F_ACK_TLVS == 0 {
        return Ok((-code, None));
    }
    // The echoed request header follows the code; its body too unless the ack was capped.
    let echoed_len = payload
        .get(4..8)
        .map(|b| u32::from_ne_bytes(b.try_into().unwrap()) as usize)
        .unwrap_or(NLMSG_HDRLEN);
    let skip = 4 + if flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        align(echoed_len)
    };
    let text = payload
        .get(skip..)
        .map(attrs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| *k == NLMSGERR_ATTR_MSG)
        .map(|(_, v)| attr_string(v));
    Ok((-code, text))
}

/// A network interface as RTM_NEWLINK describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    pub mtu: u32,
    /// "aa:bb:cc:dd:ee:ff"; empty for links without one.
    pub mac: String,
    /// IFF_UP: administratively up.
    pub up: bool,
    /// Index of the bridge (or other master) the link is enslaved to.
    pub master: Option<u32>,
    /// IFLA_INFO_KIND ("bridge", "veth"); None for physical and loopback links.
    pub kind: Option<String>,
}

/// Parses an RTM_NEWLINK payload.
pub fn parse_link(payload: &[u8]) -> Result<Link, String> {
    if payload.len() < 16 {
        return Err("short ifinfomsg".into());
    }
    let index = i32::from_ne_bytes(payload[4..8].try_into().unwrap()) as u32;
    let flags = u32::from_ne_bytes(payload[8..12].try_into().unwrap());
    let mut link = Link {
        index,
        name: String::new(),
        mtu: 0,
        mac: String::new(),
        up: flags & IFF_UP != 0,
        master: None,
        kind: None,
    };
    for (kind, v) in attrs(&payload[16..]) {
        match kind {
            IFLA_IFNAME => link.name = attr_string(v),
            IFLA_MTU => link.mtu = attr_u32(v).unwrap_or(0),
            IFLA_ADDRESS => link.mac = format_mac(v),
            IFLA_MASTER => link.master = attr_u32(v).filter(|&m| m != 0),
            IFLA_LINKINFO => {
                link.kind = attrs(v)
                    .into_iter()
                    .find(|(k, _)| *k == IFLA_INFO_KIND)
                    .map(|(_, v)| attr_string(v))
            }
            _ => {}
        }
    }
    Ok(link)
}

/// An IPv4 address on a link, as RTM_NEWADDR describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub index: u32,
    pub address: Ipv4Addr,
    pub prefix_len: u8,
}

/// Parses an RTM_NEWADDR payload; None for non-IPv4 addresses.
pub fn parse_addr(payload: &[u8]) -> Result<Option<Addr>, String> {
    if payload.len() < 8 {
        return Err("short ifaddrmsg".into());
    }
    if payload[0] != AF_INET {
        return Ok(None);
    }
    let index = u32::from_ne_bytes(payload[4..8].try_into().unwrap());
    let found = attrs(&payload[8..]);
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
    let pick = found
        .iter()
        .find(|(k, _)| *k == IFA_LOCAL)
        .or_else(|| found.iter().find(|(k, _)| *k == IFA_ADDRESS));
    Ok(pick.and_then(|(_, v)| <[u8; 4]>::try_from(*v).ok()).map(|b| Addr {
        index,
        address: Ipv4Addr::from(b),
        prefix_len: payload[1],
    }))
}

/// "aa:bb:…" from raw bytes.
pub fn format_mac(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Six bytes from "aa:bb:cc:dd:ee:ff" (either case); None when malformed.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut out = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.len() != 2 {
            return None;
        }
        out[i] = u8::from_str_radix(p, 16).ok()?;
    }
    Some(out)
}
