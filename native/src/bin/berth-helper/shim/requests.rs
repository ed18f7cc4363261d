//! What the shim does with each request on its socket (see proto.rs for the wire format).

use std::time::Instant;

use crate::exit;
use crate::shim::client::Mode;
use crate::shim::procs::Proc;
use crate::shim::proto::{self, Request};
use crate::shim::server::{ExecProc, Server};
use crate::spec::{ConsoleSize, Process};
use crate::sync::Msg;

/// The longest request line accepted (an exec with a large environment fits easily).
const MAX_REQUEST: usize = 1 << 20;

impl Server {
    /// Input from a client: its request line, or stdin bytes once it streams.
    pub(crate) fn client_input(&mut self, id: u64, hangup: bool) {
        let Some(c) = self.clients.get_mut(&id) else { return };
        let data = c.read();
        let mode = c.mode;
        if c.read_closed && hangup && !matches!(mode, Mode::Request) {
            c.broken = true;
        }
        match (mode, data) {
            (Mode::Request, Some(d)) => self.request_bytes(id, &d),
            (Mode::Request, None) => {
                if let Some(c) = self.clients.get_mut(&id) {
                    c.mode = Mode::Done;
                }
            }
            (Mode::Attach { .. }, Some(d)) => self.ctr.stdin.push(&d),
            (Mode::Attach { stdin_once: true }, None) => self.ctr.stdin.end(),
            (Mode::Exec(pid), Some(d)) => self.exec_stdin(pid, Some(&d)),
            (Mode::Exec(pid), None) => self.exec_stdin(pid, None),
            (Mode::Waiting, None) => {
                if let Some(c) = self.clients.get_mut(&id) {
                    c.broken = true;
                }
            }
            _ => {}
        }
    }

    fn exec_stdin(&mut self, pid: i32, data: Option<&[u8]>) {
        if let Some(x) = self.execs.iter_mut().find(|x| x.proc.pid == pid) {
            match data {
                Some(d) => x.proc.stdin.push(d),
                None => x.proc.stdin.end(),
            }
        }
    }

    fn request_bytes(&mut self, id: u64, data: &[u8]) {
        let Some(c) = self.clients.get_mut(&id) else { return };
        c.inbuf.extend_from_slice(data);
        let Some(nl) = c.inbuf.iter().position(|&b| b == b'\n') else {
            if c.inbuf.len() > MAX_REQUEST {
                c.queue(&proto::err("InvalidParameter", "request line too long"));
                c.mode = Mode::Done;
            }
            return;
        };
        let line: Vec<u8> = c.inbuf.drain(..=nl).collect();
        self.last_activity = Instant::now();
        let (answer, mode) = match proto::parse(&line) {
            Ok(req) => self.dispatch(id, req),
            Err(msg) => (proto::err("InvalidParameter", &msg), Mode::Done),
        };
        if let Some(c) = self.clients.get_mut(&id) {
            c.queue(&answer);
            c.mode = mode;
            // Bytes after the request line of a stream are already its stdin.
            let rest = std::mem::take(&mut c.inbuf);
            if !rest.is_empty() {
                match mode {
                    Mode::Attach { .. } => self.ctr.stdin.push(&rest),
                    Mode::Exec(pid) => self.exec_stdin(pid, Some(&rest)),
                    _ => {}
                }
            }
        }
    }

    fn dispatch(&mut self, id: u64, req: Request) -> (Vec<u8>, Mode) {
        let done = |a: Vec<u8>| (a, Mode::Done);
        match req {
            Request::State => done(self.state()),
            Request::Start => done(self.start_container()),
            Request::Kill { signal } => done(self.kill(signal)),
            Request::Wait => match &self.exit {
                Some(rec) => {
                    self.wait_answered = true;
                    done(proto::ok(serde_json::json!({ "exit": rec })))
                }
                None => (Vec::new(), Mode::Waiting),
            },
            Request::Attach { stdin_once } => self.attach(stdin_once),
            Request::Resize { rows, cols, exec } => done(self.resize(rows, cols, exec)),
            Request::Exec { process } => self.exec(id, *process),
            Request::Shutdown => done(self.shutdown_request()),
        }
    }

    fn status(&self) -> &'static str {
        match (&self.exit, self.started) {
            (Some(_), _) => "exited",
            (None, true) => "running",
            (None, false) => "created",
        }
    }

    fn state(&self) -> Vec<u8> {
        proto::ok(serde_json::json!({
            "pid": self.ctr.pid, "shimPid": std::process::id(), "status": self.status(),
            "exit": self.exit.clone().or_else(|| exit::read(&self.state_dir())),
        }))
    }

    fn not_running(&self) -> Vec<u8> {
        proto::err("Conflict", &format!("container {} is not running", self.args.id))
    }

    fn start_container(&mut self) -> Vec<u8> {
        if self.started {
            return proto::err("Conflict", &format!("container {} is already started", self.args.id));
        }
        let (Some(chan), true) = (self.chan.as_mut(), self.ctr.alive()) else { return self.not_running() };
        if let Err(e) = self.placing.finish() {
            return proto::failed("System", &e.failure());
        }
        if let Err(e) = chan.send(&Msg::Start, None) {
            return proto::err("System", &format!("start container {}: {e}", self.args.id));
        }
        // The init's end closes on exec: end of file is success, a message is the failure.
        match chan.recv() {
            Ok(None) => {
                self.started_ok();
                proto::ok(serde_json::json!({}))
            }
            Ok(Some(Msg::Error(f))) => proto::failed("System", &f),
            Ok(Some(other)) => proto::err("System", &format!("start container {}: unexpected {other:?}", self.args.id)),
            Err(e) => proto::err("System", &format!("start container {}: {e}", self.args.id)),
        }
    }

    fn kill(&mut self, signal: i32) -> Vec<u8> {
        if !self.ctr.alive() {
            return self.not_running();
        }
        if unsafe { libc::kill(self.ctr.pid, signal) } != 0 {
            let e = crate::error::Error::last(format!("kill container {} with signal {signal}", self.args.id));
            return proto::err("InvalidParameter", &e.to_string());
        }
        proto::ok(serde_json::json!({}))
    }

    fn attach(&mut self, stdin_once: bool) -> (Vec<u8>, Mode) {
        if self.exit.is_some() {
            return (self.not_running(), Mode::Done);
        }
        let ok = proto::ok(serde_json::json!({ "tty": self.ctr.pty.is_some(), "stdin": self.ctr.stdin.fd.is_some() }));
        (ok, Mode::Attach { stdin_once })
    }

    fn resize(&mut self, rows: u16, cols: u16, exec: Option<i32>) -> Vec<u8> {
        let pty = match exec {
            None => self.ctr.pty,
            Some(pid) => self.execs.iter().find(|x| x.proc.pid == pid).and_then(|x| x.proc.pty),
        };
        let Some(fd) = pty else { return proto::err("Conflict", "resize: the process has no terminal") };
        match crate::console::set_size(fd, ConsoleSize { height: rows, width: cols }) {
            Ok(()) => proto::ok(serde_json::json!({})),
            Err(e) => proto::err("System", &e.to_string()),
        }
    }

    fn exec(&mut self, id: u64, process: Process) -> (Vec<u8>, Mode) {
        if !self.started || !self.ctr.alive() {
            return (self.not_running(), Mode::Done);
        }
        match crate::shim::exec::start(&self.spec, self.ctr.pid, process) {
            Ok(s) => {
                let tty = s.io.pty.is_some();
                self.execs.push(ExecProc { proc: Proc::new(s.pid, s.io), client: id });
                (proto::ok(serde_json::json!({ "pid": s.pid, "tty": tty })), Mode::Exec(s.pid))
            }
            Err(e) => (proto::failed("System", &e.failure()), Mode::Done),
        }
    }

    fn shutdown_request(&mut self) -> Vec<u8> {
        if self.exit.is_none() {
            return proto::err("Conflict", &format!("shutdown shim of {}: the container is still running", self.args.id));
        }
        self.shutdown = true;
        proto::ok(serde_json::json!({}))
    }
}
