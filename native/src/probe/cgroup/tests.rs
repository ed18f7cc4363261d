//! Layout detection against mount tables shaped like real hosts of each kind.

use super::*;
use crate::kernel::fake::FakeKernel;

/// Debian 12 / Fedora / Ubuntu 22+: one cgroup2 tree at /sys/fs/cgroup.
const V2_MOUNTINFO: &str = "\
22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
27 22 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
";

/// systemd hybrid mode (this CI machine): v1 controllers plus a v2 tree at .../unified.
const HYBRID_MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
";

/// Pre-systemd-hybrid hosts (CentOS 7 style): v1 only.
const V1_MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
";

const PROC_CGROUPS: &str = "\
#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t0\t1\t1
cpu\t1\t1\t1
cpuacct\t1\t1\t1
memory\t4\t41\t1
devices\t5\t1\t1
net_cls\t0\t1\t0
pids\t8\t1\t1
hugetlb\t0\t1\t1
";

fn detect_text(text: &str) -> Hierarchies {
    detect(&mountinfo::parse(text))
}

#[test]
fn v2_layout_has_root_at_sys_fs_cgroup() {
    let h = detect_text(V2_MOUNTINFO);
    assert_eq!(h.layout, Layout::V2);
    assert_eq!(h.v2_root.as_deref(), Some(CGROUP_ROOT));
}

#[test]
fn hybrid_layout_has_root_at_unified() {
    let h = detect_text(HYBRID_MOUNTINFO);
    assert_eq!(h.layout, Layout::Hybrid);
    assert_eq!(h.v2_root.as_deref(), Some(HYBRID_V2_ROOT));
}

#[test]
fn v1_layout_has_no_v2_root() {
    let h = detect_text(V1_MOUNTINFO);
    assert_eq!(h.layout, Layout::V1);
    assert_eq!(h.v2_root, None);
}

#[test]
fn cgroup2_mounted_elsewhere_without_v1_is_v2() {
    let h = detect_text("50 1 0:40 / /host/cgroup rw - cgroup2 cgroup2 rw\n");
    assert_eq!((h.layout, h.v2_root.as_deref()), (Layout::V2, Some("/host/cgroup")));
}

#[test]
fn overmounted_cgroup2_root_is_not_v2() {
    // A tmpfs mounted over the cgroup2 tree hides it; what is visible decides.
    let text = format!("{V2_MOUNTINFO}60 22 0:50 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n");
    let h = detect_text(&text);
    assert_eq!((h.layout, h.v2_root), (Layout::V1, None));
}

#[test]
fn enabled_v1_skips_header_and_disabled() {
    assert_eq!(
        enabled_v1(PROC_CGROUPS),
        vec!["cpuset", "cpu", "cpuacct", "memory", "devices", "pids", "hugetlb"]
    );
}

#[test]
fn mounted_v1_keeps_only_mounted_controllers() {
    let h = detect_text(HYBRID_MOUNTINFO);
    assert_eq!(
        mounted_v1(PROC_CGROUPS, &h.v1_options),
        vec!["cpu", "cpuacct", "memory", "pids"]
    );
}

fn fake(mountinfo: &str, extra: &[(&str, &str)]) -> FakeKernel {
    let mut files = vec![("/proc/self/mountinfo", mountinfo), ("/proc/cgroups", PROC_CGROUPS)];
    files.extend_from_slice(extra);
    FakeKernel::with_files(&files)
}

#[test]
fn probe_v2_reads_root_controllers() {
    let src = fake(
        V2_MOUNTINFO,
        &[(
            "/sys/fs/cgroup/cgroup.controllers",
            "cpuset cpu io memory hugetlb pids\n",
        )],
    );
    let info = probe(&src).unwrap();
    assert_eq!(info.layout, Layout::V2);
    assert_eq!(
        info.controllers,
        vec!["cpuset", "cpu", "io", "memory", "hugetlb", "pids"]
    );
}

#[test]
fn probe_hybrid_appends_v2_only_controllers() {
    let src = fake(
        HYBRID_MOUNTINFO,
        &[("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n")],
    );
    let info = probe(&src).unwrap();
    assert_eq!(info.layout, Layout::Hybrid);
    assert_eq!(info.v2_root.as_deref(), Some(HYBRID_V2_ROOT));
    assert_eq!(info.controllers, vec!["cpu", "cpuacct", "memory", "pids", "hugetlb"]);
}

#[test]
fn probe_v1_uses_proc_cgroups() {
    let info = probe(&fake(V1_MOUNTINFO, &[])).unwrap();
    assert_eq!(info.controllers, vec!["cpu", "cpuacct", "memory", "devices"]);
}

#[test]
fn probe_reports_missing_mountinfo_as_syscall_error() {
    let err = probe(&FakeKernel::with_files(&[])).unwrap_err();
    assert_eq!(err.code(), "ENOENT");
    assert!(err.to_string().contains("open '/proc/self/mountinfo'"), "{err}");
}
