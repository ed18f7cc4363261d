//! JS surface of [`crate::cgroup`]. Each call builds a manager over the host's hierarchies (found
//! once, from /proc/self/mountinfo) or, with `options`, over a test root.

use std::path::Path;
use std::sync::OnceLock;

use napi::Env;
use napi_derive::napi;

use crate::cgroup::fs::HostFs;
use crate::cgroup::setup::{from_mounts, from_root, parse_layout};
use crate::cgroup::{self, CgroupManager, DockerResources, Resources, Setup, Stats};
use crate::error::NativeError;
use crate::js_error;
use crate::kernel::{HostKernel, KernelSource};
use crate::probe::mountinfo;

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// Cgroup mounts do not change while berth runs; read them once.
static HOST_SETUP: OnceLock<Setup> = OnceLock::new();

/// Docker HostConfig limits; 0 or absent leaves a setting alone (pidsLimit: absent only).
#[napi(object)]
pub struct CgroupResources {
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub memory_swap: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<i64>,
}

/// A test root instead of the host's hierarchies.
#[napi(object)]
pub struct CgroupOptions {
    pub root: String,
    /// "v1", "hybrid" or "v2".
    pub layout: String,
}

/// Usage numbers; null when the controller or file is absent (memoryLimit also when unlimited).
#[napi(object, use_nullable = true)]
pub struct CgroupStats {
    pub cpu_usage_ns: Option<f64>,
    pub memory_usage: Option<f64>,
    pub memory_limit: Option<f64>,
    pub pids_current: Option<f64>,
    pub io_read_bytes: Option<f64>,
    pub io_write_bytes: Option<f64>,
}

fn host_setup() -> Result<Setup, NativeError> {
    if let Some(setup) = HOST_SETUP.get() {
        return Ok(setup.clone());
    }
    let mounts = mountinfo::parse(&HostKernel.read_file(MOUNTINFO)?);
    let setup = from_mounts(&mounts, MOUNTINFO)?;
    Ok(HOST_SETUP.get_or_init(|| setup).clone())
}

fn setup_for(options: Option<&CgroupOptions>) -> Result<Setup, NativeError> {
    match options {
        None => host_setup(),
        Some(o) => from_root(&HostFs, Path::new(&o.root), parse_layout(&o.layout)?),
    }
}

/// Runs `f` on the right manager and throws its error in JS.
fn with_manager<T>(
    env: &Env,
    options: Option<CgroupOptions>,
    f: impl FnOnce(&dyn CgroupManager) -> Result<T, NativeError>,
) -> napi::Result<T> {
    let result = setup_for(options.as_ref())
        .map_err(|e| e.during("cgroup setup"))
        .and_then(|setup| f(&*cgroup::manager(&HostFs, &setup)));
    result.map_err(|e| js_error::throw(env, e))
}

fn to_resources(r: Option<CgroupResources>) -> Result<Resources, NativeError> {
    let Some(r) = r else { return Ok(Resources::default()) };
    let docker = DockerResources {
        memory: r.memory,
        memory_reservation: r.memory_reservation,
        memory_swap: r.memory_swap,
        cpu_shares: r.cpu_shares,
        cpu_quota: r.cpu_quota,
        cpu_period: r.cpu_period,
        cpuset_cpus: r.cpuset_cpus,
        cpuset_mems: r.cpuset_mems,
        pids_limit: r.pids_limit,
        blkio_weight: r.blkio_weight,
    };
    Ok(Resources::from_docker(docker)?)
}

/// Creates `path` (e.g. "berth/<id>") in every hierarchy and applies `resources`.
#[napi]
pub fn cgroup_create(
    env: Env,
    path: String,
    resources: Option<CgroupResources>,
    options: Option<CgroupOptions>,
) -> napi::Result<()> {
    with_manager(&env, options, |m| {
        let res = to_resources(resources).map_err(|e| e.during(&format!("cgroup create of '{path}'")))?;
        cgroup::create(m, &path, &res)
    })
}

/// Applies `resources` to an existing cgroup.
#[napi]
pub fn cgroup_update(
    env: Env,
    path: String,
    resources: CgroupResources,
    options: Option<CgroupOptions>,
) -> napi::Result<()> {
    with_manager(&env, options, |m| {
        let res = to_resources(Some(resources)).map_err(|e| e.during(&format!("cgroup update of '{path}'")))?;
        cgroup::update(m, &path, &res)
    })
}

/// Moves process `pid` into the cgroup in every hierarchy.
#[napi]
pub fn cgroup_add_process(env: Env, path: String, pid: u32, options: Option<CgroupOptions>) -> napi::Result<()> {
    with_manager(&env, options, |m| cgroup::add_process(m, &path, pid))
}

/// Freezes the cgroup; returns once the kernel reports it frozen (EBUSY after 5 s).
#[napi]
pub fn cgroup_freeze(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<()> {
    with_manager(&env, options, |m| cgroup::freeze(m, &path))
}

/// Thaws the cgroup; returns once it runs again.
#[napi]
pub fn cgroup_thaw(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<()> {
    with_manager(&env, options, |m| cgroup::thaw(m, &path))
}

fn stats_to_js(s: Stats) -> CgroupStats {
    let n = |v: Option<u64>| v.map(|v| v as f64);
    CgroupStats {
        cpu_usage_ns: n(s.cpu_usage_ns),
        memory_usage: n(s.memory_usage),
        memory_limit: n(s.memory_limit),
        pids_current: n(s.pids_current),
        io_read_bytes: n(s.io_read_bytes),
        io_write_bytes: n(s.io_write_bytes),
    }
}

/// CPU, memory, pids and I/O usage of the cgroup.
#[napi]
pub fn cgroup_stats(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<CgroupStats> {
    with_manager(&env, options, |m| cgroup::stats(m, &path).map(stats_to_js))
}

/// How many processes the OOM killer has killed in the cgroup.
#[napi]
pub fn cgroup_oom_kills(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<u32> {
    with_manager(&env, options, |m| {
        cgroup::oom_kill_count(m, &path).map(|n| n.min(u64::from(u32::MAX)) as u32)
    })
}

/// Process ids in the cgroup, sorted.
#[napi]
pub fn cgroup_pids(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<Vec<u32>> {
    with_manager(&env, options, |m| cgroup::procs(m, &path))
}

/// Removes the cgroup (and child cgroups) from every hierarchy; kills nothing. Missing is fine;
/// EBUSY while processes remain.
#[napi]
pub fn cgroup_destroy(env: Env, path: String, options: Option<CgroupOptions>) -> napi::Result<()> {
    with_manager(&env, options, |m| cgroup::destroy(m, &path))
}
