//! JS surface of [`crate::mount`]: thin conversions, one logic call, errors thrown as SystemErrors.

use std::sync::OnceLock;

use napi::Env;
use napi_derive::napi;

use crate::js_error;
use crate::mount::host::HostMount;
use crate::mount::overlay::{self, OverlayOptions};
use crate::mount::{self, BindOptions};

/// Whether this kernel's overlay takes "lowerdir+", probed on the first overlay mount.
static LOWERDIR_PLUS: OnceLock<bool> = OnceLock::new();

/// Layers of an overlay mount; lowerdirs are listed top first.
#[napi(object)]
pub struct OverlayMountOptions {
    pub lowerdirs: Vec<String>,
    pub upperdir: String,
    pub workdir: String,
    pub readonly: Option<bool>,
}

/// Mounts an overlay on `target`. Any number of layers: they are passed one by one where the
/// kernel allows (Linux 6.8+), else in mount(2) data, failing with E2BIG when that is too long.
#[napi]
pub fn mount_overlay(env: Env, target: String, options: OverlayMountOptions) -> napi::Result<()> {
    let opts = OverlayOptions {
        lowerdirs: options.lowerdirs,
        upperdir: options.upperdir,
        workdir: options.workdir,
        readonly: options.readonly.unwrap_or(false),
    };
    overlay::mount_overlay(&HostMount, &LOWERDIR_PLUS, &target, &opts).map_err(|e| js_error::throw(&env, e))
}

#[napi(object)]
pub struct UnmountOptions {
    /// MNT_DETACH: detach now, clean up when no longer busy.
    pub detach: Option<bool>,
}

/// Unmounts `target` (never following a final symlink); EINVAL when it is not a mount point.
#[napi]
pub fn unmount(env: Env, target: String, options: Option<UnmountOptions>) -> napi::Result<()> {
    let detach = options.and_then(|o| o.detach).unwrap_or(false);
    mount::unmount(&HostMount, &target, detach).map_err(|e| js_error::throw(&env, e))
}

#[napi(object)]
pub struct BindMountOptions {
    pub readonly: Option<bool>,
    /// Also bind the mounts below source (MS_REC).
    pub recursive: Option<bool>,
}

/// Bind-mounts `source` on `target`; a read-only bind never stays writable on failure.
#[napi]
pub fn bind_mount(env: Env, source: String, target: String, options: Option<BindMountOptions>) -> napi::Result<()> {
    let opts = options.map_or(BindOptions::default(), |o| BindOptions {
        readonly: o.readonly.unwrap_or(false),
        recursive: o.recursive.unwrap_or(false),
    });
    mount::bind_mount(&HostMount, &source, &target, opts).map_err(|e| js_error::throw(&env, e))
}

/// Mounts a tmpfs on `target` with mount(8)-style options ("nosuid,size=64m,mode=1777").
#[napi]
pub fn mount_tmpfs(env: Env, target: String, options: Option<String>) -> napi::Result<()> {
    mount::mount_tmpfs(&HostMount, &target, options.as_deref().unwrap_or("")).map_err(|e| js_error::throw(&env, e))
}

/// Whether `path` is the root of a mount (not following a final symlink); false when missing.
#[napi]
pub fn is_mountpoint(env: Env, path: String) -> napi::Result<bool> {
    mount::is_mountpoint(&HostMount, &path).map_err(|e| js_error::throw(&env, e))
}
