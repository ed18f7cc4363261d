//! The kernel probe: one snapshot of what this host offers a container engine.

pub mod cgroup;
pub mod mountinfo;
pub mod text;

use crate::error::{DataError, NativeError, SysError};
use crate::kernel::KernelSource;
use cgroup::CgroupInfo;

/// Which namespace kinds the kernel has, as /proc/self/ns shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespaces {
    pub mnt: bool,
    pub uts: bool,
    pub ipc: bool,
    pub pid: bool,
    pub net: bool,
    pub user: bool,
    pub cgroup: bool,
}

/// Everything the probe reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub kernel_version: String,
    pub operating_system: String,
    pub architecture: String,
    pub namespaces: Namespaces,
    pub cgroup: CgroupInfo,
    pub overlay: bool,
    pub mem_total: u64,
    pub ncpu: u32,
}

/// The operation name errors carry.
pub const OPERATION: &str = "kernel probe";

/// Takes the snapshot. Any failed read aborts it: a partial answer would be mistaken for a fact.
pub fn probe(src: &dyn KernelSource) -> Result<Probe, NativeError> {
    collect(src).map_err(|e| e.during(OPERATION))
}

fn collect(src: &dyn KernelSource) -> Result<Probe, NativeError> {
    let uname = src.uname()?;
    Ok(Probe {
        kernel_version: uname.release,
        operating_system: text::pretty_name(os_release(src)?.as_deref()),
        architecture: uname.machine,
        namespaces: namespaces(src)?,
        cgroup: cgroup::probe(src)?,
        overlay: text::has_filesystem(&src.read_file("/proc/filesystems")?, "overlay"),
        mem_total: mem_total(src)?,
        ncpu: src.online_cpus()?,
    })
}

/// os-release(5): /etc first, then /usr/lib; a host with neither is still a host.
fn os_release(src: &dyn KernelSource) -> Result<Option<String>, SysError> {
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
        match src.read_file(path) {
            Ok(text) => return Ok(Some(text)),
            Err(e) if e.errno == libc::ENOENT => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

fn namespaces(src: &dyn KernelSource) -> Result<Namespaces, SysError> {
    let has = |kind: &str| src.path_exists(&format!("/proc/self/ns/{kind}"));
    Ok(Namespaces {
        mnt: has("mnt")?,
        uts: has("uts")?,
        ipc: has("ipc")?,
        pid: has("pid")?,
        net: has("net")?,
        user: has("user")?,
        cgroup: has("cgroup")?,
    })
}

fn mem_total(src: &dyn KernelSource) -> Result<u64, NativeError> {
    let path = "/proc/meminfo";
    text::mem_total_bytes(&src.read_file(path)?).ok_or_else(|| {
        DataError {
            operation: String::new(),
            path: path.into(),
            detail: "no readable MemTotal line".into(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests;
