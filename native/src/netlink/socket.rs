//! [`Rtnl`] over a real NETLINK_ROUTE socket. The socket belongs to the network namespace of the
//! thread that opened it, for its whole life, whichever thread uses it later.

use std::cell::Cell;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use super::msg::{self, Reply, Request};
use super::{message_name, Rtnl};
use crate::error::SysError;

/// Large enough for any one datagram of a link dump (the kernel sizes them to a page or two).
const RECV_BUF: usize = 64 * 1024;
/// A kernel that does not answer within this long is treated as a failure, not waited on forever.
const RECV_TIMEOUT_SECS: libc::time_t = 5;
const SOL_NETLINK: libc::c_int = 270;
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;
const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
/// The multicast group of link changes (RTNLGRP_LINK).
const RTNLGRP_LINK: libc::c_int = 1;

/// An open rtnetlink socket; closed on drop.
pub struct HostRtnl {
    fd: OwnedFd,
    seq: Cell<u32>,
}

fn setsockopt_int(fd: libc::c_int, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> Result<(), SysError> {
    // SAFETY: a valid fd and a pointer to an int of the given size.
    let ret = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as u32,
        )
    };
    if ret < 0 {
        Err(SysError::last("setsockopt", None))
    } else {
        Ok(())
    }
}

impl HostRtnl {
    /// Opens a socket in the calling thread's network namespace.
    pub fn open() -> Result<Self, SysError> {
        // SAFETY: plain socket(2); the fd is owned right away.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if raw < 0 {
            return Err(SysError::last("socket", None));
        }
        // SAFETY: raw is a fresh fd nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // Short acks and the kernel's own words on what it refused; old kernels lack them: ignore.
        let _ = setsockopt_int(raw, SOL_NETLINK, NETLINK_CAP_ACK, 1);
        let _ = setsockopt_int(raw, SOL_NETLINK, NETLINK_EXT_ACK, 1);
        let tv = libc::timeval {
            tv_sec: RECV_TIMEOUT_SECS,
            tv_usec: 0,
        };
        // SAFETY: a valid fd and timeval.
        let ret = unsafe {
            libc::setsockopt(
                raw,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as u32,
            )
        };
        if ret < 0 {
            return Err(SysError::last("setsockopt", None));
        }
        // SAFETY: sockaddr_nl is plain data; nl_pid 0 lets the kernel pick our port id.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as u16;
        let ret = unsafe {
            libc::bind(
                raw,
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if ret < 0 {
            return Err(SysError::last("bind", None));
        }
        Ok(HostRtnl { fd, seq: Cell::new(1) })
    }

    fn send(&self, req: &Request, extra_flags: u16) -> Result<u32, SysError> {
        let seq = self.seq.get().wrapping_add(1);
        self.seq.set(seq);
        let len = (msg::NLMSG_HDRLEN + req.body.len()) as u32;
        let mut buf = Vec::with_capacity(len as usize);
        buf.extend_from_slice(&len.to_ne_bytes());
        buf.extend_from_slice(&req.msg_type.to_ne_bytes());
        buf.extend_from_slice(&(msg::NLM_F_REQUEST | req.flags | extra_flags).to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&req.body);
        // SAFETY: a zeroed sockaddr_nl addresses the kernel (pid 0).
        let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        kernel.nl_family = libc::AF_NETLINK as u16;
        let ret = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                0,
                (&kernel as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if ret < 0 {
            return Err(SysError::last("sendto", None));
        }
        Ok(seq)
    }

    /// Reads replies to `seq` until an ack/error, the end of a dump, or a single non-multi answer.
    fn collect(&self, req: &Request, seq: u32) -> Result<Vec<Reply>, SysError> {
        let name = message_name(req.msg_type);
        let mut buf = vec![0u8; RECV_BUF];
        let mut out = Vec::new();
        loop {
            // SAFETY: buf is writable for its length.
            let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                let e = SysError::last("recv", None);
                if e.errno == libc::EINTR {
                    continue;
                }
                return Err(SysError { syscall: name, ..e });
            }
            let parts = msg::split_messages(&buf[..n as usize])
                .map_err(|d| SysError::with_errno(name, None, libc::EINVAL).explained(d))?;
            for msg::Part {
                kind,
                flags,
                seq: got_seq,
                payload,
            } in parts
            {
                if got_seq != seq {
                    continue; // a late answer to an earlier request
                }
                match kind {
                    msg::NLMSG_ERROR => {
                        let (errno, text) = msg::parse_error(flags, payload)
                            .map_err(|d| SysError::with_errno(name, None, libc::EINVAL).explained(d))?;
                        if errno == 0 {
                            return Ok(out);
                        }
                        let e = SysError::with_errno(name, None, errno);
                        return Err(match text {
                            Some(t) => e.explained(t),
                            None => e,
                        });
                    }
                    msg::NLMSG_DONE => return Ok(out),
                    msg::NLMSG_NOOP => {}
                    _ => {
                        out.push(Reply {
                            msg_type: kind,
                            payload: payload.to_vec(),
                        });
                        if flags & msg::NLM_F_MULTI == 0 && req.flags & msg::NLM_F_DUMP == 0 {
                            return Ok(out);
                        }
                    }
                }
            }
        }
    }
}

impl HostRtnl {
    /// Joins the link notification group: from now on every RTM_NEWLINK / RTM_DELLINK of this
    /// namespace also arrives on this socket (requests' answers are told apart by sequence number).
    pub fn watch_links(&self) -> Result<(), SysError> {
        setsockopt_int(self.fd.as_raw_fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK)
    }

    /// After [`watch_links`](Self::watch_links): waits until the kernel announces that link `index`
    /// is gone (true) or `timeout` passes (false). ENOBUFS (notifications were dropped) is an error:
    /// the caller must look again.
    pub fn await_link_removal(&self, index: u32, timeout: Duration) -> Result<bool, SysError> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; RECV_BUF];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut pfd = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, left.as_millis().min(i32::MAX as u128) as libc::c_int) };
            match ready {
                0 => return Ok(false),
                n if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) => continue,
                n if n < 0 => return Err(SysError::last("poll", None)),
                _ => {}
            }
            // SAFETY: buf is writable for its length.
            let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
            if n < 0 {
                let e = SysError::last("recv", None);
                if e.errno == libc::EINTR || e.errno == libc::EAGAIN {
                    continue;
                }
                return Err(e);
            }
            let parts = msg::split_messages(&buf[..n as usize])
                .map_err(|d| SysError::with_errno("recv", None, libc::EINVAL).explained(d))?;
            if parts.iter().any(|p| p.kind == msg::RTM_DELLINK && msg::parse_link(p.payload).is_ok_and(|l| l.index == index)) {
                return Ok(true);
            }
        }
    }
}

impl Rtnl for HostRtnl {
    fn ack(&self, req: &Request) -> Result<(), SysError> {
        let seq = self.send(req, msg::NLM_F_ACK)?;
        self.collect(req, seq).map(drop)
    }

    fn query(&self, req: &Request) -> Result<Vec<Reply>, SysError> {
        let seq = self.send(req, 0)?;
        self.collect(req, seq)
    }
}
