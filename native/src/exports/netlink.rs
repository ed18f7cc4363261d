//! JS surface of [`crate::netlink`]. Each call opens a NETLINK_ROUTE socket, sends its requests and
//! closes it. With `options.netns` (a path such as /proc/<pid>/ns/net) the work runs on a fresh
//! thread inside that namespace (see [`netns::in_netns`]); the calling thread never changes namespace.

use std::fs::File;
use std::os::fd::{AsRawFd, IntoRawFd};

use napi::bindgen_prelude::AsyncTask;
use napi::Env;
use napi_derive::napi;

use crate::error::{ArgError, NativeError, SysError};
use crate::exports::task::{blocking, BlockingTask};
use crate::js_error;
use crate::netlink::netns::{self, in_netns};
use crate::netlink::socket::HostRtnl;
use crate::netlink::{self, InterfaceConfig, LinkChange, NsRef, PortChange};

/// Where a call runs.
#[napi(object)]
pub struct NetnsOptions {
    /// A network namespace file to run in; absent: the daemon's own namespace.
    pub netns: Option<String>,
}

/// A link as the kernel describes it.
#[napi(object, js_name = "NetLink", use_nullable = true)]
pub struct JsLink {
    pub index: u32,
    pub name: String,
    pub mtu: u32,
    pub mac: String,
    pub up: bool,
    pub master: Option<u32>,
    pub kind: Option<String>,
}

impl From<netlink::Link> for JsLink {
    fn from(l: netlink::Link) -> Self {
        JsLink {
            index: l.index,
            name: l.name,
            mtu: l.mtu,
            mac: l.mac,
            up: l.up,
            master: l.master,
            kind: l.kind,
        }
    }
}

/// An IPv4 address of a link.
#[napi(object, js_name = "NetAddress")]
pub struct JsAddr {
    pub address: String,
    pub prefix_len: u32,
}

/// Options of bridgeCreate / vethCreate.
#[napi(object)]
pub struct LinkCreateOptions {
    pub mtu: Option<u32>,
    pub netns: Option<String>,
    /// vethCreate: make the peer right in this namespace (a process's, or a namespace file).
    pub peer_netns: Option<NetnsRef>,
}

/// A network namespace: a process's, or a namespace file. Exactly one of the two.
#[napi(object)]
pub struct NetnsRef {
    pub pid: Option<u32>,
    pub path: Option<String>,
}

/// Changes of linkSet; absent fields are left alone.
#[napi(object)]
pub struct LinkSetChange {
    pub rename: Option<String>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    /// Enslave to this bridge.
    pub master: Option<String>,
    /// Release from its bridge.
    pub nomaster: Option<bool>,
    pub up: Option<bool>,
}

/// Where linkSetNetns moves a link: a process's namespace or a namespace file; renamed there if asked.
#[napi(object)]
pub struct NetnsTarget {
    pub pid: Option<u32>,
    pub path: Option<String>,
    pub rename: Option<String>,
}

/// Bridge-port settings.
#[napi(object)]
pub struct BridgePortChange {
    pub isolated: Option<bool>,
    pub hairpin: Option<bool>,
}

/// Options of routeAddDefault.
#[napi(object)]
pub struct RouteOptions {
    pub dev: Option<String>,
    pub netns: Option<String>,
}

/// The container end of a veth, configured inside its namespace.
#[napi(object)]
pub struct InterfaceConfigure {
    pub name: String,
    pub rename: Option<String>,
    pub cidr: String,
    pub mac: Option<String>,
    pub mtu: Option<u32>,
    pub gateway: Option<String>,
}

/// Runs `f` on a socket in the right namespace and throws its error in JS.
fn run<T, F>(env: &Env, netns: Option<String>, what: &str, f: F) -> napi::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&HostRtnl) -> Result<T, NativeError> + Send + 'static,
{
    on_socket(netns, what, f).map_err(|e| js_error::throw(env, e))
}

/// Runs `f` on a NETLINK_ROUTE socket opened in `netns` (the daemon's own when None).
fn on_socket<T, F>(netns: Option<String>, what: &str, f: F) -> Result<T, NativeError>
where
    T: Send + 'static,
    F: FnOnce(&HostRtnl) -> Result<T, NativeError> + Send + 'static,
{
    let operation = what.to_owned();
    let with_socket = move || {
        let nl = HostRtnl::open().map_err(|e| NativeError::from(e).during(&operation))?;
        f(&nl)
    };
    match netns {
        Some(path) => in_netns(&path, what, with_socket),
        None => with_socket(),
    }
}

fn ns(options: &Option<NetnsOptions>) -> Option<String> {
    options.as_ref().and_then(|o| o.netns.clone())
}

/// The link called `name`, or null.
#[napi]
pub fn link_get(env: Env, name: String, options: Option<NetnsOptions>) -> napi::Result<Option<JsLink>> {
    run(&env, ns(&options), "link lookup", move |nl| {
        Ok(netlink::link_get(nl, &name)?.map(JsLink::from))
    })
}

/// Links whose name starts with `prefix`.
#[napi]
pub fn link_list(env: Env, prefix: String, options: Option<NetnsOptions>) -> napi::Result<Vec<JsLink>> {
    run(&env, ns(&options), "link list", move |nl| {
        Ok(netlink::link_list(nl, &prefix)?.into_iter().map(JsLink::from).collect())
    })
}

/// Creates a bridge (down, without addresses).
#[napi]
pub fn bridge_create(env: Env, name: String, options: Option<LinkCreateOptions>) -> napi::Result<()> {
    let (mtu, netns) = options.map_or((None, None), |o| (o.mtu, o.netns));
    run(&env, netns, "bridge create", move |nl| {
        netlink::bridge_create(nl, &name, mtu)
    })
}

/// Creates a veth pair (both ends down), the peer in `options.peerNetns` when given.
#[napi]
pub fn veth_create(env: Env, name: String, peer: String, options: Option<LinkCreateOptions>) -> napi::Result<()> {
    let (mtu, netns, peer_netns) = options.map_or((None, None, None), |o| (o.mtu, o.netns, o.peer_netns));
    let operation = format!("veth create '{name}' <-> '{peer}'");
    let target = match peer_netns {
        Some(t) => Some(open_target(t.pid, t.path).map_err(|e| js_error::throw(&env, e.during(&operation)))?),
        None => None,
    };
    let peer_ns = target.as_ref().map(NsTarget::ns_ref);
    let result = run(&env, netns, "veth create", move |nl| {
        netlink::veth_create(nl, &name, &peer, mtu, peer_ns)
    });
    drop(target); // a namespace fd must outlive the request
    result
}

/// A namespace named by pid, or held open by its file while a request names its fd.
enum NsTarget {
    Pid(u32),
    File(File),
}

impl NsTarget {
    fn ns_ref(&self) -> NsRef {
        match self {
            NsTarget::Pid(pid) => NsRef::Pid(*pid),
            NsTarget::File(f) => NsRef::Fd(f.as_raw_fd()),
        }
    }
}

/// Opens what a `{pid}` or `{path}` target names (exactly one of the two).
fn open_target(pid: Option<u32>, path: Option<String>) -> Result<NsTarget, NativeError> {
    match (pid, path) {
        (Some(pid), None) => Ok(NsTarget::Pid(pid)),
        (None, Some(path)) => File::open(&path)
            .map(NsTarget::File)
            .map_err(|e| NativeError::from(SysError::from_io("open", Some(&path), &e))),
        _ => Err(NativeError::from(ArgError::new("target", "give exactly one of pid and path"))),
    }
}

/// Renames, sets MTU / MAC / master / up-down of a link in one request.
#[napi]
pub fn link_set(env: Env, name: String, change: LinkSetChange, options: Option<NetnsOptions>) -> napi::Result<()> {
    let master = match (change.master, change.nomaster) {
        (Some(m), _) => Some(Some(m)),
        (None, Some(true)) => Some(None),
        _ => None,
    };
    let c = LinkChange {
        rename: change.rename,
        mtu: change.mtu,
        mac: change.mac,
        master,
        up: change.up,
    };
    run(&env, ns(&options), "link set", move |nl| {
        netlink::link_set(nl, &name, &c)
    })
}

/// Moves a link into another network namespace (by pid or namespace file), optionally renaming it.
#[napi]
pub fn link_set_netns(env: Env, name: String, target: NetnsTarget, options: Option<NetnsOptions>) -> napi::Result<()> {
    let operation = format!("link move '{name}' to another network namespace");
    let held = open_target(target.pid, target.path).map_err(|e| js_error::throw(&env, e.during(&operation)))?;
    let ns_ref = held.ns_ref();
    let rename = target.rename;
    let result = run(&env, ns(&options), &operation, move |nl| {
        netlink::link_set_netns(nl, &name, ns_ref, rename.as_deref())
    });
    drop(held); // the namespace fd must outlive the request
    result
}

/// Sets bridge-port options (isolated, hairpin) of an enslaved link.
#[napi]
pub fn bridge_port_set(
    env: Env,
    name: String,
    change: BridgePortChange,
    options: Option<NetnsOptions>,
) -> napi::Result<()> {
    let c = PortChange {
        isolated: change.isolated,
        hairpin: change.hairpin,
    };
    run(&env, ns(&options), "bridge port set", move |nl| {
        netlink::bridge_port_set(nl, &name, c)
    })
}

/// Deletes a link (a veth with its peer).
#[napi]
pub fn link_delete(env: Env, name: String, options: Option<NetnsOptions>) -> napi::Result<()> {
    run(&env, ns(&options), "link delete", move |nl| {
        netlink::link_delete(nl, &name)
    })
}

/// Deletes a link like linkDelete, on a libuv pool thread: deleting a device waits for an RCU
/// grace period (tens of ms on a busy host), which must not stall the event loop. Rejects with the
/// same SystemError shape.
#[napi(ts_return_type = "Promise<void>")]
pub fn link_delete_async(name: String, options: Option<NetnsOptions>) -> AsyncTask<BlockingTask> {
    let netns = ns(&options);
    blocking(move || on_socket(netns, "link delete", move |nl| netlink::link_delete(nl, &name)))
}

/// Resolves once link `name` is gone (or was not there), removed by someone else: typically the
/// kernel, which unregisters a veth when the network namespace of its peer dies, in one batch and
/// sooner than an RTM_DELLINK of ours would. Rejects with ETIMEDOUT if it is still there after
/// `timeoutMs`. Waits on a libuv pool thread.
#[napi(ts_return_type = "Promise<void>")]
pub fn link_gone_async(name: String, timeout_ms: u32, options: Option<NetnsOptions>) -> AsyncTask<BlockingTask> {
    let netns = ns(&options);
    blocking(move || on_socket(netns, "link wait", move |nl| link_gone(nl, &name, std::time::Duration::from_millis(timeout_ms.into()))))
}

fn link_gone(nl: &HostRtnl, name: &str, timeout: std::time::Duration) -> Result<(), NativeError> {
    let deadline = std::time::Instant::now() + timeout;
    // Subscribed before looking, so a removal between the look and the wait is not missed.
    nl.watch_links().map_err(|e| NativeError::from(e).during(&format!("link wait for '{name}'")))?;
    loop {
        let Some(link) = netlink::link_get(nl, name)? else { return Ok(()) };
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match nl.await_link_removal(link.index, left) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                let e = SysError::with_errno("poll", Some(name), libc::ETIMEDOUT).explained(format!("still there after {} ms", timeout.as_millis()));
                return Err(NativeError::from(e).during(&format!("link wait for '{name}'")));
            }
            Err(e) if e.errno == libc::ENOBUFS => continue, // notifications lost: look again
            Err(e) => return Err(NativeError::from(e).during(&format!("link wait for '{name}'"))),
        }
    }
}

/// Makes a new network namespace with `lo` up (on a libuv pool thread: setting one up takes a
/// millisecond or two) and resolves to an fd of it, O_CLOEXEC, which keeps it alive until the
/// caller closes it: a container's init joins it as `/proc/<daemon pid>/fd/<fd>` while the daemon
/// plugs the container's interfaces into it.
#[napi(ts_return_type = "Promise<number>")]
pub fn netns_create() -> AsyncTask<BlockingTask<i32>> {
    blocking(|| netns::create().map(|fd| fd.into_raw_fd()))
}

/// Adds an IPv4 address ("10.88.0.1/16") to a link.
#[napi]
pub fn address_add(env: Env, name: String, cidr: String, options: Option<NetnsOptions>) -> napi::Result<()> {
    run(&env, ns(&options), "address add", move |nl| {
        netlink::addr_add(nl, &name, &cidr)
    })
}

/// Removes an IPv4 address from a link.
#[napi]
pub fn address_delete(env: Env, name: String, cidr: String, options: Option<NetnsOptions>) -> napi::Result<()> {
    run(&env, ns(&options), "address delete", move |nl| {
        netlink::addr_del(nl, &name, &cidr)
    })
}

/// The IPv4 addresses of a link.
#[napi]
pub fn address_list(env: Env, name: String, options: Option<NetnsOptions>) -> napi::Result<Vec<JsAddr>> {
    run(&env, ns(&options), "address list", move |nl| {
        Ok(netlink::addr_list(nl, &name)?
            .into_iter()
            .map(|a| JsAddr {
                address: a.address.to_string(),
                prefix_len: a.prefix_len as u32,
            })
            .collect())
    })
}

/// Adds the default route via `gateway`.
#[napi]
pub fn route_add_default(env: Env, gateway: String, options: Option<RouteOptions>) -> napi::Result<()> {
    let (dev, netns) = options.map_or((None, None), |o| (o.dev, o.netns));
    run(&env, netns, "route add", move |nl| {
        netlink::route_add_default(nl, &gateway, dev.as_deref())
    })
}

/// Removes the default route via `gateway`.
#[napi]
pub fn route_delete_default(env: Env, gateway: String, options: Option<NetnsOptions>) -> napi::Result<()> {
    run(&env, ns(&options), "route delete", move |nl| {
        netlink::route_del_default(nl, &gateway)
    })
}

/// In the namespace at `netns`, on one thread: lo up, the interface renamed / given its MAC and MTU,
/// its address, up, and the default route; on a pool thread, so that entering the namespace and the
/// netlink round trips (~4 ms) stay off the event loop, which a container's start needs meanwhile.
#[napi(ts_return_type = "Promise<JsLink>")]
pub fn interface_configure(netns: String, config: InterfaceConfigure) -> AsyncTask<BlockingTask<JsLink>> {
    let cfg = InterfaceConfig {
        name: config.name,
        rename: config.rename,
        cidr: config.cidr,
        mac: config.mac,
        mtu: config.mtu,
        gateway: config.gateway,
    };
    blocking(move || on_socket(Some(netns), "interface configure", move |nl| netlink::interface_configure(nl, &cfg).map(JsLink::from)))
}

/// Writes a networking sysctl ("net/ipv4/conf/berth0/route_localnet").
#[napi]
pub fn sysctl_write(env: Env, key: String, value: String, options: Option<NetnsOptions>) -> napi::Result<()> {
    match ns(&options) {
        Some(path) => in_netns(&path, "sysctl write", move || netns::sysctl_write(&key, &value)),
        None => netns::sysctl_write(&key, &value),
    }
    .map_err(|e| js_error::throw(&env, e))
}

/// Reads a networking sysctl.
#[napi]
pub fn sysctl_read(env: Env, key: String, options: Option<NetnsOptions>) -> napi::Result<String> {
    match ns(&options) {
        Some(path) => in_netns(&path, "sysctl read", move || netns::sysctl_read(&key)),
        None => netns::sysctl_read(&key),
    }
    .map_err(|e| js_error::throw(&env, e))
}
