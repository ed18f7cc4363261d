//! The channel between the shim and the container's init while the container is created: JSON
//! lines over a unix socketpair, and the pty master passed back as SCM_RIGHTS. The init's end
//! closes on exec, so end of file after `start` means the exec succeeded.

use std::collections::VecDeque;
use std::os::fd::RawFd;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Failure, Result};

/// One message on the sync channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Msg {
    /// init → shim: the container's first process, as the shim sees its pid.
    Pid { pid: i32 },
    /// init → shim: a user namespace exists; write the uid/gid maps of the sender (the shim's child).
    Userns,
    /// shim → init: done (maps written).
    Ack,
    /// init → shim: the pty master travels with this message.
    Console,
    /// init → shim: set up, waiting for start.
    Ready,
    /// shim → init: exec the process now.
    Start,
    /// init → shim: a step failed; the message names it, errno and step ride along.
    Error(Failure),
}

/// One end of the channel.
pub struct Channel {
    pub fd: RawFd,
    buf: Vec<u8>,
    fds: VecDeque<RawFd>,
}

impl Channel {
    /// Wraps a connected socket.
    pub fn new(fd: RawFd) -> Self {
        Channel { fd, buf: Vec::new(), fds: VecDeque::new() }
    }

    /// Sends a message, with an fd attached when given.
    pub fn send(&self, msg: &Msg, fd: Option<RawFd>) -> Result<()> {
        let mut line = serde_json::to_vec(msg).map_err(|e| Error::msg("encode sync message", e.to_string()))?;
        line.push(b'\n');
        match fd {
            None => crate::sys::write_all(self.fd, &line),
            Some(fd) => send_with_fd(self.fd, &line, fd),
        }
    }

    /// The next message; None at end of file.
    pub fn recv(&mut self) -> Result<Option<Msg>> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                let msg = serde_json::from_slice(&line).map_err(|e| Error::msg("decode sync message", e.to_string()))?;
                return Ok(Some(msg));
            }
            let mut chunk = [0u8; 4096];
            let n = recv_with_fds(self.fd, &mut chunk, &mut self.fds)?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Takes an fd that arrived with a message.
    pub fn take_fd(&mut self) -> Option<RawFd> {
        self.fds.pop_front()
    }

    /// The next message, which must be `want`; an Error message or EOF becomes an Err.
    pub fn expect(&mut self, want: &str) -> Result<Msg> {
        match self.recv()? {
            Some(Msg::Error(f)) => Err(Error::relayed(f)),
            Some(m) => Ok(m),
            None => Err(Error::msg(format!("container init ({want})"), "exited without a word")),
        }
    }
}

const CMSG_SPACE: usize = 64;

fn send_with_fd(sock: RawFd, data: &[u8], fd: RawFd) -> Result<()> {
    let mut iov = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
    let mut cbuf = [0u8; CMSG_SPACE];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
    // SAFETY: the control buffer is large enough for one fd; CMSG_* walk inside it.
    unsafe {
        msg.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut RawFd, fd);
    }
    let n = unsafe { libc::sendmsg(sock, &msg, 0) };
    if n < 0 || n as usize != data.len() {
        return Err(Error::last("send the pty to the shim"));
    }
    Ok(())
}

fn recv_with_fds(sock: RawFd, buf: &mut [u8], fds: &mut VecDeque<RawFd>) -> Result<usize> {
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr() as *mut libc::c_void, iov_len: buf.len() };
    let mut cbuf = [0u8; CMSG_SPACE];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = CMSG_SPACE;
    let n = loop {
        let n = unsafe { libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            break n;
        }
    };
    if n < 0 {
        return Err(Error::last("read the sync channel"));
    }
    // SAFETY: the kernel filled msg_control; CMSG_* walk what it wrote.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                fds.push_back(std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const RawFd));
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json_lines() {
        assert_eq!(serde_json::to_string(&Msg::Pid { pid: 7 }).unwrap(), r#"{"type":"pid","pid":7}"#);
        assert_eq!(serde_json::to_string(&Msg::Start).unwrap(), r#"{"type":"start"}"#);
    }

    #[test]
    fn a_socketpair_carries_messages_and_an_fd() {
        let (a, b) = crate::sys::socketpair().unwrap();
        let tx = Channel::new(a);
        let mut rx = Channel::new(b);
        let (r, w) = crate::sys::pipe().unwrap();
        tx.send(&Msg::Ready, None).unwrap();
        tx.send(&Msg::Console, Some(w)).unwrap();
        tx.send(&Msg::Error(Error::msg("mount proc to /proc", "x").failure()), None).unwrap();
        assert_eq!(rx.recv().unwrap(), Some(Msg::Ready));
        assert_eq!(rx.recv().unwrap(), Some(Msg::Console));
        let got = rx.take_fd().expect("an fd arrived");
        crate::sys::write_all(got, b"hi").unwrap();
        let mut buf = [0u8; 2];
        assert_eq!(crate::sys::read(r, &mut buf).unwrap(), 2);
        assert_eq!(rx.expect("x").unwrap_err().to_string(), "mount proc to /proc: x");
        for fd in [a, r, w, got] {
            crate::sys::close(fd);
        }
        assert_eq!(rx.recv().unwrap(), None);
        crate::sys::close(b);
    }
}
