//! Overlay mounts with any number of lower layers.
//!
//! mount(2) takes its options in one page, so a classic "lowerdir=a:b:…" string stops fitting at a
//! few dozen long layer paths. Docker shortens them by chdir-ing into the layer root, which a
//! multithreaded Node process cannot do (the cwd is shared by all threads). Linux 6.8 added the
//! "lowerdir+" key to the new mount API: one fsconfig(2) call per layer, no length limit. berth
//! uses it when the kernel knows it and falls back to mount(2) with an explicit E2BIG otherwise.

use std::sync::OnceLock;

use super::options::{check_data_size, escape_overlay_path};
use super::{Fd, MountCall, MountSys, MOUNT_ATTR_RDONLY};
use crate::error::{ArgError, NativeError, SysError};

/// What to stack: lower layers (top first, as overlay expects), the writable upper and its workdir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayOptions {
    pub lowerdirs: Vec<String>,
    pub upperdir: String,
    pub workdir: String,
    pub readonly: bool,
}

/// Mounts the overlay on `target`. `lowerdir_plus` caches whether the kernel has "lowerdir+",
/// so the capability is probed once per process.
pub fn mount_overlay(
    sys: &dyn MountSys,
    lowerdir_plus: &OnceLock<bool>,
    target: &str,
    opts: &OverlayOptions,
) -> Result<(), NativeError> {
    mount(sys, lowerdir_plus, target, opts).map_err(|e| e.during(&format!("overlay mount on '{target}'")))
}

fn mount(sys: &dyn MountSys, cache: &OnceLock<bool>, target: &str, opts: &OverlayOptions) -> Result<(), NativeError> {
    if opts.lowerdirs.is_empty() {
        return Err(ArgError::new("lowerdirs", "needs at least one lower layer").into());
    }
    let supported = match cache.get() {
        Some(&known) => known,
        None => {
            let found = probe_lowerdir_plus(sys)?;
            // Threads racing here all find the same answer, so losing the race is harmless.
            let _ = cache.set(found);
            found
        }
    };
    if supported {
        Ok(mount_new_api(sys, target, opts)?)
    } else {
        Ok(mount_legacy(sys, target, opts)?)
    }
}

/// Whether overlay accepts "lowerdir+": fsopen missing (ENOSYS) or the key unknown (EINVAL)
/// mean no. Other errors (EPERM, ENODEV) are real: the mount would fail the same way.
pub fn probe_lowerdir_plus(sys: &dyn MountSys) -> Result<bool, SysError> {
    let fd = match sys.fsopen("overlay") {
        Ok(fd) => Fd::new(sys, fd),
        Err(e) if e.errno == libc::ENOSYS => return Ok(false),
        Err(e) => return Err(e),
    };
    // "/" always exists and is a directory; the context is dropped without creating anything.
    match sys.fsconfig_string(fd.raw, "lowerdir+", "/") {
        Ok(()) => Ok(true),
        Err(e) if e.errno == libc::EINVAL => Ok(false),
        Err(e) => Err(e),
    }
}

fn mount_new_api(sys: &dyn MountSys, target: &str, opts: &OverlayOptions) -> Result<(), SysError> {
    let ctx = Fd::new(sys, sys.fsopen("overlay")?);
    for lower in &opts.lowerdirs {
        sys.fsconfig_string(ctx.raw, "lowerdir+", lower)?;
    }
    sys.fsconfig_string(ctx.raw, "upperdir", &opts.upperdir)?;
    sys.fsconfig_string(ctx.raw, "workdir", &opts.workdir)?;
    sys.fsconfig_create(ctx.raw).map_err(|e| e.or_path(target))?;
    let attrs = if opts.readonly { MOUNT_ATTR_RDONLY } else { 0 };
    let mnt = Fd::new(sys, sys.fsmount(ctx.raw, attrs).map_err(|e| e.or_path(target))?);
    sys.move_mount(mnt.raw, target)
}

/// The classic option string, with overlay's separators escaped inside paths.
pub fn legacy_data(opts: &OverlayOptions) -> String {
    let lowers: Vec<String> = opts.lowerdirs.iter().map(|l| escape_overlay_path(l)).collect();
    format!(
        "lowerdir={},upperdir={},workdir={}",
        lowers.join(":"),
        escape_overlay_path(&opts.upperdir),
        escape_overlay_path(&opts.workdir)
    )
}

fn mount_legacy(sys: &dyn MountSys, target: &str, opts: &OverlayOptions) -> Result<(), SysError> {
    let data = legacy_data(opts);
    check_data_size(&data, target).map_err(|e| {
        let why = e.detail.clone().unwrap_or_default();
        e.explained(format!(
            "{why}; the kernel lacks overlay's lowerdir+ (Linux 6.8+) to pass layers one by one"
        ))
    })?;
    sys.mount(&MountCall {
        source: Some("overlay".into()),
        target: target.into(),
        fstype: Some("overlay".into()),
        flags: if opts.readonly { libc::MS_RDONLY } else { 0 },
        data: Some(data),
    })
}
