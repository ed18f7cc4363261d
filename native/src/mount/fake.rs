//! A recording [`MountSys`] for unit tests: every call is logged, chosen calls fail with an errno.

use std::cell::{Cell, RefCell};
use std::os::fd::RawFd;

use super::{MountCall, MountSys};
use crate::error::SysError;

/// One syscall as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Fsopen(String),
    FsconfigString(RawFd, String, String),
    FsconfigCreate(RawFd),
    Fsmount(RawFd, u64),
    MoveMount(RawFd, String),
    Close(RawFd),
    Mount(MountCall),
    MountSetattr(String, bool, u64),
    Umount2(String, i32),
    IsMountRoot(String),
}

/// Records calls; `fail(syscall, arg, errno)` makes matching calls fail.
#[derive(Default)]
pub struct FakeMount {
    pub calls: RefCell<Vec<Call>>,
    pub next_fd: Cell<RawFd>,
    pub failures: RefCell<Vec<(&'static str, Option<String>, i32)>>,
    /// Paths `is_mount_root` answers true for; any other path answers false (or ENOENT if listed in `missing`).
    pub mount_roots: Vec<String>,
    pub missing: Vec<String>,
}

impl FakeMount {
    /// Makes every later `syscall` whose argument equals `arg` (any argument when None) fail.
    pub fn fail(&self, syscall: &'static str, arg: Option<&str>, errno: i32) {
        self.failures
            .borrow_mut()
            .push((syscall, arg.map(str::to_string), errno));
    }

    /// The logged calls, for whole-sequence assertions.
    pub fn log(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// Fds handed out and not closed.
    pub fn open_fds(&self) -> Vec<RawFd> {
        let calls = self.calls.borrow();
        let closed: Vec<RawFd> = calls
            .iter()
            .filter_map(|c| if let Call::Close(fd) = c { Some(*fd) } else { None })
            .collect();
        (100..100 + self.next_fd.get())
            .filter(|fd| !closed.contains(fd))
            .collect()
    }

    fn record(&self, call: Call, syscall: &'static str, arg: &str, path: Option<&str>) -> Result<(), SysError> {
        self.calls.borrow_mut().push(call);
        let failures = self.failures.borrow();
        let hit = failures
            .iter()
            .find(|(name, want, _)| *name == syscall && want.as_deref().is_none_or(|w| w == arg));
        match hit {
            Some((_, _, errno)) => Err(SysError::with_errno(syscall, path, *errno)),
            None => Ok(()),
        }
    }

    fn new_fd(&self) -> RawFd {
        let fd = 100 + self.next_fd.get();
        self.next_fd.set(self.next_fd.get() + 1);
        fd
    }
}

impl MountSys for FakeMount {
    fn fsopen(&self, fstype: &str) -> Result<RawFd, SysError> {
        self.record(Call::Fsopen(fstype.into()), "fsopen", fstype, None)?;
        Ok(self.new_fd())
    }

    fn fsconfig_string(&self, fd: RawFd, key: &str, value: &str) -> Result<(), SysError> {
        let call = Call::FsconfigString(fd, key.into(), value.into());
        self.record(call, "fsconfig", &format!("{key}={value}"), Some(value))
    }

    fn fsconfig_create(&self, fd: RawFd) -> Result<(), SysError> {
        self.record(Call::FsconfigCreate(fd), "fsconfig", "create", None)
    }

    fn fsmount(&self, fd: RawFd, attr_flags: u64) -> Result<RawFd, SysError> {
        self.record(Call::Fsmount(fd, attr_flags), "fsmount", "", None)?;
        Ok(self.new_fd())
    }

    fn move_mount(&self, fd: RawFd, target: &str) -> Result<(), SysError> {
        self.record(Call::MoveMount(fd, target.into()), "move_mount", target, Some(target))
    }

    fn close(&self, fd: RawFd) {
        self.calls.borrow_mut().push(Call::Close(fd));
    }

    fn mount(&self, call: &MountCall) -> Result<(), SysError> {
        let target = call.target.clone();
        self.record(Call::Mount(call.clone()), "mount", &target, Some(&target))
    }

    fn mount_setattr(&self, target: &str, recursive: bool, attr_set: u64) -> Result<(), SysError> {
        let call = Call::MountSetattr(target.into(), recursive, attr_set);
        self.record(call, "mount_setattr", target, Some(target))
    }

    fn umount2(&self, target: &str, flags: i32) -> Result<(), SysError> {
        self.record(Call::Umount2(target.into(), flags), "umount2", target, Some(target))
    }

    fn is_mount_root(&self, path: &str) -> Result<bool, SysError> {
        self.record(Call::IsMountRoot(path.into()), "statx", path, Some(path))?;
        if self.missing.iter().any(|m| m == path) {
            return Err(SysError::with_errno("statx", Some(path), libc::ENOENT));
        }
        Ok(self.mount_roots.iter().any(|m| m == path))
    }
}
