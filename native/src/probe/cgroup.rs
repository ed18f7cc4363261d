//! Which cgroup layout the host runs (v1, hybrid, v2) and which controllers berth can use.

use std::collections::HashMap;

use super::mountinfo::{self, Mount};
use crate::error::NativeError;
use crate::kernel::KernelSource;

/// Where systemd and every mainstream distro mount the cgroup tree.
pub const CGROUP_ROOT: &str = "/sys/fs/cgroup";
/// Where systemd's hybrid mode mounts the (controller-less) v2 tree.
pub const HYBRID_V2_ROOT: &str = "/sys/fs/cgroup/unified";

/// The three layouts a host can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    V1,
    Hybrid,
    V2,
}

impl Layout {
    /// The name JS sees.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::V1 => "v1",
            Layout::Hybrid => "hybrid",
            Layout::V2 => "v2",
        }
    }
}

/// What the mount table says, before reading any controller files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchies {
    pub layout: Layout,
    pub v2_root: Option<String>,
    /// Superblock options of every visible v1 mount: controller names mixed with rw, name=…
    pub v1_options: Vec<String>,
}

/// The probe's cgroup answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupInfo {
    pub layout: Layout,
    pub v2_root: Option<String>,
    pub controllers: Vec<String>,
}

/// Mounts still visible: a later mount on the same point hides the earlier one.
pub fn visible(mounts: &[Mount]) -> Vec<&Mount> {
    let last: HashMap<&str, usize> = mounts
        .iter()
        .enumerate()
        .map(|(i, m)| (m.mount_point.as_str(), i))
        .collect();
    mounts
        .iter()
        .enumerate()
        .filter(|(i, m)| last[m.mount_point.as_str()] == *i)
        .map(|(_, m)| m)
        .collect()
}

/// Classifies the layout from the mount table. No cgroup mount at all reads as v1 without
/// controllers: there is no v2 tree to use, and callers see the empty controller list.
pub fn detect(mounts: &[Mount]) -> Hierarchies {
    let seen = visible(mounts);
    let v2: Vec<&str> = seen
        .iter()
        .filter(|m| m.fstype == "cgroup2")
        .map(|m| m.mount_point.as_str())
        .collect();
    let v1_options: Vec<String> = seen
        .iter()
        .filter(|m| m.fstype == "cgroup")
        .flat_map(|m| m.super_options.iter().cloned())
        .collect();
    let (layout, v2_root) = classify(&v2, !v1_options.is_empty());
    Hierarchies {
        layout,
        v2_root: v2_root.map(str::to_string),
        v1_options,
    }
}

fn classify<'a>(v2: &[&'a str], has_v1: bool) -> (Layout, Option<&'a str>) {
    match (v2.contains(&CGROUP_ROOT), has_v1, v2.first()) {
        (true, _, _) => (Layout::V2, Some(CGROUP_ROOT)),
        // cgroup2 only, somewhere else: e.g. a container that mounted the host tree elsewhere.
        (false, false, Some(&root)) => (Layout::V2, Some(root)),
        (false, true, Some(&first)) => (
            Layout::Hybrid,
            Some(if v2.contains(&HYBRID_V2_ROOT) {
                HYBRID_V2_ROOT
            } else {
                first
            }),
        ),
        (false, _, None) => (Layout::V1, None),
    }
}

/// Subsystems /proc/cgroups marks enabled, in its order.
pub fn enabled_v1(proc_cgroups: &str) -> Vec<String> {
    proc_cgroups
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 4 && f[3] == "1").then(|| f[0].to_string())
        })
        .collect()
}

/// v1 controllers that are both enabled and mounted somewhere.
pub fn mounted_v1(proc_cgroups: &str, v1_options: &[String]) -> Vec<String> {
    enabled_v1(proc_cgroups)
        .into_iter()
        .filter(|c| v1_options.contains(c))
        .collect()
}

fn v2_controllers(src: &dyn KernelSource, root: &str) -> Result<Vec<String>, NativeError> {
    let text = src.read_file(&format!("{root}/cgroup.controllers"))?;
    Ok(text.split_whitespace().map(str::to_string).collect())
}

/// Reads mountinfo and the controller files the layout calls for. In hybrid mode controllers
/// live in v1; any the v2 tree holds are appended, as berth can use those there.
pub fn probe(src: &dyn KernelSource) -> Result<CgroupInfo, NativeError> {
    let h = detect(&mountinfo::parse(&src.read_file("/proc/self/mountinfo")?));
    let mut controllers = match h.layout {
        Layout::V2 => Vec::new(),
        _ => mounted_v1(&src.read_file("/proc/cgroups")?, &h.v1_options),
    };
    if let Some(root) = &h.v2_root {
        for c in v2_controllers(src, root)? {
            if !controllers.contains(&c) {
                controllers.push(c);
            }
        }
    }
    Ok(CgroupInfo {
        layout: h.layout,
        v2_root: h.v2_root,
        controllers,
    })
}

#[cfg(test)]
mod tests;
