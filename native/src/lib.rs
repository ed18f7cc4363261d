//! berth-native: the kernel layer of berth, loaded into Node as a napi addon.
//! Logic modules (probe, kernel, mount, files, cgroup, netlink, error) know nothing of napi; `exports` is the only JS surface.

pub mod cgroup;
pub mod error;
pub mod exports;
pub mod files;
pub mod js_error;
pub mod kernel;
pub mod mount;
pub mod netlink;
pub mod pidwatch;
pub mod probe;
