//! The container's terminal: a pty made in the container's own devpts (so `tty` names a
//! /dev/pts/N the container can see), its master passed to the shim, its slave as stdio.

use std::path::Path;

use crate::error::{check, Error, Result};
use crate::spec::ConsoleSize;
use crate::sync::{Channel, Msg};
use crate::sys::{self, cstr};

/// Opens a pty in /dev/pts, sends the master on `chan`, and makes the slave the controlling
/// terminal and stdio. With `console`, the slave is also bound on /dev/console.
pub fn attach_new(chan: &Channel, size: Option<ConsoleSize>, console: bool) -> Result<()> {
    let ptmx = cstr("/dev/pts/ptmx")?;
    let master = check(unsafe { libc::open(ptmx.as_ptr(), libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) }, || "open /dev/pts/ptmx".into())?;
    check(unsafe { libc::unlockpt(master) }, || "unlockpt".into())?;
    let mut n: libc::c_uint = 0;
    check(unsafe { libc::ioctl(master, libc::TIOCGPTN, &mut n) }, || "get the pty number".into())?;
    let slave_path = format!("/dev/pts/{n}");
    let sp = cstr(&slave_path)?;
    let slave = check(unsafe { libc::open(sp.as_ptr(), libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) }, || format!("open {slave_path}"))?;
    if let Some(s) = size {
        set_size(master, s)?;
    }
    if console {
        bind_console(&slave_path)?;
    }
    chan.send(&Msg::Console, Some(master))?;
    sys::close(master);
    for fd in 0..3 {
        sys::dup2(slave, fd)?;
    }
    sys::close(slave);
    check(unsafe { libc::ioctl(0, libc::TIOCSCTTY, 0) }, || "set the controlling terminal".into()).map(|_| ())
}

fn bind_console(slave: &str) -> Result<()> {
    let console = Path::new("/dev/console");
    crate::resolve::FsView::touch(&crate::resolve::HostFs, console)?;
    crate::rootfs::RootSys::mount(&crate::sys::HostSys, Some(slave), console, None, libc::MS_BIND, "")
        .map_err(|e| Error { op: format!("bind {slave} to /dev/console"), ..e })
}

/// TIOCSWINSZ on a pty.
pub fn set_size(fd: libc::c_int, s: ConsoleSize) -> Result<()> {
    let ws = libc::winsize { ws_row: s.height, ws_col: s.width, ws_xpixel: 0, ws_ypixel: 0 };
    check(unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &ws) }, || format!("resize the pty to {}x{}", s.height, s.width)).map(|_| ())
}
