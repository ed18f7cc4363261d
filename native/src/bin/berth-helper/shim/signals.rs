//! The shim's signals: SIGCHLD and the signals it forwards to the container arrive on a
//! signalfd, so the event loop sees them as readable data instead of async handlers.

use crate::error::{check, Result};

/// Signals the shim passes on to the container's init.
pub const FORWARDED: &[libc::c_int] = &[libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2];

fn set_of(sigs: &[libc::c_int]) -> libc::sigset_t {
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::sigemptyset(&mut set) };
    for &s in sigs {
        unsafe { libc::sigaddset(&mut set, s) };
    }
    set
}

/// Blocks SIGCHLD and the forwarded signals and returns a non-blocking signalfd for them;
/// SIGPIPE is ignored (a client that went away must not kill the shim).
pub fn signalfd() -> Result<libc::c_int> {
    let mut all = FORWARDED.to_vec();
    all.push(libc::SIGCHLD);
    let set = set_of(&all);
    check(unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) }, || "block signals".into())?;
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    check(unsafe { libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) }, || "signalfd".into())
}

/// Reads the pending signals off the signalfd.
pub fn drain(fd: libc::c_int) -> Vec<libc::c_int> {
    let mut out = Vec::new();
    let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::signalfd_siginfo>();
    while unsafe { libc::read(fd, &mut info as *mut _ as *mut libc::c_void, size) } == size as isize {
        out.push(info.ssi_signo as libc::c_int);
    }
    out
}

/// In a forked child: unblock everything and restore SIGPIPE, or the container inherits them.
pub fn reset_for_child() {
    let set = set_of(&[]);
    unsafe {
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
