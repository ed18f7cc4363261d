//! Running a short-lived program (the helper that starts a container's shim) from the daemon.
//! Node's child_process forks, which copies the daemon's page tables on the main thread: about a
//! millisecond plus 0.1 ms per MB of the daemon's memory, every container start. std's Command
//! uses posix_spawn (a vfork: nothing is copied) when, as here, nothing runs between fork and exec,
//! and it does so on a libuv pool thread, which also waits for the program's end and output.

use std::collections::HashMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::error::{NativeError, SysError};
use crate::exports::task::{blocking, BlockingTask};

/// How to run it.
#[napi(object)]
pub struct SpawnOptions {
    /// argv[0], when it should differ from the program's path.
    pub argv0: Option<String>,
    /// Variables added to the daemon's environment.
    pub env: Option<HashMap<String, String>>,
}

/// How it ended, and what it wrote (as UTF-8, invalid bytes replaced).
#[napi(object, use_nullable = true)]
pub struct SpawnResult {
    /// The exit code, or null when a signal ended it.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program` with `args` (stdin /dev/null, in a process group of its own, so a terminal's
/// Ctrl-C to the daemon does not reach it) and resolves once it has ended.
#[napi(ts_return_type = "Promise<SpawnResult>")]
pub fn spawn_collect(program: String, args: Vec<String>, options: Option<SpawnOptions>) -> AsyncTask<BlockingTask<SpawnResult>> {
    blocking(move || {
        let mut cmd = Command::new(&program);
        cmd.args(&args).stdin(Stdio::null()).process_group(0);
        if let Some(o) = options {
            if let Some(a) = o.argv0 {
                cmd.arg0(a);
            }
            cmd.envs(o.env.unwrap_or_default());
        }
        let out = cmd
            .output()
            .map_err(|e| NativeError::from(SysError::from_io("posix_spawn", Some(&program), &e)).during(&format!("run {program}")))?;
        Ok(SpawnResult {
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    })
}
