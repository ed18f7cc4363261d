//! Moving output: the container's streams to its log and attached clients, exec streams to
//! their client, and what happens when a process is finished (exit.json, answers, EXIT frames).

use std::time::Instant;

use crate::exit::{self, ExitRecord};
use crate::shim::client::Mode;
use crate::shim::output::Chunk;
use crate::shim::server::{ExecProc, Server};
use crate::shim::{oom, proto};

impl Server {
    pub(crate) fn ctr_output(&mut self, i: usize) {
        if let Chunk::End = self.drain_once(i) {
            self.end_ctr_stream(i);
        }
    }

    pub(crate) fn end_ctr_stream(&mut self, i: usize) {
        let out = &mut self.ctr.outs[i];
        if let Some(rest) = out.rest() {
            self.log.write(out.kind, &[rest]);
        }
        out.close();
        if out.pty {
            // The slave side is gone: nothing more can be typed into it either.
            self.ctr.stdin.detach();
        }
    }

    pub(crate) fn exec_output(&mut self, e: usize, i: usize) {
        let x = &mut self.execs[e];
        match x.proc.outs[i].read() {
            Chunk::Data(data) => {
                let frame = proto::frame(x.proc.outs[i].kind, &data);
                if let Some(c) = self.clients.get_mut(&x.client) {
                    c.queue(&frame);
                }
            }
            Chunk::End => {
                x.proc.outs[i].close();
                if x.proc.outs[i].pty {
                    x.proc.stdin.detach();
                }
            }
            Chunk::Again => {}
        }
    }

    pub(crate) fn finish_container(&mut self) {
        for i in 0..self.ctr.outs.len() {
            while let Chunk::Data(_) = self.drain_once(i) {}
            self.end_ctr_stream(i);
        }
        self.ctr.close_all();
        self.close_chan();
        let (code, signal) = exit::from_wait_status(self.ctr.status.unwrap_or(0));
        let finished_at = self.ctr.reaped_at.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
        let oom_killed = oom::kills(&self.oom_dirs) > self.oom_before;
        let rec = ExitRecord { exit_code: code, signal, oom_killed, finished_at };
        // The waiters (the daemon, which records the exit durably itself) and the attached clients'
        // ends go out first; exit.json, with its fsync, is for when nobody is there to ask, and is
        // written right after: a millisecond less between the exit and the daemon hearing of it.
        let answer = proto::ok(serde_json::json!({ "exit": rec }));
        for c in self.clients.values_mut() {
            match c.mode {
                Mode::Waiting => {
                    c.queue(&answer);
                    c.mode = Mode::Done;
                    self.wait_answered = true;
                }
                Mode::Attach { .. } => c.mode = Mode::Done,
                _ => {}
            }
            c.flush();
        }
        if let Err(e) = exit::write(&self.args.state, &rec) {
            eprintln!("shim {}: {e}", self.args.id);
        }
        self.exit = Some(rec);
        self.last_activity = Instant::now();
    }

    pub(crate) fn drain_once(&mut self, i: usize) -> Chunk {
        let chunk = self.ctr.outs[i].read();
        if let Chunk::Data(data) = &chunk {
            let kind = self.ctr.outs[i].kind;
            let lines = self.ctr.outs[i].lines(data);
            self.log.write(kind, &lines);
            let frame = proto::frame(kind, data);
            for c in self.clients.values_mut().filter(|c| matches!(c.mode, Mode::Attach { .. })) {
                c.queue(&frame);
            }
        }
        chunk
    }

    pub(crate) fn finish_exec(&mut self, x: &mut ExecProc) {
        x.proc.close_all();
        let (code, signal) = exit::from_wait_status(x.proc.status.unwrap_or(0));
        if let Some(c) = self.clients.get_mut(&x.client) {
            let body = serde_json::json!({"exitCode": code, "signal": signal}).to_string();
            c.queue(&proto::frame(proto::EXIT, body.as_bytes()));
            c.mode = Mode::Done;
        }
    }

}
