//! [`PidSys`] on the real kernel, through libc.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::{c_int, c_long};

use super::PidSys;
use crate::error::SysError;

/// The real host.
pub struct HostPidSys;

fn owned(ret: c_long, syscall: &'static str) -> Result<OwnedFd, SysError> {
    if ret < 0 {
        Err(SysError::last(syscall, None))
    } else {
        // SAFETY: the kernel just returned this descriptor and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(ret as c_int) })
    }
}

fn check(ret: c_int, syscall: &'static str) -> Result<c_int, SysError> {
    if ret < 0 {
        Err(SysError::last(syscall, None))
    } else {
        Ok(ret)
    }
}

fn ctl(epfd: BorrowedFd<'_>, op: c_int, fd: BorrowedFd<'_>, token: u64) -> Result<(), SysError> {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: token,
    };
    // SAFETY: both descriptors are open for the call; `ev` outlives it.
    check(
        unsafe { libc::epoll_ctl(epfd.as_raw_fd(), op, fd.as_raw_fd(), &mut ev) },
        "epoll_ctl",
    )
    .map(drop)
}

impl PidSys for HostPidSys {
    fn pidfd_open(&self, pid: i32) -> Result<OwnedFd, SysError> {
        // SAFETY: pidfd_open(pid, flags) takes two integers and returns a new descriptor.
        let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as c_long, 0 as c_long) };
        owned(ret, "pidfd_open")
    }

    fn epoll_create(&self) -> Result<OwnedFd, SysError> {
        // SAFETY: plain syscall; returns a new descriptor.
        owned(
            unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) } as c_long,
            "epoll_create1",
        )
    }

    fn eventfd(&self) -> Result<OwnedFd, SysError> {
        // SAFETY: plain syscall; returns a new descriptor.
        let ret = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        owned(ret as c_long, "eventfd")
    }

    fn epoll_add(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>, token: u64) -> Result<(), SysError> {
        ctl(epfd, libc::EPOLL_CTL_ADD, fd, token)
    }

    fn epoll_del(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        ctl(epfd, libc::EPOLL_CTL_DEL, fd, 0)
    }

    fn epoll_wait(&self, epfd: BorrowedFd<'_>, ready: &mut Vec<u64>) -> Result<(), SysError> {
        const MAX: usize = 64;
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; MAX];
        loop {
            // SAFETY: `events` has room for MAX entries; -1 blocks until one is ready.
            let n = unsafe { libc::epoll_wait(epfd.as_raw_fd(), events.as_mut_ptr(), MAX as c_int, -1) };
            if n >= 0 {
                ready.clear();
                ready.extend(events[..n as usize].iter().map(|e| e.u64));
                return Ok(());
            }
            let err = SysError::last("epoll_wait", None);
            if err.errno != libc::EINTR {
                return Err(err);
            }
        }
    }

    fn eventfd_signal(&self, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64.
        let ret = unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        check(ret as c_int, "write").map(drop)
    }

    fn eventfd_drain(&self, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        let mut value: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64; the eventfd is non-blocking.
        let ret = unsafe { libc::read(fd.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
        match check(ret as c_int, "read") {
            Err(e) if e.errno == libc::EAGAIN => Ok(()),
            other => other.map(drop),
        }
    }
}
