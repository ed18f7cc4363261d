//! The JS surface. Each export converts a plain Rust result into `#[napi(object)]` values here,
//! so the logic modules stay free of napi types and test without Node.

pub mod cgroups;
pub mod files;
pub mod mounts;
pub mod netlink;
pub mod pidwatch;
pub mod process;
pub mod sealed;
pub mod task;

use napi::Env;
use napi_derive::napi;

use crate::js_error;
use crate::kernel::HostKernel;
use crate::probe::{self, cgroup::CgroupInfo, Namespaces, Probe};

/// Namespace kinds present in /proc/self/ns.
#[napi(object, js_name = "ProbeNamespaces")]
pub struct JsNamespaces {
    pub mnt: bool,
    pub uts: bool,
    pub ipc: bool,
    pub pid: bool,
    pub net: bool,
    pub user: bool,
    pub cgroup: bool,
}

/// Cgroup layout; `v2Root` is null (not absent) on pure v1 hosts.
#[napi(object, js_name = "ProbeCgroup", use_nullable = true)]
pub struct JsCgroup {
    pub layout: String,
    pub v2_root: Option<String>,
    pub controllers: Vec<String>,
}

/// The probe result; field names become camelCase in JS.
#[napi(object, js_name = "KernelProbe")]
pub struct JsKernelProbe {
    pub kernel_version: String,
    pub operating_system: String,
    pub architecture: String,
    pub namespaces: JsNamespaces,
    pub cgroup: JsCgroup,
    pub overlay: bool,
    /// Bytes, as a JS number (f64): exact up to 2^53 bytes, far beyond any RAM size.
    pub mem_total: f64,
    pub ncpu: u32,
}

/// Reads the host's kernel facts. Throws a SystemError-shaped Error when a read fails.
#[napi]
pub fn kernel_probe(env: Env) -> napi::Result<JsKernelProbe> {
    probe::probe(&HostKernel)
        .map(to_js)
        .map_err(|e| js_error::throw(&env, e))
}

fn to_js(p: Probe) -> JsKernelProbe {
    JsKernelProbe {
        kernel_version: p.kernel_version,
        operating_system: p.operating_system,
        architecture: p.architecture,
        namespaces: ns_to_js(p.namespaces),
        cgroup: cgroup_to_js(p.cgroup),
        overlay: p.overlay,
        mem_total: p.mem_total as f64,
        ncpu: p.ncpu,
    }
}

fn ns_to_js(n: Namespaces) -> JsNamespaces {
    JsNamespaces {
        mnt: n.mnt,
        uts: n.uts,
        ipc: n.ipc,
        pid: n.pid,
        net: n.net,
        user: n.user,
        cgroup: n.cgroup,
    }
}

fn cgroup_to_js(c: CgroupInfo) -> JsCgroup {
    JsCgroup {
        layout: c.layout.as_str().to_string(),
        v2_root: c.v2_root,
        controllers: c.controllers,
    }
}
