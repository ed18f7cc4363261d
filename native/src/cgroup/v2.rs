//! cgroup v2: one unified tree; controllers must be enabled in every parent's cgroup.subtree_control.

use std::path::Path;

use super::convert::{blkio_to_io_weight, pids_max, shares_to_weight, v2_cpu_max, v2_limit, v2_swap};
use super::fs::CgroupFs;
use super::parse;
use super::util::{make_levels, parse as parse_file, read, read_opt, remove_tree, stat, wait_for, write};
use super::{CgroupManager, CgroupPath, Resources, Stats};
use crate::error::NativeError;

/// A v2 manager under one unified root.
pub struct V2Manager<'a> {
    pub fs: &'a dyn CgroupFs,
    pub root: &'a Path,
}

impl V2Manager<'_> {
    /// Enables in `dir`'s children every controller `dir` has. All at once first; if the kernel
    /// refuses one (cpu with realtime tasks around, say), one by one so the others still come.
    /// A controller left out surfaces later as a missing file naming it, if a limit needs it.
    fn enable_controllers(&self, dir: &Path) -> Result<(), NativeError> {
        let available = parse::words(&read(self.fs, &dir.join("cgroup.controllers"))?);
        let enabled = parse::words(&read(self.fs, &dir.join("cgroup.subtree_control"))?);
        let missing: Vec<String> = available
            .into_iter()
            .filter(|c| !enabled.contains(c))
            .map(|c| format!("+{c}"))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let file = dir.join("cgroup.subtree_control");
        if self.fs.write(&file, &missing.join(" ")).is_err() {
            for one in &missing {
                let _ = self.fs.write(&file, one);
            }
        }
        Ok(())
    }

    fn apply_memory(&self, dir: &Path, res: &Resources) -> Result<(), NativeError> {
        if let Some(m) = res.memory {
            write(self.fs, dir, "memory.max", &v2_limit(m))?;
        }
        if let Some(swap) = res.memory_swap {
            write(self.fs, dir, "memory.swap.max", &v2_swap(res.memory, swap)?)?;
        }
        if let Some(r) = res.memory_reservation {
            write(self.fs, dir, "memory.low", &v2_limit(r))?;
        }
        Ok(())
    }

    fn apply_cpu(&self, dir: &Path, res: &Resources) -> Result<(), NativeError> {
        if let Some(shares) = res.cpu_shares {
            write(self.fs, dir, "cpu.weight", &shares_to_weight(shares).to_string())?;
        }
        let current = match (res.cpu_quota, res.cpu_period) {
            (None, Some(_)) => read_opt(self.fs, &dir.join("cpu.max"))?,
            _ => None,
        };
        if let Some(max) = v2_cpu_max(res.cpu_quota, res.cpu_period, current.as_deref()) {
            write(self.fs, dir, "cpu.max", &max)?;
        }
        for (file, value) in [("cpuset.cpus", &res.cpuset_cpus), ("cpuset.mems", &res.cpuset_mems)] {
            if let Some(value) = value {
                write(self.fs, dir, file, value)?;
            }
        }
        Ok(())
    }

    fn apply_io(&self, dir: &Path, weight: u16) -> Result<(), NativeError> {
        // BFQ takes blkio's own scale; io.weight (the io cost model) takes 1..10000.
        if self.fs.exists(&dir.join("io.bfq.weight"))? {
            write(self.fs, dir, "io.bfq.weight", &weight.to_string())
        } else {
            write(self.fs, dir, "io.weight", &blkio_to_io_weight(weight).to_string())
        }
    }

    fn set_frozen(&self, path: &CgroupPath, frozen: bool) -> Result<(), NativeError> {
        let dir = path.under(self.root);
        let events = dir.join("cgroup.events");
        let want = u64::from(frozen);
        let reached = || Ok(parse::keyed(&read(self.fs, &events)?, "frozen") == Some(want));
        let nudge = || write(self.fs, &dir, "cgroup.freeze", &want.to_string());
        wait_for(
            self.fs,
            &events,
            if frozen { "frozen 1" } else { "frozen 0" },
            reached,
            nudge,
        )
    }
}

impl CgroupManager for V2Manager<'_> {
    fn create(&self, path: &CgroupPath) -> Result<(), NativeError> {
        self.enable_controllers(self.root)?;
        let leaf = path.under(self.root);
        make_levels(self.fs, &path.levels(self.root), |dir| {
            if dir == leaf {
                Ok(())
            } else {
                self.enable_controllers(dir)
            }
        })
    }

    fn apply(&self, path: &CgroupPath, res: &Resources) -> Result<(), NativeError> {
        let dir = path.under(self.root);
        self.apply_memory(&dir, res)?;
        self.apply_cpu(&dir, res)?;
        if let Some(limit) = res.pids_limit {
            write(self.fs, &dir, "pids.max", &pids_max(limit))?;
        }
        match res.blkio_weight {
            Some(w) => self.apply_io(&dir, w),
            None => Ok(()),
        }
    }

    fn add_process(&self, path: &CgroupPath, pid: u32) -> Result<(), NativeError> {
        write(self.fs, &path.under(self.root), "cgroup.procs", &pid.to_string())
    }

    fn freeze(&self, path: &CgroupPath) -> Result<(), NativeError> {
        self.set_frozen(path, true)
    }

    fn thaw(&self, path: &CgroupPath) -> Result<(), NativeError> {
        self.set_frozen(path, false)
    }

    fn stats(&self, path: &CgroupPath) -> Result<Stats, NativeError> {
        let dir = path.under(self.root);
        let usec = stat(self.fs, &dir.join("cpu.stat"), "usage_usec", |t| {
            parse::keyed(t, "usage_usec")
        })?;
        let io = stat(self.fs, &dir.join("io.stat"), "io.stat", |t| Some(parse::io_stat(t)))?;
        Ok(Stats {
            cpu_usage_ns: usec.map(|u| u.saturating_mul(1000)),
            memory_usage: stat(self.fs, &dir.join("memory.current"), "number", parse::number)?,
            memory_limit: stat(self.fs, &dir.join("memory.max"), "limit", parse::limit)?.flatten(),
            pids_current: stat(self.fs, &dir.join("pids.current"), "number", parse::number)?,
            io_read_bytes: io.map(|(r, _)| r),
            io_write_bytes: io.map(|(_, w)| w),
        })
    }

    fn oom_kill_count(&self, path: &CgroupPath) -> Result<u64, NativeError> {
        let file = path.under(self.root).join("memory.events");
        let text = read(self.fs, &file)?;
        parse_file(&file, &text, "oom_kill line", |t| parse::keyed(t, "oom_kill"))
    }

    fn procs(&self, path: &CgroupPath) -> Result<Vec<u32>, NativeError> {
        let file = path.under(self.root).join("cgroup.procs");
        let text = read(self.fs, &file)?;
        let mut pids = parse_file(&file, &text, "pid list", parse::pids)?;
        pids.sort_unstable();
        Ok(pids)
    }

    fn destroy(&self, path: &CgroupPath) -> Result<(), NativeError> {
        remove_tree(self.fs, &path.under(self.root))
    }
}
