//! Container cgroups on v1 (one hierarchy per controller) and v2 (unified), behind [`CgroupManager`].
//!
//! Every writer takes its root paths from a [`Setup`], so unit tests point it at a tmpdir holding
//! the files a cgroup filesystem would have. Hybrid hosts use v1 for the controllers, as runc does,
//! and also place the cgroup in the controller-less v2 tree so systemd-era tools see it.

pub mod convert;
pub mod fs;
pub mod parse;
pub mod setup;
mod util;
pub mod v1;
pub mod v2;

#[cfg(test)]
mod testfs;
#[cfg(test)]
mod tests_v1;
#[cfg(test)]
mod tests_v2;

use std::path::{Path, PathBuf};

use crate::error::{ArgError, NativeError};
use fs::CgroupFs;
pub use setup::Setup;
use v1::V1Manager;
use v2::V2Manager;

/// Limits in Docker's HostConfig terms; None leaves the current setting alone.
/// -1 means unlimited for memory, memoryReservation, memorySwap and cpuQuota.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    /// Memory plus swap, as Docker counts it (v2's memory.swap.max gets the difference).
    pub memory_swap: Option<i64>,
    pub cpu_shares: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<u64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    /// 0 or less means unlimited ("max"), as in Docker's API.
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
}

/// Resources as JS passes them: Docker's HostConfig numbers, where 0 (or absent) means "not set",
/// except pidsLimit, where 0 means unlimited and only absent means "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerResources {
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub memory_swap: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<i64>,
}

/// Usage numbers; None when the controller (or the file) is not there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub cpu_usage_ns: Option<u64>,
    pub memory_usage: Option<u64>,
    /// None also when the limit is "max" (unlimited).
    pub memory_limit: Option<u64>,
    pub pids_current: Option<u64>,
    pub io_read_bytes: Option<u64>,
    pub io_write_bytes: Option<u64>,
}

/// A cgroup path relative to the roots of every hierarchy, e.g. "berth/<id>".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupPath(String);

impl CgroupPath {
    /// Accepts "a/b/c" with no empty, "." or ".." component: the path may never leave the roots.
    pub fn parse(path: &str) -> Result<Self, ArgError> {
        let bad = |detail: &str| Err(ArgError::new("path", format!("'{path}' {detail}")));
        if path.is_empty() || path.starts_with('/') {
            return bad("must be a non-empty relative path, like berth/<id>");
        }
        if path.contains('\0') {
            return bad("contains a NUL byte");
        }
        if path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return bad("has an empty, '.' or '..' component");
        }
        Ok(CgroupPath(path.to_string()))
    }

    /// The directory of this cgroup under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(&self.0)
    }

    /// Directories from the first component down to the cgroup itself, under `root`.
    pub fn levels(&self, root: &Path) -> Vec<PathBuf> {
        let mut dir = root.to_path_buf();
        self.0
            .split('/')
            .map(|c| {
                dir.push(c);
                dir.clone()
            })
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One container cgroup's life: create, limit, fill, freeze, measure, remove.
/// Errors carry no operation; the functions below name it.
pub trait CgroupManager {
    /// Makes the cgroup in every hierarchy (existing directories are fine).
    fn create(&self, path: &CgroupPath) -> Result<(), NativeError>;
    /// Writes the limits that are set in `res`.
    fn apply(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError>;
    /// Moves process `pid` (all its threads) into the cgroup.
    fn add_process(&self, path: &CgroupPath, pid: u32) -> Result<(), NativeError>;
    /// Freezes every process in the cgroup and returns once the kernel says it is frozen.
    fn freeze(&self, path: &CgroupPath) -> Result<(), NativeError>;
    /// Thaws the cgroup and returns once it is running again.
    fn thaw(&self, path: &CgroupPath) -> Result<(), NativeError>;
    fn stats(&self, path: &CgroupPath) -> Result<Stats, NativeError>;
    /// How many processes the OOM killer has killed in the cgroup.
    fn oom_kill_count(&self, path: &CgroupPath) -> Result<u64, NativeError>;
    /// Process ids in the cgroup, sorted.
    fn procs(&self, path: &CgroupPath) -> Result<Vec<u32>, NativeError>;
    /// Removes the cgroup (and any child cgroups) from every hierarchy; kills nothing.
    /// A cgroup that is already gone is fine; one that still has processes fails with EBUSY.
    fn destroy(&self, path: &CgroupPath) -> Result<(), NativeError>;
}

/// The manager for `setup`: v1 (also on hybrid hosts) or v2.
pub fn manager<'a>(fs: &'a dyn CgroupFs, setup: &'a Setup) -> Box<dyn CgroupManager + 'a> {
    match setup {
        Setup::V1 {
            hierarchies,
            unified,
            source,
        } => Box::new(V1Manager {
            fs,
            hierarchies,
            unified: unified.as_deref(),
            source,
        }),
        Setup::V2 { root } => Box::new(V2Manager { fs, root }),
    }
}

fn run<T>(verb: &str, path: &str, f: impl FnOnce(&CgroupPath) -> Result<T, NativeError>) -> Result<T, NativeError> {
    let operation = format!("cgroup {verb} of '{path}'");
    CgroupPath::parse(path)
        .map_err(NativeError::from)
        .and_then(|p| f(&p))
        .map_err(|e| e.during(&operation))
}

/// Creates the cgroup and applies `res`. On failure the caller destroys what was made.
pub fn create(m: &dyn CgroupManager, path: &str, res: &Resources) -> Result<(), NativeError> {
    run("create", path, |p| {
        res.check()?;
        m.create(p)?;
        m.apply(p, res)
    })
}

/// Applies `res` to an existing cgroup.
pub fn update(m: &dyn CgroupManager, path: &str, res: &Resources) -> Result<(), NativeError> {
    run("update", path, |p| {
        res.check()?;
        m.apply(p, res)
    })
}

pub fn add_process(m: &dyn CgroupManager, path: &str, pid: u32) -> Result<(), NativeError> {
    run("process add", path, |p| m.add_process(p, pid))
}

pub fn freeze(m: &dyn CgroupManager, path: &str) -> Result<(), NativeError> {
    run("freeze", path, |p| m.freeze(p))
}

pub fn thaw(m: &dyn CgroupManager, path: &str) -> Result<(), NativeError> {
    run("thaw", path, |p| m.thaw(p))
}

pub fn stats(m: &dyn CgroupManager, path: &str) -> Result<Stats, NativeError> {
    run("stats", path, |p| m.stats(p))
}

pub fn oom_kill_count(m: &dyn CgroupManager, path: &str) -> Result<u64, NativeError> {
    run("oom count", path, |p| m.oom_kill_count(p))
}

pub fn procs(m: &dyn CgroupManager, path: &str) -> Result<Vec<u32>, NativeError> {
    run("process list", path, |p| m.procs(p))
}

pub fn destroy(m: &dyn CgroupManager, path: &str) -> Result<(), NativeError> {
    run("destroy", path, |p| m.destroy(p))
}

impl Resources {
    /// Drops Docker's "0 = not set" values and checks the rest.
    pub fn from_docker(d: DockerResources) -> Result<Self, ArgError> {
        let set = |v: Option<i64>| v.filter(|&v| v != 0);
        let unsigned = |name: &str, v: Option<i64>| match set(v) {
            Some(v) if v < 0 => Err(ArgError::new(name, format!("{v} is negative"))),
            other => Ok(other.map(|v| v as u64)),
        };
        let text = |v: Option<String>| v.filter(|s| !s.is_empty());
        let blkio = unsigned("resources.blkioWeight", d.blkio_weight)?;
        let res = Resources {
            memory: set(d.memory),
            memory_reservation: set(d.memory_reservation),
            memory_swap: set(d.memory_swap),
            cpu_shares: unsigned("resources.cpuShares", d.cpu_shares)?,
            cpu_quota: set(d.cpu_quota),
            cpu_period: unsigned("resources.cpuPeriod", d.cpu_period)?,
            cpuset_cpus: text(d.cpuset_cpus),
            cpuset_mems: text(d.cpuset_mems),
            pids_limit: d.pids_limit,
            blkio_weight: match blkio {
                Some(w) => {
                    Some(u16::try_from(w).map_err(|_| ArgError::new("resources.blkioWeight", "must be 10 to 1000"))?)
                }
                None => None,
            },
        };
        res.check()?;
        Ok(res)
    }

    /// Refuses values no kernel accepts, before anything is written.
    pub fn check(&self) -> Result<(), ArgError> {
        let at_least_minus_one = [
            ("resources.memory", self.memory),
            ("resources.memoryReservation", self.memory_reservation),
            ("resources.memorySwap", self.memory_swap),
            ("resources.cpuQuota", self.cpu_quota),
        ];
        for (name, value) in at_least_minus_one {
            if matches!(value, Some(v) if v < -1 || v == 0) {
                return Err(ArgError::new(name, "must be -1 (unlimited) or positive"));
            }
        }
        if self.cpu_period == Some(0) || self.cpu_shares == Some(0) {
            return Err(ArgError::new("resources", "cpuPeriod and cpuShares must be positive"));
        }
        match self.blkio_weight {
            Some(w) if !(10..=1000).contains(&w) => Err(ArgError::new("resources.blkioWeight", "must be 10 to 1000")),
            _ => Ok(()),
        }
    }
}
