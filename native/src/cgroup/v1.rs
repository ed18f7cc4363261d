//! cgroup v1: one directory per hierarchy, each controller's files in its own hierarchy.

use std::path::{Path, PathBuf};

use super::convert::{pids_max, v1_limit, v1_memory_writes};
use super::fs::CgroupFs;
use super::parse;
use super::setup::{no_hierarchy, Hierarchy};
use super::util::{make_levels, read, read_opt, remove_tree, stat, wait_for, write};
use super::{CgroupManager, CgroupPath, Resources, Stats};
use crate::error::NativeError;

/// A v1 (or hybrid) manager over the hierarchies of a [`super::Setup::V1`].
pub struct V1Manager<'a> {
    pub fs: &'a dyn CgroupFs,
    pub hierarchies: &'a [Hierarchy],
    pub unified: Option<&'a Path>,
    pub source: &'a str,
}

impl V1Manager<'_> {
    /// Every root the cgroup lives under: each hierarchy, then the hybrid v2 tree.
    fn roots(&self) -> Vec<&Path> {
        let mut roots: Vec<&Path> = self.hierarchies.iter().map(|h| h.mount.as_path()).collect();
        roots.extend(self.unified);
        roots
    }

    fn has(&self, controller: &str) -> bool {
        self.hierarchies
            .iter()
            .any(|h| h.controllers.iter().any(|c| c == controller))
    }

    /// The cgroup's directory in the hierarchy that carries `controller`.
    fn dir(&self, controller: &str, path: &CgroupPath) -> Result<PathBuf, NativeError> {
        self.hierarchies
            .iter()
            .find(|h| h.controllers.iter().any(|c| c == controller))
            .map(|h| path.under(&h.mount))
            .ok_or_else(|| no_hierarchy(self.source, &format!("no v1 hierarchy has the {controller} controller")))
    }

    /// A new cpuset cgroup has no cpus or mems, and no process may join it until it has:
    /// copy the parent's (created top-down, so the parent is already filled).
    fn fill_cpuset(&self, dir: &Path) -> Result<(), NativeError> {
        let parent = dir.parent().expect("a cgroup level has a parent");
        for file in ["cpuset.cpus", "cpuset.mems"] {
            if read(self.fs, &dir.join(file))?.trim().is_empty() {
                let inherited = read(self.fs, &parent.join(file))?;
                write(self.fs, dir, file, inherited.trim())?;
            }
        }
        Ok(())
    }

    fn apply_cpu(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError> {
        let dir = self.dir("cpu", path)?;
        if let Some(shares) = res.cpu_shares {
            write(self.fs, &dir, "cpu.shares", &shares.to_string())?;
        }
        let quota = res.cpu_quota.map(v1_limit);
        if let Some(period) = res.cpu_period {
            match self.fs.write(&dir.join("cpu.cfs_period_us"), &period.to_string()) {
                // The new period conflicts with the current quota: the new quota must go first.
                Err(e) if e.errno == libc::EINVAL && quota.is_some() => {
                    write(self.fs, &dir, "cpu.cfs_quota_us", quota.as_deref().unwrap_or_default())?;
                    return write(self.fs, &dir, "cpu.cfs_period_us", &period.to_string());
                }
                other => other?,
            }
        }
        match quota {
            Some(q) => write(self.fs, &dir, "cpu.cfs_quota_us", &q),
            None => Ok(()),
        }
    }

    fn apply_memory(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError> {
        let dir = self.dir("memory", path)?;
        let current_swap = match (res.memory, res.memory_swap) {
            (Some(_), Some(_)) => stat(
                self.fs,
                &dir.join("memory.memsw.limit_in_bytes"),
                "number",
                parse::number,
            )?,
            _ => None,
        };
        for (file, value) in v1_memory_writes(res.memory, res.memory_swap, current_swap)? {
            write(self.fs, &dir, file, &value)?;
        }
        match res.memory_reservation {
            Some(r) => write(self.fs, &dir, "memory.soft_limit_in_bytes", &v1_limit(r)),
            None => Ok(()),
        }
    }

    fn apply_rest(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError> {
        for (file, value) in [("cpuset.cpus", &res.cpuset_cpus), ("cpuset.mems", &res.cpuset_mems)] {
            if let Some(value) = value {
                write(self.fs, &self.dir("cpuset", path)?, file, value)?;
            }
        }
        if let Some(limit) = res.pids_limit {
            write(self.fs, &self.dir("pids", path)?, "pids.max", &pids_max(limit))?;
        }
        if let Some(weight) = res.blkio_weight {
            let dir = self.dir("blkio", path)?;
            // CFQ's blkio.weight left with Linux 5.0; BFQ has its own file. A missing file is
            // reported against blkio.weight.
            let bfq = dir.join("blkio.bfq.weight");
            let file = if self.fs.exists(&bfq)? {
                "blkio.bfq.weight"
            } else {
                "blkio.weight"
            };
            write(self.fs, &dir, file, &weight.to_string())?;
        }
        Ok(())
    }

    fn set_freezer(&self, path: &CgroupPath, state: &'static str) -> Result<(), NativeError> {
        let file = self.dir("freezer", path)?.join("freezer.state");
        let reached = || Ok(read(self.fs, &file)?.trim() == state);
        // Writing FROZEN again while FREEZING retries processes that were busy the first time.
        let nudge = || Ok(self.fs.write(&file, state)?);
        wait_for(self.fs, &file, state, reached, nudge)
    }

    fn io_bytes(&self, path: &CgroupPath) -> Result<Option<(u64, u64)>, NativeError> {
        if !self.has("blkio") {
            return Ok(None);
        }
        let dir = self.dir("blkio", path)?;
        let mut found = None;
        for file in [
            "blkio.io_service_bytes_recursive",
            "blkio.bfq.io_service_bytes_recursive",
            "blkio.throttle.io_service_bytes_recursive",
        ] {
            if let Some(text) = read_opt(self.fs, &dir.join(file))? {
                // An I/O scheduler's file exists but stays empty when the device uses another one.
                let has_devices = text.lines().any(|l| l.split_whitespace().count() == 3);
                found = Some(parse::blkio_service_bytes(&text));
                if has_devices {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// A stats file of `controller`, parsed; None when that controller or file is absent.
    fn stat<T>(
        &self,
        controller: &str,
        path: &CgroupPath,
        file: &str,
        parser: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, NativeError> {
        if !self.has(controller) {
            return Ok(None);
        }
        stat(self.fs, &self.dir(controller, path)?.join(file), file, parser)
    }
}

impl CgroupManager for V1Manager<'_> {
    fn create(&self, path: &CgroupPath) -> Result<(), NativeError> {
        for h in self.hierarchies {
            let cpuset = h.controllers.iter().any(|c| c == "cpuset");
            make_levels(self.fs, &path.levels(&h.mount), |dir| {
                if cpuset {
                    self.fill_cpuset(dir)
                } else {
                    Ok(())
                }
            })?;
        }
        if let Some(unified) = self.unified {
            make_levels(self.fs, &path.levels(unified), |_| Ok(()))?;
        }
        Ok(())
    }

    fn apply(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError> {
        if res.cpu_shares.is_some() || res.cpu_quota.is_some() || res.cpu_period.is_some() {
            self.apply_cpu(path, res)?;
        }
        if res.memory.is_some() || res.memory_swap.is_some() || res.memory_reservation.is_some() {
            self.apply_memory(path, res)?;
        }
        self.apply_rest(path, res)
    }

    fn add_process(&self, path: &CgroupPath, pid: u32) -> Result<(), NativeError> {
        for root in self.roots() {
            write(self.fs, &path.under(root), "cgroup.procs", &pid.to_string())?;
        }
        Ok(())
    }

    fn freeze(&self, path: &CgroupPath) -> Result<(), NativeError> {
        self.set_freezer(path, "FROZEN")
    }

    fn thaw(&self, path: &CgroupPath) -> Result<(), NativeError> {
        self.set_freezer(path, "THAWED")
    }

    fn stats(&self, path: &CgroupPath) -> Result<Stats, NativeError> {
        let io = self.io_bytes(path)?;
        Ok(Stats {
            cpu_usage_ns: self.stat("cpuacct", path, "cpuacct.usage", parse::number)?,
            memory_usage: self.stat("memory", path, "memory.usage_in_bytes", parse::number)?,
            memory_limit: self
                .stat("memory", path, "memory.limit_in_bytes", parse::limit)?
                .flatten(),
            pids_current: self.stat("pids", path, "pids.current", parse::number)?,
            io_read_bytes: io.map(|(r, _)| r),
            io_write_bytes: io.map(|(_, w)| w),
        })
    }

    fn oom_kill_count(&self, path: &CgroupPath) -> Result<u64, NativeError> {
        let file = self.dir("memory", path)?.join("memory.oom_control");
        let text = read(self.fs, &file)?;
        super::util::parse(&file, &text, "oom_kill line (Linux 4.13+)", |t| {
            parse::keyed(t, "oom_kill")
        })
    }

    fn procs(&self, path: &CgroupPath) -> Result<Vec<u32>, NativeError> {
        let mut all = Vec::new();
        for root in self.roots() {
            let file = path.under(root).join("cgroup.procs");
            let text = read(self.fs, &file)?;
            all.extend(super::util::parse(&file, &text, "pid list", parse::pids)?);
        }
        all.sort_unstable();
        all.dedup();
        Ok(all)
    }

    fn destroy(&self, path: &CgroupPath) -> Result<(), NativeError> {
        for root in self.roots() {
            remove_tree(self.fs, &path.under(root))?;
        }
        Ok(())
    }
}
