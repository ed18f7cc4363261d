//! The pipes between the shim and a container process: the child's ends become its fds 0-2,
//! the shim keeps the others. With a terminal the child starts on /dev/null and the pty master,
//! sent back over the sync channel, replaces all three on the shim's side.

use crate::error::{Error, Result};
use crate::init::Stdio;
use crate::sys;

/// The shim's ends.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ends {
    /// Write end of the process's stdin, when it is open.
    pub stdin: Option<libc::c_int>,
    /// Read end of stdout, or the pty master.
    pub stdout: Option<libc::c_int>,
    /// Read end of stderr (none with a terminal).
    pub stderr: Option<libc::c_int>,
    /// The pty master, with a terminal (the same fd as stdout and stdin).
    pub pty: Option<libc::c_int>,
}

/// Both sides of a new process's stdio.
pub struct Pair {
    pub child: Stdio,
    pub shim: Ends,
    null: libc::c_int,
}

fn dev_null() -> Result<libc::c_int> {
    let p = crate::sys::cstr("/dev/null")?;
    crate::error::check(unsafe { libc::open(p.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) }, || "open /dev/null".into())
}

impl Pair {
    /// Pipes for stdout/stderr (and stdin when `stdin_open`), or /dev/null for a terminal.
    pub fn new(terminal: bool, stdin_open: bool) -> Result<Pair> {
        let null = dev_null()?;
        if terminal {
            return Ok(Pair { child: Stdio { stdin: null, stdout: null, stderr: null }, shim: Ends::default(), null });
        }
        let (in_r, in_w) = if stdin_open { sys::pipe()? } else { (null, -1) };
        let (out_r, out_w) = sys::pipe()?;
        let (err_r, err_w) = sys::pipe()?;
        let shim = Ends { stdin: (in_w >= 0).then_some(in_w), stdout: Some(out_r), stderr: Some(err_r), pty: None };
        Ok(Pair { child: Stdio { stdin: in_r, stdout: out_w, stderr: err_w }, shim, null })
    }

    /// In the parent after fork: closes the child's ends.
    pub fn close_child_ends(&self) {
        // /dev/null may stand for several of them: close each fd once.
        let mut fds = vec![self.child.stdin, self.child.stdout, self.child.stderr, self.null];
        fds.sort_unstable();
        fds.dedup();
        fds.into_iter().for_each(sys::close);
    }

    /// Takes the pty master as the shim's side of all three streams.
    pub fn set_pty(&mut self, master: Option<libc::c_int>) -> Result<()> {
        let m = master.ok_or_else(|| Error::msg("container console", "no pty master arrived"))?;
        self.shim = Ends { stdin: Some(m), stdout: Some(m), stderr: None, pty: Some(m) };
        Ok(())
    }

    /// Closes the shim's ends (a failed create).
    pub fn close_shim_ends(&self) {
        let e = self.shim;
        match e.pty {
            Some(m) => sys::close(m),
            None => [e.stdin, e.stdout, e.stderr].into_iter().flatten().for_each(sys::close),
        }
    }
}
