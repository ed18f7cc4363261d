//! The shim's event loop: one thread, poll(2) over the control socket, a signalfd, the
//! container's and execs' output and stdin, and the clients. It ends once the container has
//! exited, exit.json is written, no exec runs and no client is connected, and either a `wait`
//! was answered, `shutdown` was asked, or nobody connected for `--linger` seconds.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use crate::error::Result;
use crate::exit::ExitRecord;
use crate::logfile::Rotation;
use crate::shim::client::Client;
use crate::shim::output::LogFile;
use crate::shim::procs::Proc;
use crate::shim::{create, oom, signals, socket, Args};
use crate::spec::Spec;
use crate::sync::Channel;

/// An exec process and the client it streams to.
pub struct ExecProc {
    pub proc: Proc,
    pub client: u64,
}

/// The shim's whole state.
pub struct Server {
    pub args: Args,
    pub spec: Spec,
    pub listener: libc::c_int,
    pub sigfd: libc::c_int,
    pub ctr: Proc,
    /// The sync channel, until `start`.
    pub chan: Option<Channel>,
    /// The init's move into its cgroups, which `start` waits for.
    pub placing: create::Placing,
    pub started: bool,
    pub exit: Option<ExitRecord>,
    pub execs: Vec<ExecProc>,
    pub clients: BTreeMap<u64, Client>,
    next_client: u64,
    pub log: LogFile,
    pub(crate) oom_dirs: Vec<String>,
    pub(crate) oom_before: u64,
    pub last_activity: Instant,
    pub wait_answered: bool,
    pub shutdown: bool,
}

/// What a poll entry stands for.
#[derive(Clone, Copy)]
enum Slot {
    Listener,
    Signals,
    CtrOut(usize),
    CtrIn,
    ExecOut(usize, usize),
    ExecIn(usize),
    Client(u64),
}

impl Server {
    /// Creates the container and binds the socket.
    pub fn start(args: &Args, spec: Spec) -> Result<Server> {
        let sigfd = signals::signalfd()?;
        let log = LogFile::open(args.log.as_deref(), Rotation::from_annotations(&spec.annotations))?;
        let oom_dirs = oom::memory_dirs(&spec.cgroup_procs());
        let oom_before = oom::kills(&oom_dirs);
        let created = create::create(&spec)?;
        let listener = socket::listen(&args.state, "shim.sock")?;
        crate::shim::write_pids(&args.state, std::process::id() as i32, created.pid)?;
        Ok(Server {
            args: args.clone(),
            spec,
            listener,
            sigfd,
            ctr: Proc::new(created.pid, created.io),
            chan: Some(created.chan),
            placing: created.placing,
            started: false,
            exit: None,
            execs: Vec::new(),
            clients: BTreeMap::new(),
            next_client: 0,
            log,
            oom_dirs,
            oom_before,
            last_activity: Instant::now(),
            wait_answered: false,
            shutdown: false,
        })
    }

    /// The report the daemon gets once the container is created.
    pub fn ready_json(&self) -> String {
        serde_json::json!({"pid": self.ctr.pid, "shimPid": std::process::id()}).to_string()
    }

    /// Runs until the shim's work is done, then removes the socket.
    pub fn serve(mut self) {
        while !self.should_exit() {
            let (mut fds, slots) = self.poll_set();
            let timeout = if self.ctr.draining() || self.execs.iter().any(|e| e.proc.draining()) { 100 } else { 1000 };
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
            if n > 0 {
                for (pfd, slot) in fds.iter().zip(slots) {
                    if pfd.revents != 0 {
                        self.handle(slot, pfd.revents);
                    }
                }
            }
            self.progress();
            self.clients.retain(|_, c| !c.finished());
        }
        let _ = socket::remove(&self.args.state, "shim.sock");
    }

    fn should_exit(&self) -> bool {
        if self.exit.is_none() || !self.execs.is_empty() || !self.clients.is_empty() {
            return false;
        }
        self.shutdown || self.wait_answered || self.last_activity.elapsed() > self.args.linger
    }

    fn poll_set(&self) -> (Vec<libc::pollfd>, Vec<Slot>) {
        let mut fds = Vec::new();
        let mut slots = Vec::new();
        let mut add = |fd: libc::c_int, events: libc::c_short, slot: Slot| {
            fds.push(libc::pollfd { fd, events, revents: 0 });
            slots.push(slot);
        };
        add(self.listener, libc::POLLIN, Slot::Listener);
        add(self.sigfd, libc::POLLIN, Slot::Signals);
        for (i, o) in self.ctr.outs.iter().enumerate() {
            o.fd.inspect(|&fd| add(fd, libc::POLLIN, Slot::CtrOut(i)));
        }
        if let (Some(fd), false) = (self.ctr.stdin.fd, self.ctr.stdin.pending.is_empty()) {
            add(fd, libc::POLLOUT, Slot::CtrIn);
        }
        for (e, x) in self.execs.iter().enumerate() {
            for (i, o) in x.proc.outs.iter().enumerate() {
                o.fd.inspect(|&fd| add(fd, libc::POLLIN, Slot::ExecOut(e, i)));
            }
            if let (Some(fd), false) = (x.proc.stdin.fd, x.proc.stdin.pending.is_empty()) {
                add(fd, libc::POLLOUT, Slot::ExecIn(e));
            }
        }
        for (&id, c) in &self.clients {
            let mut ev = if c.read_closed { 0 } else { libc::POLLIN };
            if !c.out.is_empty() {
                ev |= libc::POLLOUT;
            }
            add(c.fd, ev, Slot::Client(id));
        }
        (fds, slots)
    }

    fn handle(&mut self, slot: Slot, revents: libc::c_short) {
        match slot {
            Slot::Listener => self.accept(),
            Slot::Signals => self.signals(),
            Slot::CtrOut(i) => self.ctr_output(i),
            Slot::CtrIn => self.ctr.stdin.flush(),
            Slot::ExecOut(e, i) => self.exec_output(e, i),
            Slot::ExecIn(e) => self.execs[e].proc.stdin.flush(),
            Slot::Client(id) => self.client_event(id, revents),
        }
    }

    fn accept(&mut self) {
        while let Some(fd) = socket::accept(self.listener) {
            self.next_client += 1;
            self.clients.insert(self.next_client, Client::new(fd));
            self.last_activity = Instant::now();
        }
    }

    fn signals(&mut self) {
        for sig in signals::drain(self.sigfd) {
            if sig != libc::SIGCHLD && self.ctr.alive() {
                unsafe { libc::kill(self.ctr.pid, sig) };
            }
        }
        // SIGCHLD (or a lost one): only our own children are waited for, by pid.
        self.ctr.try_reap();
        for e in &mut self.execs {
            e.proc.try_reap();
        }
    }

    fn client_event(&mut self, id: u64, revents: libc::c_short) {
        if revents & libc::POLLOUT != 0 {
            if let Some(c) = self.clients.get_mut(&id) {
                c.flush();
            }
        }
        if revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
            self.client_input(id, revents & (libc::POLLHUP | libc::POLLERR) != 0);
        }
    }

    /// Finishes processes that are done: the container (exit.json, answers) and execs (EXIT frame).
    fn progress(&mut self) {
        if self.exit.is_none() && self.ctr.finished() {
            self.finish_container();
        }
        let mut i = 0;
        while i < self.execs.len() {
            if self.execs[i].proc.finished() {
                let mut x = self.execs.remove(i);
                self.finish_exec(&mut x);
            } else {
                i += 1;
            }
        }
        for c in self.clients.values_mut() {
            c.flush();
        }
    }

    /// The container's sync channel was used for start and is closed now.
    pub fn started_ok(&mut self) {
        self.started = true;
        self.close_chan();
    }

    pub(crate) fn close_chan(&mut self) {
        if let Some(c) = self.chan.take() {
            crate::sys::close(c.fd);
        }
    }

    /// The state dir (for requests).
    pub fn state_dir(&self) -> PathBuf {
        self.args.state.clone()
    }
}
