//! `berth-helper shim`: the per-container monitor. It detaches from the daemon, creates the
//! container, reports, then serves STATE/shim.sock until the container has exited and nobody
//! needs it any more (see server.rs for when that is).

pub mod client;
pub mod create;
pub mod daemon;
pub mod exec;
pub mod oom;
pub mod output;
pub mod procs;
pub mod proto;
pub mod pump;
pub mod requests;
pub mod server;
pub mod signals;
pub mod socket;
pub mod stdio;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::spec::Spec;

/// The shim's command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub id: String,
    pub bundle: PathBuf,
    pub state: PathBuf,
    pub log: Option<PathBuf>,
    /// How long an exited container's shim waits for a client before it goes.
    pub linger: Duration,
}

/// Default of --linger: long enough for a daemon restart to reconnect and collect the exit.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(30);

/// Parses `--id ID --bundle DIR --state DIR [--log FILE] [--linger SECONDS]`.
pub fn parse_args(args: &[String]) -> std::result::Result<Args, String> {
    let mut it = args.iter();
    let (mut id, mut bundle, mut state, mut log, mut linger) = (None, None, None, None, DEFAULT_LINGER);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--id" => id = Some(value.clone()),
            "--bundle" => bundle = Some(PathBuf::from(value)),
            "--state" => state = Some(PathBuf::from(value)),
            "--log" => log = Some(PathBuf::from(value)),
            "--linger" => linger = Duration::from_secs(value.parse().map_err(|_| format!("--linger {value}: not a number of seconds"))?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(Args {
        id: id.ok_or("--id is required")?,
        bundle: bundle.ok_or("--bundle is required")?,
        state: state.ok_or("--state is required")?,
        log,
        linger,
    })
}

/// Runs the shim; returns the exit status of the process the daemon spawned (0: created).
pub fn run(args: &Args) -> i32 {
    let spec = match load(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let ready = match daemon::detach() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    // From here on this is the shim, detached; the spawned process relays `ready`'s report.
    if daemon::quiet_stdio(&args.state.join("shim.log")).is_err() {
        ready.report(Err(Error::msg("shim", "cannot redirect stdio").failure()));
        return 1;
    }
    match server::Server::start(args, spec) {
        Ok(server) => {
            ready.report(Ok(server.ready_json()));
            server.serve();
            0
        }
        Err(e) => {
            ready.report(Err(e.failure()));
            1
        }
    }
}

fn load(args: &Args) -> Result<Spec> {
    let config = args.bundle.join("config.json");
    let text = std::fs::read_to_string(&config).map_err(|e| Error::io(format!("read {}", config.display()), &e))?;
    let spec = Spec::parse(&text).map_err(|m| Error::msg(format!("container {}", args.id), m))?;
    std::fs::create_dir_all(&args.state).map_err(|e| Error::io(format!("create state dir {}", args.state.display()), &e))?;
    // A restarted container reuses its state dir: the old exit must not answer new waits.
    for stale in ["exit.json", "shim.sock", "shim.json"] {
        let _ = std::fs::remove_file(args.state.join(stale));
    }
    Ok(spec)
}

/// The state file naming the shim and the container's init (for a daemon that finds the shim gone).
pub fn write_pids(state: &Path, shim: i32, pid: i32) -> Result<()> {
    let tmp = state.join(".shim.json.tmp");
    let text = serde_json::json!({"shimPid": shim, "pid": pid}).to_string();
    std::fs::write(&tmp, text).map_err(|e| Error::io(format!("write {}", tmp.display()), &e))?;
    std::fs::rename(&tmp, state.join("shim.json")).map_err(|e| Error::io("rename shim.json", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn shim_args() {
        let a = parse_args(&v("--id c1 --bundle /b --state /s --log /l.json --linger 5")).unwrap();
        assert_eq!(a.id, "c1");
        assert_eq!(a.log, Some(PathBuf::from("/l.json")));
        assert_eq!(a.linger, Duration::from_secs(5));
        assert_eq!(parse_args(&v("--id c1 --bundle /b --state /s")).unwrap().linger, DEFAULT_LINGER);
        assert_eq!(parse_args(&v("--id c1 --bundle /b")).unwrap_err(), "--state is required");
        assert_eq!(parse_args(&v("--id")).unwrap_err(), "--id needs a value");
        assert!(parse_args(&v("--bogus x")).unwrap_err().contains("--bogus"));
    }
}
