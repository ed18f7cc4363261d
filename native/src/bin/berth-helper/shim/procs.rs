//! The processes a shim is the parent of (the container's init, exec processes): their pid, wait
//! status, output streams and stdin. A process counts as finished once it has been reaped and its
//! streams ended, or [`DRAIN_GRACE`] after it was reaped (a leftover writer may hold a pipe open).

use std::time::{Duration, Instant};

use crate::shim::client::Sink;
use crate::shim::output::OutStream;
use crate::shim::proto;
use crate::shim::stdio::Ends;
use crate::sys;

/// How long output is still read after the process was reaped.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// One child process of the shim.
pub struct Proc {
    pub pid: i32,
    /// The wait status, once reaped.
    pub status: Option<libc::c_int>,
    /// When it was reaped (RFC 3339, for exit.json) and the instant, for the drain grace.
    pub reaped_at: Option<(String, Instant)>,
    pub outs: Vec<OutStream>,
    pub stdin: Sink,
    pub pty: Option<libc::c_int>,
}

impl Proc {
    /// A process with the shim's ends of its stdio.
    pub fn new(pid: i32, io: Ends) -> Self {
        let is_pty = io.pty.is_some();
        let outs = vec![OutStream::new(io.stdout, proto::STDOUT, is_pty), OutStream::new(io.stderr, proto::STDERR, false)];
        Proc { pid, status: None, reaped_at: None, outs, stdin: Sink::new(io.stdin, is_pty), pty: io.pty }
    }

    /// waitpid(pid, WNOHANG); true when it was reaped now.
    pub fn try_reap(&mut self) -> bool {
        if self.status.is_some() {
            return false;
        }
        let mut st = 0;
        if unsafe { libc::waitpid(self.pid, &mut st, libc::WNOHANG) } != self.pid {
            return false;
        }
        self.status = Some(st);
        self.reaped_at = Some((crate::clock::rfc3339_now(), Instant::now()));
        true
    }

    /// Whether it is alive (not reaped).
    pub fn alive(&self) -> bool {
        self.status.is_none()
    }

    /// Reaped, and its output ended or the grace is over.
    pub fn finished(&self) -> bool {
        let Some((_, at)) = &self.reaped_at else { return false };
        self.outs.iter().all(|o| o.fd.is_none()) || at.elapsed() > DRAIN_GRACE
    }

    /// Whether the drain grace is running (the event loop then polls more often).
    pub fn draining(&self) -> bool {
        self.reaped_at.is_some() && !self.finished()
    }

    /// Closes every fd of the process.
    pub fn close_all(&mut self) {
        for o in &mut self.outs {
            o.close();
        }
        self.stdin.detach();
        if let Some(m) = self.pty.take() {
            sys::close(m);
        }
    }
}
