//! The whole probe against a fake v2 host.

use super::*;
use crate::kernel::fake::FakeKernel;

fn v2_host() -> FakeKernel {
    FakeKernel::with_files(&[
        ("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
        (
            "/proc/self/mountinfo",
            "26 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
        ),
        ("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n"),
        ("/proc/filesystems", "nodev\ttmpfs\nnodev\toverlay\n"),
        ("/proc/meminfo", "MemTotal: 2048 kB\n"),
        ("/proc/self/ns/mnt", ""),
        ("/proc/self/ns/pid", ""),
        ("/proc/self/ns/net", ""),
    ])
}

#[test]
fn probe_reports_every_field() {
    let p = probe(&v2_host()).unwrap();
    assert_eq!(p.kernel_version, "6.1.0-test");
    assert_eq!(p.operating_system, "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(p.architecture, "x86_64");
    assert!(p.namespaces.mnt && p.namespaces.pid && p.namespaces.net);
    assert!(!p.namespaces.user && !p.namespaces.cgroup);
    assert_eq!(p.cgroup.layout, cgroup::Layout::V2);
    assert_eq!(p.cgroup.controllers, vec!["cpu", "memory", "pids"]);
    assert!(p.overlay);
    assert_eq!(p.mem_total, 2048 * 1024);
    assert_eq!(p.ncpu, 4);
}

#[test]
fn os_release_falls_back_to_usr_lib() {
    let mut host = v2_host();
    let text = host.files.remove("/etc/os-release").unwrap();
    host.files.insert("/usr/lib/os-release".into(), text);
    assert_eq!(probe(&host).unwrap().operating_system, "Debian GNU/Linux 12 (bookworm)");
}

#[test]
fn missing_meminfo_total_is_a_data_error() {
    let mut host = v2_host();
    host.files.insert("/proc/meminfo".into(), "MemFree: 1 kB\n".into());
    let err = probe(&host).unwrap_err();
    assert_eq!(err.code(), crate::error::DATA_ERROR_CODE);
    assert!(
        err.to_string()
            .starts_with("kernel probe failed: unexpected content in '/proc/meminfo'"),
        "{err}"
    );
}

#[test]
fn missing_filesystems_fails_the_probe() {
    let mut host = v2_host();
    host.files.remove("/proc/filesystems");
    let err = probe(&host).unwrap_err();
    assert_eq!(
        err.to_string(),
        "kernel probe failed: ENOENT: no such file or directory, open '/proc/filesystems'"
    );
}
