//! The rootfs sequence against a recording fake.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;

#[derive(Default)]
struct Fake {
    calls: RefCell<Vec<String>>,
    kinds: RefCell<BTreeMap<PathBuf, Kind>>,
    v2: bool,
}

impl Fake {
    fn with(self, p: &str, k: Kind) -> Self {
        self.kinds.borrow_mut().insert(p.into(), k);
        self
    }
    fn log(&self, s: String) {
        self.calls.borrow_mut().push(s);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl FsView for Fake {
    fn kind(&self, p: &Path) -> Result<Kind> {
        Ok(*self.kinds.borrow().get(p).unwrap_or(&Kind::Missing))
    }
    fn readlink(&self, _: &Path) -> Result<PathBuf> {
        unreachable!()
    }
    fn mkdir(&self, p: &Path) -> Result<()> {
        self.kinds.borrow_mut().insert(p.into(), Kind::Dir);
        Ok(())
    }
    fn touch(&self, p: &Path) -> Result<()> {
        self.kinds.borrow_mut().insert(p.into(), Kind::File);
        Ok(())
    }
}

impl RootSys for Fake {
    fn mount(&self, src: Option<&str>, target: &Path, fstype: Option<&str>, flags: libc::c_ulong, data: &str) -> Result<()> {
        self.log(format!("mount {} {} {} {flags:#x} {data}", src.unwrap_or("-"), target.display(), fstype.unwrap_or("-")));
        Ok(())
    }
    fn umount2(&self, t: &Path, _: libc::c_int) -> Result<()> {
        self.log(format!("umount {}", t.display()));
        Ok(())
    }
    fn pivot_root(&self, root: &Path) -> Result<()> {
        self.log(format!("pivot {}", root.display()));
        Ok(())
    }
    fn mknod_char(&self, p: &Path, major: u32, minor: u32) -> Result<()> {
        self.log(format!("mknod {} {major}:{minor}", p.display()));
        Ok(())
    }
    fn symlink(&self, target: &str, link: &Path) -> Result<()> {
        self.log(format!("symlink {} -> {target}", link.display()));
        Ok(())
    }
    fn locked_flags(&self, _: &Path) -> Result<libc::c_ulong> {
        Ok(libc::MS_NOSUID)
    }
    fn write_file(&self, p: &Path, data: &str) -> Result<()> {
        self.log(format!("write {} {data}", p.display()));
        Ok(())
    }
    fn cgroup2_host(&self) -> bool {
        self.v2
    }
    fn target(&self, root: &Path, dest: &str, file: bool) -> Result<Target> {
        Ok(Target::plain(crate::resolve::ensure(self, root, dest, file)?))
    }
}

fn spec(json: &str) -> Spec {
    let root = if json.contains("\"root\"") { "" } else { r#""root":{"path":"/r"},"# };
    Spec::parse(&format!(r#"{{"process":{{"args":["sh"]}},{root}{json}}}"#)).unwrap()
}

fn m(flags: libc::c_ulong) -> String {
    format!("{flags:#x}")
}

#[test]
fn root_is_private_then_bound_then_pivoted() {
    let f = Fake::default();
    setup_before_pivot(&f, &spec(r#""mounts":[]"#), false).unwrap();
    assert_eq!(
        f.calls(),
        vec![
            format!("mount - / - {} ", m(libc::MS_REC | libc::MS_PRIVATE)),
            format!("mount /r /r - {} ", m(libc::MS_BIND | libc::MS_REC)),
            "pivot /r".to_string(),
        ]
    );
}

#[test]
fn proc_and_dev_tmpfs_get_devices_and_links() {
    let f = Fake::default();
    let s = spec(r#""mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
        {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}]"#);
    setup_before_pivot(&f, &s, false).unwrap();
    let calls = f.calls();
    assert_eq!(calls[2], format!("mount proc /r/proc proc {} ", m(libc::MS_NOSUID | libc::MS_NOEXEC | libc::MS_NODEV)));
    assert_eq!(calls[3], format!("mount tmpfs /r/dev tmpfs {} mode=755,size=65536k", m(libc::MS_NOSUID | libc::MS_STRICTATIME)));
    assert!(calls.contains(&"mknod /r/dev/null 1:3".to_string()));
    assert!(calls.contains(&"mknod /r/dev/tty 5:0".to_string()));
    assert!(calls.contains(&"symlink /r/dev/ptmx -> pts/ptmx".to_string()));
    assert!(calls.contains(&"symlink /r/dev/fd -> /proc/self/fd".to_string()));
    assert_eq!(calls.last().unwrap(), "pivot /r");
}

#[test]
fn user_namespaces_bind_devices_instead_of_mknod() {
    let f = Fake::default();
    let s = spec(r#""mounts":[{"destination":"/dev","type":"tmpfs","source":"tmpfs"}]"#);
    setup_before_pivot(&f, &s, true).unwrap();
    assert!(f.calls().contains(&format!("mount /dev/null /r/dev/null - {} ", m(libc::MS_BIND))));
    assert!(!f.calls().iter().any(|c| c.starts_with("mknod")));
}

#[test]
fn read_only_binds_are_remounted_keeping_locked_flags() {
    let f = Fake::default().with("/host/data", Kind::Dir);
    let s = spec(r#""mounts":[{"destination":"/data","type":"bind","source":"/host/data","options":["rbind","ro","rprivate"]}]"#);
    setup_before_pivot(&f, &s, false).unwrap();
    let calls = f.calls();
    assert_eq!(calls[2], format!("mount /host/data /r/data - {} ", m(libc::MS_BIND | libc::MS_REC)));
    assert_eq!(calls[3], format!("mount - /r/data - {} ", m(libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID)));
    assert_eq!(calls[4], format!("mount - /r/data - {} ", m(libc::MS_PRIVATE | libc::MS_REC)));
}

#[test]
fn file_binds_create_a_file_target() {
    let f = Fake::default().with("/host/hosts", Kind::File).with("/r/etc", Kind::Dir);
    let s = spec(r#""mounts":[{"destination":"/etc/hosts","type":"bind","source":"/host/hosts","options":["bind"]}]"#);
    setup_before_pivot(&f, &s, false).unwrap();
    assert_eq!(f.kinds.borrow()[Path::new("/r/etc/hosts")], Kind::File);
}

#[test]
fn cgroup_mounts_depend_on_the_host() {
    let s = spec(
        r#""mounts":[{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid"]}],
        "annotations":{"berth.cgroup.procs":"/sys/fs/cgroup/memory/berth/x/cgroup.procs,/sys/fs/cgroup/cpu,cpuacct/berth/x/cgroup.procs"}"#,
    );
    let v1 = Fake::default();
    setup_before_pivot(&v1, &s, false).unwrap();
    let ro = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_NOSUID | libc::MS_RDONLY;
    assert_eq!(
        v1.calls()[2..v1.calls().len() - 1].to_vec(),
        vec![
            format!("mount cgroup /r/sys/fs/cgroup tmpfs {} mode=755", m(libc::MS_NOSUID)),
            format!("mount /sys/fs/cgroup/memory/berth/x /r/sys/fs/cgroup/memory - {} ", m(libc::MS_BIND)),
            format!("mount - /r/sys/fs/cgroup/memory - {} ", m(ro)),
            format!("mount /sys/fs/cgroup/cpu,cpuacct/berth/x /r/sys/fs/cgroup/cpu,cpuacct - {} ", m(libc::MS_BIND)),
            format!("mount - /r/sys/fs/cgroup/cpu,cpuacct - {} ", m(ro)),
            "symlink /r/sys/fs/cgroup/cpu -> cpu,cpuacct".to_string(),
            "symlink /r/sys/fs/cgroup/cpuacct -> cpu,cpuacct".to_string(),
            format!("mount - /r/sys/fs/cgroup - {} ", m(libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID)),
        ]
    );
    let v2 = Fake { v2: true, ..Fake::default() };
    setup_before_pivot(&v2, &s, false).unwrap();
    assert_eq!(v2.calls()[2], format!("mount /sys/fs/cgroup/memory/berth/x /r/sys/fs/cgroup - {} ", m(libc::MS_BIND)), "no cgroupns: its own dir");
    let mut ns = s.clone();
    ns.linux.namespaces.push(crate::spec::Namespace { kind: "cgroup".into(), path: None });
    let v2ns = Fake { v2: true, ..Fake::default() };
    setup_before_pivot(&v2ns, &ns, false).unwrap();
    assert!(v2ns.calls()[2].starts_with("mount cgroup /r/sys/fs/cgroup cgroup2"), "cgroupns: a cgroup2 mount");
}

#[test]
fn masked_readonly_sysctl_and_readonly_root_after_pivot() {
    let f = Fake::default().with("/proc/kcore", Kind::File).with("/proc/acpi", Kind::Dir).with("/proc/sys", Kind::Dir);
    let s = spec(
        r#""root":{"path":"/r","readonly":true},"linux":{"maskedPaths":["/proc/kcore","/proc/acpi","/proc/nope"],
        "readonlyPaths":["/proc/sys","/proc/gone"],"sysctl":{"net.ipv4.ip_forward":"1"}}"#,
    );
    setup_after_pivot(&f, &s).unwrap();
    assert_eq!(
        f.calls(),
        vec![
            "write /proc/sys/net/ipv4/ip_forward 1".to_string(),
            format!("mount /dev/null /proc/kcore - {} ", m(libc::MS_BIND)),
            format!("mount tmpfs /proc/acpi tmpfs {} ", m(libc::MS_RDONLY)),
            format!("mount /proc/sys /proc/sys - {} ", m(libc::MS_BIND | libc::MS_REC)),
            format!("mount - /proc/sys - {} ", m(libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID)),
            format!("mount - / - {} ", m(libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID)),
        ]
    );
}

#[test]
fn errors_name_the_mount() {
    struct Failing(Fake);
    impl FsView for Failing {
        fn kind(&self, p: &Path) -> Result<Kind> {
            self.0.kind(p)
        }
        fn readlink(&self, p: &Path) -> Result<PathBuf> {
            self.0.readlink(p)
        }
        fn mkdir(&self, p: &Path) -> Result<()> {
            self.0.mkdir(p)
        }
        fn touch(&self, p: &Path) -> Result<()> {
            self.0.touch(p)
        }
    }
    impl RootSys for Failing {
        fn mount(&self, _: Option<&str>, t: &Path, _: Option<&str>, _: libc::c_ulong, _: &str) -> Result<()> {
            if t == Path::new("/r/proc") {
                return Err(Error::errno("mount", libc::EPERM));
            }
            Ok(())
        }
        fn umount2(&self, t: &Path, f: libc::c_int) -> Result<()> {
            self.0.umount2(t, f)
        }
        fn pivot_root(&self, r: &Path) -> Result<()> {
            self.0.pivot_root(r)
        }
        fn mknod_char(&self, p: &Path, a: u32, b: u32) -> Result<()> {
            self.0.mknod_char(p, a, b)
        }
        fn symlink(&self, t: &str, l: &Path) -> Result<()> {
            self.0.symlink(t, l)
        }
        fn locked_flags(&self, p: &Path) -> Result<libc::c_ulong> {
            self.0.locked_flags(p)
        }
        fn write_file(&self, p: &Path, d: &str) -> Result<()> {
            self.0.write_file(p, d)
        }
        fn cgroup2_host(&self) -> bool {
            false
        }
        fn target(&self, root: &Path, dest: &str, file: bool) -> Result<Target> {
            Ok(Target::plain(crate::resolve::ensure(self, root, dest, file)?))
        }
    }
    let s = spec(r#""mounts":[{"destination":"/proc","type":"proc","source":"proc"}]"#);
    let e = setup_before_pivot(&Failing(Fake::default()), &s, false).unwrap_err();
    assert_eq!(e.to_string(), "mount proc to /proc: Operation not permitted");
}
