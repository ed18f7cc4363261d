//! Creating the container from the shim: fork stage 1 of the init, answer its requests on the
//! sync channel (user namespace maps), collect the container's pid and pty, until it is ready.
//!
//! The init's move into its cgroups runs on a thread of the shim meanwhile (see [`Placing`]): on
//! cgroup v1 the first move waits out an RCU grace period (~10 ms here), longer than the init takes
//! to set up its rootfs, so the container is reported created without waiting for it, and `start`
//! waits for it instead, while the daemon has plugged the network and attached the clients.

use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::init;
use crate::shim::stdio::{Ends, Pair};
use crate::spec::Spec;
use crate::sync::{Channel, Msg};
use crate::sys;

/// A created container, waiting for start.
pub struct Created {
    /// The container's init, as the shim sees it.
    pub pid: i32,
    /// The shim's end of the sync channel: `start` goes through it.
    pub chan: Channel,
    pub io: Ends,
    pub placing: Placing,
}

/// The init's move into its cgroups, when the shim makes it: done or under way on a thread.
#[derive(Default)]
pub struct Placing(Option<JoinHandle<Result<()>>>);

impl Placing {
    fn begin(pid: i32, procs: Vec<String>) -> Placing {
        Placing(Some(std::thread::spawn(move || init::place_in_cgroups(pid, &procs))))
    }

    /// Waits for the move; the init must not run before it is in its cgroups. The shim forks
    /// nothing while the thread lives (the first fork is the start's exec, after this).
    pub fn finish(&mut self) -> Result<()> {
        match self.0.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(Error::msg("move the container's init to its cgroups", "the thread panicked")),
        }
    }
}

/// Forks the init and runs the conversation until it reports ready.
pub fn create(spec: &Spec) -> Result<Created> {
    let mut pair = Pair::new(spec.process.terminal, spec.stdin_open())?;
    let (shim_end, init_end) = sys::socketpair()?;
    let stage1 = sys::fork()?;
    if stage1 == 0 {
        sys::close(shim_end);
        crate::shim::signals::reset_for_child();
        let mut chan = Channel::new(init_end);
        let stdio = pair.child;
        init::in_child(&Channel::new(init_end), stdio, move || init::stage1(spec, &mut chan));
    }
    sys::close(init_end);
    pair.close_child_ends();
    let mut chan = Channel::new(shim_end);
    let mut placing = Placing::default();
    let talk = converse(&mut chan, spec, stage1, &mut pair, &mut placing);
    reap(stage1);
    match talk {
        Ok(pid) => Ok(Created { pid, chan, io: pair.shim, placing }),
        Err((pid, e)) => {
            let _ = placing.finish();
            if let Some(pid) = pid {
                unsafe { libc::kill(pid, libc::SIGKILL) };
                reap(pid);
            }
            pair.close_shim_ends();
            sys::close(shim_end);
            Err(e)
        }
    }
}

/// Reads the init's messages until Ready; on failure returns the container pid if one exists.
fn converse(chan: &mut Channel, spec: &Spec, stage1: i32, pair: &mut Pair, placing: &mut Placing) -> std::result::Result<i32, (Option<i32>, Error)> {
    let mut pid = None;
    loop {
        let msg = chan.recv().map_err(|e| (pid, e))?;
        match msg {
            Some(Msg::Userns) => {
                init::write_id_maps(stage1, spec).map_err(|e| (pid, e))?;
                chan.send(&Msg::Ack, None).map_err(|e| (pid, e))?;
            }
            Some(Msg::Pid { pid: p }) => {
                pid = Some(p);
                // Under way while the init sets up; `start` waits for it: the init runs only once it is in them.
                if init::shim_places_in_cgroups(spec) {
                    *placing = Placing::begin(p, spec.cgroup_procs());
                }
            }
            Some(Msg::Console) => pair.set_pty(chan.take_fd()).map_err(|e| (pid, e))?,
            Some(Msg::Ready) => return pid.ok_or_else(|| (None, Error::msg("create container", "ready without a pid"))),
            Some(Msg::Error(f)) => return Err((pid, Error::relayed(f))),
            Some(other) => return Err((pid, Error::msg("create container", format!("unexpected {other:?}")))),
            None => return Err((pid, Error::msg("create container", "the init exited without a word"))),
        }
    }
}

/// waitpid on one pid, blocking (a stage that has just exited or been killed).
pub fn reap(pid: i32) -> Option<libc::c_int> {
    let mut status = 0;
    let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
    (rc == pid).then_some(status)
}
