//! Mounts the graph driver and the runtime need: overlay, bind, tmpfs, and undoing them.
//! Every syscall goes through [`MountSys`]; the logic here (which overlay API to use, option
//! strings, undoing a half-done bind) is unit-tested against a recording fake.

pub mod host;
pub mod options;
pub mod overlay;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

use std::os::fd::RawFd;

use crate::error::{NativeError, SysError};

/// fsmount(2)/mount_setattr(2) attribute: read-only (linux/mount.h MOUNT_ATTR_RDONLY).
pub const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// One mount(2) call, as data so the fake can record and compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountCall {
    pub source: Option<String>,
    pub target: String,
    pub fstype: Option<String>,
    pub flags: libc::c_ulong,
    pub data: Option<String>,
}

/// The mount syscalls berth makes. Paths are used as given: the TS caller resolves them safely.
pub trait MountSys {
    /// fsopen(2) with FSOPEN_CLOEXEC; returns the filesystem context fd.
    fn fsopen(&self, fstype: &str) -> Result<RawFd, SysError>;
    /// fsconfig(2) FSCONFIG_SET_STRING; an error names `value` as its path.
    fn fsconfig_string(&self, fd: RawFd, key: &str, value: &str) -> Result<(), SysError>;
    /// fsconfig(2) FSCONFIG_CMD_CREATE: builds the superblock.
    fn fsconfig_create(&self, fd: RawFd) -> Result<(), SysError>;
    /// fsmount(2) with FSMOUNT_CLOEXEC and MOUNT_ATTR_* flags; returns a detached mount fd.
    fn fsmount(&self, fd: RawFd, attr_flags: u64) -> Result<RawFd, SysError>;
    /// move_mount(2) of a detached mount fd onto `target`.
    fn move_mount(&self, fd: RawFd, target: &str) -> Result<(), SysError>;
    /// close(2); errors are ignored, as the fd is gone either way.
    fn close(&self, fd: RawFd);
    /// mount(2).
    fn mount(&self, call: &MountCall) -> Result<(), SysError>;
    /// mount_setattr(2) on `target` (not following a final symlink), optionally AT_RECURSIVE.
    fn mount_setattr(&self, target: &str, recursive: bool, attr_set: u64) -> Result<(), SysError>;
    /// umount2(2) with the given flags.
    fn umount2(&self, target: &str, flags: i32) -> Result<(), SysError>;
    /// Whether `path` is the root of a mount, without following a final symlink.
    fn is_mount_root(&self, path: &str) -> Result<bool, SysError>;
}

/// Closes an fd from [`MountSys`] on every path out of a function.
struct Fd<'a> {
    sys: &'a dyn MountSys,
    raw: RawFd,
}

impl<'a> Fd<'a> {
    fn new(sys: &'a dyn MountSys, raw: RawFd) -> Self {
        Fd { sys, raw }
    }
}

impl Drop for Fd<'_> {
    fn drop(&mut self) {
        self.sys.close(self.raw);
    }
}

/// Options of [`bind_mount`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BindOptions {
    pub readonly: bool,
    /// Also bind the mounts below `source` (MS_REC); with `readonly`, all of them become read-only.
    pub recursive: bool,
}

/// umount2(2) on `target`. Never follows a final symlink; `detach` is MNT_DETACH (lazy unmount).
/// A path that is no mount point fails with EINVAL, as the kernel says.
pub fn unmount(sys: &dyn MountSys, target: &str, detach: bool) -> Result<(), NativeError> {
    let flags = libc::UMOUNT_NOFOLLOW | if detach { libc::MNT_DETACH } else { 0 };
    sys.umount2(target, flags)
        .map_err(|e| NativeError::from(e).during(&format!("unmount of '{target}'")))
}

/// Binds `source` on `target`. A read-only bind is made read-only right after the bind; if that
/// step fails the bind is detached again, so no writable bind is left behind.
pub fn bind_mount(sys: &dyn MountSys, source: &str, target: &str, opts: BindOptions) -> Result<(), NativeError> {
    bind(sys, source, target, opts)
        .map_err(|e| NativeError::from(e).during(&format!("bind mount of '{source}' on '{target}'")))
}

fn bind(sys: &dyn MountSys, source: &str, target: &str, opts: BindOptions) -> Result<(), SysError> {
    let rec = if opts.recursive { libc::MS_REC } else { 0 };
    sys.mount(&MountCall {
        source: Some(source.into()),
        target: target.into(),
        fstype: None,
        flags: libc::MS_BIND | rec,
        data: None,
    })?;
    if !opts.readonly {
        return Ok(());
    }
    make_readonly(sys, target, opts.recursive).inspect_err(|_| {
        // Best effort: the readonly error is the one worth reporting.
        let _ = sys.umount2(target, libc::MNT_DETACH | libc::UMOUNT_NOFOLLOW);
    })
}

/// mount_setattr (Linux 5.12+) covers submounts; older kernels only get the top mount remounted.
fn make_readonly(sys: &dyn MountSys, target: &str, recursive: bool) -> Result<(), SysError> {
    match sys.mount_setattr(target, recursive, MOUNT_ATTR_RDONLY) {
        Err(e) if e.errno == libc::ENOSYS && !recursive => sys.mount(&MountCall {
            source: None,
            target: target.into(),
            fstype: None,
            flags: libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
            data: None,
        }),
        other => other,
    }
}

/// Mounts a tmpfs on `target`. `options` is a mount(8)-style list ("ro,nosuid,size=64m,mode=755"):
/// flag words become mount flags, the rest is passed to tmpfs as data.
pub fn mount_tmpfs(sys: &dyn MountSys, target: &str, options: &str) -> Result<(), NativeError> {
    let operation = format!("tmpfs mount on '{target}'");
    let parsed = options::parse(options);
    options::check_data_size(&parsed.data, target)
        .and_then(|()| {
            sys.mount(&MountCall {
                source: Some("tmpfs".into()),
                target: target.into(),
                fstype: Some("tmpfs".into()),
                flags: parsed.flags,
                data: (!parsed.data.is_empty()).then_some(parsed.data),
            })
        })
        .map_err(|e| NativeError::from(e).during(&operation))
}

/// Whether `path` is a mount point (the root of a mount). A missing path is not one.
pub fn is_mountpoint(sys: &dyn MountSys, path: &str) -> Result<bool, NativeError> {
    match sys.is_mount_root(path) {
        Err(e) if e.errno == libc::ENOENT => Ok(false),
        other => other.map_err(|e| NativeError::from(e).during(&format!("mount point check of '{path}'"))),
    }
}
