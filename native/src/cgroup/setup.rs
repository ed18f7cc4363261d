//! Where a manager finds its hierarchies: the host's mount table, or a test root laid out like
//! /sys/fs/cgroup.

use std::path::{Path, PathBuf};

use super::fs::CgroupFs;
use super::util::show;
use crate::error::{ArgError, DataError, NativeError};
use crate::probe::cgroup::{detect, visible, Layout};
use crate::probe::mountinfo::Mount;

/// The v1 controllers a container cgroup is created in (named hierarchies like name=systemd are not).
pub const V1_CONTROLLERS: &[&str] = &[
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "blkio",
    "pids",
    "hugetlb",
    "net_cls",
    "net_prio",
    "perf_event",
    "rdma",
    "misc",
];

/// One mounted v1 hierarchy and the controllers it carries (cpu and cpuacct are often together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    pub mount: PathBuf,
    pub controllers: Vec<String>,
}

/// The roots a manager writes under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    V1 {
        hierarchies: Vec<Hierarchy>,
        /// The controller-less v2 tree of a hybrid host.
        unified: Option<PathBuf>,
        /// Where the hierarchies were found, for errors about a missing controller.
        source: String,
    },
    V2 {
        root: PathBuf,
    },
}

/// The JS layout names; "hybrid" is v1 plus `<root>/unified`.
pub fn parse_layout(name: &str) -> Result<Layout, ArgError> {
    match name {
        "v1" => Ok(Layout::V1),
        "hybrid" => Ok(Layout::Hybrid),
        "v2" => Ok(Layout::V2),
        other => Err(ArgError::new(
            "options.layout",
            format!("'{other}' is not one of v1, hybrid, v2"),
        )),
    }
}

/// The host's setup from its mount table (/proc/self/mountinfo).
pub fn from_mounts(mounts: &[Mount], source: &str) -> Result<Setup, NativeError> {
    let found = detect(mounts);
    if let (Layout::V2, Some(root)) = (found.layout, &found.v2_root) {
        return Ok(Setup::V2 { root: root.into() });
    }
    let hierarchies = v1_hierarchies(mounts);
    if hierarchies.is_empty() {
        return Err(no_hierarchy(source, "no cgroup hierarchy with a controller is mounted"));
    }
    Ok(Setup::V1 {
        hierarchies,
        unified: found
            .v2_root
            .filter(|_| found.layout == Layout::Hybrid)
            .map(PathBuf::from),
        source: source.into(),
    })
}

fn v1_hierarchies(mounts: &[Mount]) -> Vec<Hierarchy> {
    let mut out: Vec<Hierarchy> = Vec::new();
    for m in visible(mounts).into_iter().filter(|m| m.fstype == "cgroup") {
        let controllers: Vec<String> = m
            .super_options
            .iter()
            .filter(|o| V1_CONTROLLERS.contains(&o.as_str()))
            .cloned()
            .collect();
        // The same hierarchy mounted twice (a bind elsewhere) is used once.
        let known = |c: &String| out.iter().any(|h| h.controllers.contains(c));
        if !controllers.is_empty() && !controllers.iter().all(known) {
            out.push(Hierarchy {
                mount: PathBuf::from(&m.mount_point),
                controllers,
            });
        }
    }
    out
}

/// A test root: v2 uses it as the unified root; v1 takes every `<root>/<controller>` directory
/// there is as that controller's hierarchy, and hybrid adds `<root>/unified`.
pub fn from_root(fs: &dyn CgroupFs, root: &Path, layout: Layout) -> Result<Setup, NativeError> {
    if layout == Layout::V2 {
        return Ok(Setup::V2 { root: root.into() });
    }
    let mut hierarchies = Vec::new();
    for c in V1_CONTROLLERS {
        let mount = root.join(c);
        if fs.exists(&mount)? {
            hierarchies.push(Hierarchy {
                mount,
                controllers: vec![c.to_string()],
            });
        }
    }
    if hierarchies.is_empty() {
        return Err(no_hierarchy(
            &show(root),
            "no <controller> directory (cpu, memory, …) in the root",
        ));
    }
    Ok(Setup::V1 {
        hierarchies,
        unified: (layout == Layout::Hybrid).then(|| root.join("unified")),
        source: show(root),
    })
}

pub fn no_hierarchy(source: &str, detail: &str) -> NativeError {
    DataError {
        operation: String::new(),
        path: source.into(),
        detail: detail.into(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::mountinfo::parse;

    const HYBRID: &str = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
50 25 0:32 / /mnt/again rw - cgroup cgroup rw,memory
";

    #[test]
    fn hybrid_uses_v1_controllers_and_the_unified_tree() {
        let setup = from_mounts(&parse(HYBRID), "/proc/self/mountinfo").unwrap();
        let Setup::V1 {
            hierarchies, unified, ..
        } = setup
        else {
            panic!("v1 expected")
        };
        assert_eq!(
            hierarchies,
            vec![
                Hierarchy {
                    mount: "/sys/fs/cgroup/cpu,cpuacct".into(),
                    controllers: vec!["cpu".into(), "cpuacct".into()],
                },
                Hierarchy {
                    mount: "/sys/fs/cgroup/memory".into(),
                    controllers: vec!["memory".into()],
                },
            ]
        );
        assert_eq!(unified, Some(PathBuf::from("/sys/fs/cgroup/unified")));
    }

    /// The mountinfo `text` reads as a v2 host whose tree berth writes is at `root`.
    fn assert_v2_at(text: &str, root: &str) {
        let setup = from_mounts(&parse(text), "/proc/self/mountinfo").unwrap();
        assert_eq!(setup, Setup::V2 { root: root.into() });
    }

    #[test]
    fn unified_host_is_v2() {
        let text = "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_v2_at(text, "/sys/fs/cgroup");
    }

    #[test]
    fn unified_host_with_a_stray_v1_hierarchy_is_still_v2() {
        // A v2 host where some tool mounted a named or net_cls v1 hierarchy elsewhere (old LXC,
        // a VPN's net_cls): the unified tree at /sys/fs/cgroup is still the one berth writes.
        let text = "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate
61 25 0:60 / /run/lxc/systemd rw - cgroup cgroup rw,name=systemd
62 25 0:61 / /run/netcls rw - cgroup cgroup rw,net_cls
";
        assert_v2_at(text, "/sys/fs/cgroup");
    }

    #[test]
    fn unified_subtree_in_a_container_is_v2_at_its_mount_point() {
        // Inside a container with a cgroup namespace or a bind of its own subtree.
        let text = "700 690 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n";
        assert_v2_at(text, "/sys/fs/cgroup");
    }

    #[test]
    fn no_cgroup_mounts_is_a_data_error() {
        let err = from_mounts(&parse("1 0 0:1 / / rw - ext4 /dev/vda rw\n"), "/proc/self/mountinfo").unwrap_err();
        assert_eq!(err.code(), crate::error::DATA_ERROR_CODE);
    }

    #[test]
    fn layouts_by_name() {
        assert_eq!(parse_layout("hybrid").unwrap(), Layout::Hybrid);
        assert!(parse_layout("v3").is_err());
    }
}
