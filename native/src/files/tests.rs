//! File helpers against the fake, then against real files in a tmpdir (no root needed).

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

use super::fake::FakeFiles;
use super::host::HostFiles;
use super::*;

fn whiteout() -> NodeSpec {
    NodeSpec {
        kind: NodeKind::Char,
        major: 0,
        minor: 0,
        mode: 0,
    }
}

#[test]
fn mknod_creates_then_sets_the_exact_mode() {
    let fake = FakeFiles::default();
    let spec = NodeSpec {
        kind: NodeKind::Block,
        major: 8,
        minor: 1,
        mode: 0o660,
    };
    mknod(&fake, "/d/sda1", spec).unwrap();
    let dev = libc::makedev(8, 1);
    assert_eq!(
        *fake.calls.borrow(),
        vec![
            format!("mknod /d/sda1 60660 {dev}"),
            "fchmodat2 /d/sda1 660".to_string()
        ]
    );
}

#[test]
fn mknod_falls_back_to_fchmodat_before_linux_6_6() {
    let fake = FakeFiles::default();
    fake.failures.borrow_mut().push(("fchmodat2", libc::ENOSYS));
    mknod(&fake, "/w", whiteout()).unwrap();
    assert_eq!(fake.calls.borrow().last().unwrap(), "fchmodat /w 0");
}

#[test]
fn mknod_rejects_type_bits_in_mode_and_unknown_kinds() {
    let fake = FakeFiles::default();
    let spec = NodeSpec {
        mode: libc::S_IFREG | 0o644,
        ..whiteout()
    };
    let err = mknod(&fake, "/x", spec).unwrap_err();
    assert_eq!(err.code(), crate::error::ARG_ERROR_CODE);
    assert!(fake.calls.borrow().is_empty());
    assert!(NodeKind::parse("socket").is_err());
    assert_eq!(NodeKind::parse("fifo").unwrap(), NodeKind::Fifo);
}

#[test]
fn mknod_error_names_operation_and_path() {
    let fake = FakeFiles::default();
    fake.failures.borrow_mut().push(("mknod", libc::EEXIST));
    let err = mknod(&fake, "/w", whiteout()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mknod of '/w' failed: EEXIST: file already exists, mknod '/w'"
    );
}

#[test]
fn xattr_round_trip_and_missing_is_none() {
    let fake = FakeFiles::default();
    lsetxattr(&fake, "/p", "trusted.overlay.opaque", b"y").unwrap();
    lsetxattr(&fake, "/p", "user.x", b"").unwrap();
    assert_eq!(
        lgetxattr(&fake, "/p", "trusted.overlay.opaque").unwrap(),
        Some(b"y".to_vec())
    );
    assert_eq!(lgetxattr(&fake, "/p", "user.x").unwrap(), Some(Vec::new()));
    assert_eq!(lgetxattr(&fake, "/p", "user.none").unwrap(), None);
    assert_eq!(
        llistxattr(&fake, "/p").unwrap(),
        vec!["trusted.overlay.opaque", "user.x"]
    );
    assert!(llistxattr(&fake, "/other").unwrap().is_empty());
}

#[test]
fn xattr_read_retries_when_the_value_grows() {
    let fake = FakeFiles::default();
    lsetxattr(&fake, "/p", "user.v", b"abc").unwrap();
    fake.grow_after_queries.set(Some(0));
    assert_eq!(lgetxattr(&fake, "/p", "user.v").unwrap(), Some(b"abc+".to_vec()));
}

#[test]
fn xattr_errors_other_than_enodata_are_thrown() {
    let fake = FakeFiles::default();
    fake.failures.borrow_mut().push(("lgetxattr", libc::ENOTSUP));
    let err = lgetxattr(&fake, "/p", "user.v").unwrap_err();
    assert_eq!(
        err.to_string(),
        "xattr read of 'user.v' on '/p' failed: ENOTSUP: operation not supported, lgetxattr '/p'"
    );
}

#[test]
fn times_split_nanoseconds_even_before_1970() {
    assert_eq!(
        Timespec::from_nanos(1_500_000_000),
        Timespec {
            sec: 1,
            nsec: 500_000_000
        }
    );
    assert_eq!(
        Timespec::from_nanos(-1),
        Timespec {
            sec: -1,
            nsec: 999_999_999
        }
    );
    let fake = FakeFiles::default();
    utimens_nofollow(&fake, "/l", 2_000_000_001, 3).unwrap();
    assert_eq!(fake.calls.borrow()[0], "utimensat /l 2.1 0.3");
}

// Real files: nothing below needs root.

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tmpdir")
}

#[test]
fn host_fifo_gets_the_exact_mode_despite_the_umask() {
    let dir = tmp();
    let path = dir.path().join("fifo");
    let p = path.to_str().unwrap();
    let spec = NodeSpec {
        kind: NodeKind::Fifo,
        major: 0,
        minor: 0,
        mode: 0o666,
    };
    mknod(&HostFiles, p, spec).unwrap();
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_fifo());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o666);
}

#[test]
fn host_symlink_times_and_owner_change_the_link_not_the_target() {
    let dir = tmp();
    let target = dir.path().join("target");
    std::fs::write(&target, "x").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let before = std::fs::metadata(&target).unwrap().mtime();
    let l = link.to_str().unwrap();
    utimens_nofollow(&HostFiles, l, 1_000_000_000_123, 2_000_000_000_456).unwrap();
    let link_meta = std::fs::symlink_metadata(&link).unwrap();
    assert_eq!((link_meta.mtime(), link_meta.mtime_nsec()), (2000, 456));
    assert_eq!(std::fs::metadata(&target).unwrap().mtime(), before);
    // Chown to our own ids works unprivileged and must not fail on a symlink.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    lchown(&HostFiles, l, uid, gid).unwrap();
}

#[test]
fn host_missing_xattr_is_none_and_missing_file_throws() {
    let dir = tmp();
    let file = dir.path().join("f");
    std::fs::write(&file, "").unwrap();
    let f = file.to_str().unwrap();
    assert_eq!(lgetxattr(&HostFiles, f, "user.berth.none").unwrap(), None);
    let gone = dir.path().join("gone");
    let err = llistxattr(&HostFiles, gone.to_str().unwrap()).unwrap_err();
    assert_eq!(err.code(), "ENOENT");
}
