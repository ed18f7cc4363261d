//! `exec`: another process in a running container. A forked child joins the container's cgroups
//! and namespaces (opened through /proc/PID/ns of the container's init), then forks the process
//! as the shim's own child inside the container's pid namespace, which sets up its identity and
//! execs. Errors come back on a sync channel as for the init.

use std::convert::Infallible;

use crate::error::{Error, Result};
use crate::init;
use crate::process;
use crate::shim::create::reap;
use crate::shim::stdio::{Ends, Pair};
use crate::spec::{Process, Spec};
use crate::sync::{Channel, Msg};
use crate::sys;

/// A started exec process.
pub struct Started {
    pub pid: i32,
    pub io: Ends,
}

/// Starts `process` in the container whose init is `target`. Missing capabilities and an empty
/// environment are taken from the container's own process.
pub fn start(spec: &Spec, target: i32, mut process: Process) -> Result<Started> {
    if process.capabilities.is_none() {
        process.capabilities = spec.process.capabilities.clone();
    }
    if process.args.is_empty() {
        return Err(Error::msg("exec", "no command"));
    }
    let mut pair = Pair::new(process.terminal, true)?;
    let (shim_end, init_end) = sys::socketpair()?;
    let first = sys::fork()?;
    if first == 0 {
        sys::close(shim_end);
        crate::shim::signals::reset_for_child();
        let chan = Channel::new(init_end);
        init::in_child(&Channel::new(init_end), pair.child, move || enter(spec, target, &process, &chan));
    }
    sys::close(init_end);
    pair.close_child_ends();
    let mut chan = Channel::new(shim_end);
    let result = collect(&mut chan, &mut pair);
    reap(first);
    sys::close(shim_end);
    result.map(|pid| Started { pid, io: pair.shim }).inspect_err(|_| pair.close_shim_ends())
}

fn enter(spec: &Spec, target: i32, p: &Process, chan: &Channel) -> Result<Infallible> {
    init::join_cgroups(&spec.cgroup_procs())?;
    init::join_namespaces(spec, Some(target))?;
    let pid = sys::fork_sibling()?;
    if pid == 0 {
        let err = run(spec, p, chan).err().unwrap_or_else(|| Error::msg("exec", "returned"));
        let _ = chan.send(&Msg::Error(err.failure()), None);
        unsafe { libc::_exit(exec_failure_code(&err)) }
    }
    chan.send(&Msg::Pid { pid }, None)?;
    unsafe { libc::_exit(0) }
}

// Exec'd processes get the container's seccomp profile, as in Docker.
fn run(spec: &Spec, p: &Process, chan: &Channel) -> Result<()> {
    unsafe { libc::setsid() };
    if p.terminal {
        crate::console::attach_new(chan, p.console_size, false)?;
    }
    let filters = crate::seccomp::prepare(spec, p.no_new_privileges)?;
    init::install_filters(&filters, true)?;
    process::apply_identity(p)?;
    process::enter_cwd(&p.cwd)?;
    process::cloexec_all_fds()?;
    init::install_filters(&filters, false)?;
    Err(process::exec(p))
}

/// Docker's codes for a process that could not be run: 127 not found, 126 cannot be invoked.
pub fn exec_failure_code(e: &Error) -> i32 {
    match e.errno {
        Some(libc::ENOENT) => 127,
        _ => 126,
    }
}

/// Reads Pid, maybe Console, then end of file (exec done) or an error.
fn collect(chan: &mut Channel, pair: &mut Pair) -> Result<i32> {
    let mut pid = None;
    loop {
        match chan.recv()? {
            Some(Msg::Pid { pid: p }) => pid = Some(p),
            Some(Msg::Console) => pair.set_pty(chan.take_fd())?,
            Some(Msg::Error(f)) => {
                if let Some(p) = pid {
                    reap(p);
                }
                return Err(Error::relayed(f));
            }
            Some(other) => return Err(Error::msg("exec", format!("unexpected {other:?}"))),
            None => return pid.ok_or_else(|| Error::msg("exec", "the process exited without a word")),
        }
    }
}
