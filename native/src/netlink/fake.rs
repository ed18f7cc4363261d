//! A recording [`Rtnl`] for unit tests: requests are logged, RTM_GETLINK by name is answered from a
//! table of links, and chosen message types fail with an errno.

use std::cell::RefCell;

use super::msg::{self, Builder, Reply, Request};
use super::{message_name, Rtnl};
use crate::error::SysError;

#[derive(Default)]
pub struct FakeRtnl {
    /// Every request, in order.
    pub log: RefCell<Vec<Request>>,
    /// Links the fake knows: (name, index).
    pub links: Vec<(String, u32)>,
    /// Message types that fail, with their errno and extended-ack text.
    pub failures: Vec<(u16, i32, Option<String>)>,
    /// Replies returned for dumps.
    pub dump: Vec<Reply>,
}

/// The RTM_NEWLINK payload the kernel would send for a link.
pub fn link_payload(name: &str, index: u32, flags: u32, kind: Option<&str>) -> Vec<u8> {
    let mut b = Builder::with_header(&msg::ifinfomsg(msg::AF_UNSPEC, index as i32, flags, 0))
        .attr_str(msg::IFLA_IFNAME, name)
        .attr_u32(msg::IFLA_MTU, 1500)
        .attr(msg::IFLA_ADDRESS, &[2, 0x42, 10, 88, 0, 2]);
    if let Some(k) = kind {
        b = b.nest(msg::IFLA_LINKINFO, |li| li.attr_str(msg::IFLA_INFO_KIND, k));
    }
    b.finish()
}

impl FakeRtnl {
    pub fn with_links(links: &[(&str, u32)]) -> Self {
        FakeRtnl {
            links: links.iter().map(|(n, i)| (n.to_string(), *i)).collect(),
            ..Default::default()
        }
    }

    /// The requests other than name lookups.
    pub fn changes(&self) -> Vec<Request> {
        self.log
            .borrow()
            .iter()
            .filter(|r| r.msg_type != msg::RTM_GETLINK)
            .cloned()
            .collect()
    }

    fn failure(&self, req: &Request) -> Result<(), SysError> {
        match self.failures.iter().find(|(t, _, _)| *t == req.msg_type) {
            Some((t, errno, text)) => {
                let e = SysError::with_errno(message_name(*t), None, *errno);
                Err(match text {
                    Some(t) => e.explained(t.clone()),
                    None => e,
                })
            }
            None => Ok(()),
        }
    }
}

impl Rtnl for FakeRtnl {
    fn ack(&self, req: &Request) -> Result<(), SysError> {
        self.log.borrow_mut().push(req.clone());
        self.failure(req)
    }

    fn query(&self, req: &Request) -> Result<Vec<Reply>, SysError> {
        self.log.borrow_mut().push(req.clone());
        self.failure(req)?;
        if req.flags & msg::NLM_F_DUMP != 0 {
            return Ok(self.dump.clone());
        }
        let name = msg::attrs(&req.body[16..])
            .into_iter()
            .find(|(k, _)| *k == msg::IFLA_IFNAME)
            .map(|(_, v)| msg::attr_string(v))
            .unwrap_or_default();
        match self.links.iter().find(|(n, _)| *n == name) {
            Some((n, i)) => Ok(vec![Reply {
                msg_type: msg::RTM_NEWLINK,
                payload: link_payload(n, *i, 0, None),
            }]),
            None => Err(SysError::with_errno("RTM_GETLINK", None, libc::ENODEV)),
        }
    }
}
