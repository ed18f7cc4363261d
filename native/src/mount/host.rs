//! [`MountSys`] on the real kernel. The new mount API has no libc wrappers, so those calls go
//! through syscall(2) with constants from linux/mount.h.

use std::ffi::CString;
use std::os::fd::RawFd;

use libc::{c_char, c_int, c_long, c_uint};

use super::{MountCall, MountSys};
use crate::error::SysError;

// linux/mount.h
const FSOPEN_CLOEXEC: c_uint = 0x1;
const FSCONFIG_SET_STRING: c_uint = 1;
const FSCONFIG_CMD_CREATE: c_uint = 6;
const FSMOUNT_CLOEXEC: c_uint = 0x1;
const MOVE_MOUNT_F_EMPTY_PATH: c_uint = 0x4;

/// struct mount_attr (MOUNT_ATTR_SIZE_VER0).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// The real host.
pub struct HostMount;

/// A C string for `syscall`; an embedded NUL is EINVAL, as std::fs reports it.
pub(crate) fn c_path(syscall: &'static str, path: &str) -> Result<CString, SysError> {
    CString::new(path).map_err(|_| SysError::with_errno(syscall, Some(path), libc::EINVAL))
}

fn check(ret: c_long, syscall: &'static str, path: Option<&str>) -> Result<c_long, SysError> {
    if ret < 0 {
        Err(SysError::last(syscall, path))
    } else {
        Ok(ret)
    }
}

fn opt_c(syscall: &'static str, s: Option<&str>) -> Result<Option<CString>, SysError> {
    s.map(|s| c_path(syscall, s)).transpose()
}

fn ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
}

impl MountSys for HostMount {
    fn fsopen(&self, fstype: &str) -> Result<RawFd, SysError> {
        let name = c_path("fsopen", fstype)?;
        // SAFETY: a valid C string and flags; the kernel returns an fd or -1.
        let ret = unsafe { libc::syscall(libc::SYS_fsopen, name.as_ptr(), FSOPEN_CLOEXEC) };
        check(ret, "fsopen", None).map(|fd| fd as RawFd)
    }

    fn fsconfig_string(&self, fd: RawFd, key: &str, value: &str) -> Result<(), SysError> {
        let k = c_path("fsconfig", key)?;
        let v = c_path("fsconfig", value)?;
        // SAFETY: fd is ours; key and value are valid C strings; aux must be 0 for SET_STRING.
        let ret = unsafe { libc::syscall(libc::SYS_fsconfig, fd, FSCONFIG_SET_STRING, k.as_ptr(), v.as_ptr(), 0) };
        check(ret, "fsconfig", Some(value)).map(drop)
    }

    fn fsconfig_create(&self, fd: RawFd) -> Result<(), SysError> {
        let null: *const c_char = std::ptr::null();
        // SAFETY: CMD_CREATE takes no key or value.
        let ret = unsafe { libc::syscall(libc::SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, null, null, 0) };
        check(ret, "fsconfig", None).map(drop)
    }

    fn fsmount(&self, fd: RawFd, attr_flags: u64) -> Result<RawFd, SysError> {
        // SAFETY: fd is a created fs context; the kernel returns a mount fd or -1.
        let ret = unsafe { libc::syscall(libc::SYS_fsmount, fd, FSMOUNT_CLOEXEC, attr_flags as c_uint) };
        check(ret, "fsmount", None).map(|fd| fd as RawFd)
    }

    fn move_mount(&self, fd: RawFd, target: &str) -> Result<(), SysError> {
        let to = c_path("move_mount", target)?;
        let empty = c"";
        // SAFETY: from = (fd, "") with F_EMPTY_PATH; to = a valid C string relative to the cwd.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_move_mount,
                fd,
                empty.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                MOVE_MOUNT_F_EMPTY_PATH,
            )
        };
        check(ret, "move_mount", Some(target)).map(drop)
    }

    fn close(&self, fd: RawFd) {
        // SAFETY: the fd came from fsopen/fsmount and is closed exactly once (by Fd's Drop).
        unsafe { libc::close(fd) };
    }

    fn mount(&self, call: &MountCall) -> Result<(), SysError> {
        let target = c_path("mount", &call.target)?;
        let source = opt_c("mount", call.source.as_deref())?;
        let fstype = opt_c("mount", call.fstype.as_deref())?;
        let data = opt_c("mount", call.data.as_deref())?;
        // SAFETY: every pointer is a valid C string or null, as mount(2) allows.
        let ret = unsafe {
            libc::mount(
                ptr(&source),
                target.as_ptr(),
                ptr(&fstype),
                call.flags,
                ptr(&data).cast(),
            )
        };
        check(ret.into(), "mount", Some(&call.target)).map(drop)
    }

    fn mount_setattr(&self, target: &str, recursive: bool, attr_set: u64) -> Result<(), SysError> {
        let path = c_path("mount_setattr", target)?;
        let mut attr = MountAttr {
            attr_set,
            attr_clr: 0,
            propagation: 0,
            userns_fd: 0,
        };
        let flags = libc::AT_SYMLINK_NOFOLLOW | if recursive { libc::AT_RECURSIVE } else { 0 };
        // SAFETY: attr is a live struct of the size we pass.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_mount_setattr,
                libc::AT_FDCWD,
                path.as_ptr(),
                flags as c_uint,
                &mut attr as *mut MountAttr,
                std::mem::size_of::<MountAttr>(),
            )
        };
        check(ret, "mount_setattr", Some(target)).map(drop)
    }

    fn umount2(&self, target: &str, flags: c_int) -> Result<(), SysError> {
        let path = c_path("umount2", target)?;
        // SAFETY: a valid C string.
        let ret = unsafe { libc::umount2(path.as_ptr(), flags) };
        check(ret.into(), "umount2", Some(target)).map(drop)
    }

    fn is_mount_root(&self, path: &str) -> Result<bool, SysError> {
        let c = c_path("statx", path)?;
        // SAFETY: statx is plain old data that the kernel fills.
        let mut st: libc::statx = unsafe { std::mem::zeroed() };
        let flags = libc::AT_SYMLINK_NOFOLLOW | libc::AT_NO_AUTOMOUNT;
        let ret = unsafe { libc::statx(libc::AT_FDCWD, c.as_ptr(), flags, libc::STATX_INO, &mut st) };
        check(ret.into(), "statx", Some(path))?;
        let bit = libc::STATX_ATTR_MOUNT_ROOT as u64;
        if st.stx_attributes_mask & bit != 0 {
            return Ok(st.stx_attributes & bit != 0);
        }
        // Kernels before 5.8 do not say; a device change from the parent is the classic test
        // (it misses bind mounts from the same filesystem).
        parent_device_differs(path, &st)
    }
}

fn parent_device_differs(path: &str, st: &libc::statx) -> Result<bool, SysError> {
    let parent = format!("{}/..", path.trim_end_matches('/'));
    let meta = std::fs::symlink_metadata(&parent).map_err(|e| SysError::from_io("lstat", Some(&parent), &e))?;
    use std::os::unix::fs::MetadataExt;
    let dev = libc::makedev(st.stx_dev_major, st.stx_dev_minor);
    Ok(meta.dev() != dev || meta.ino() == st.stx_ino)
}
