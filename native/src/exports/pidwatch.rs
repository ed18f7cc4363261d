//! JS surface of [`crate::pidwatch`]. Each Node environment (the main thread, each worker) gets
//! its own watcher thread, started by its first `watchPid` and stopped when it tears down.
//!
//! Every watch owns a referenced ThreadsafeFunction for its callback, released right after the
//! one call. So a pending watch keeps the event loop alive, like a child process does, and once
//! nothing is watched no threadsafe function remains to hold the process open.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use napi::bindgen_prelude::{FnArgs, Function, Null, Object, ToNapiValue, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{sys, Env, Status};
use napi_derive::napi;

use crate::error::{ArgError, NativeError};
use crate::js_error;
use crate::pidwatch::host::HostPidSys;
use crate::pidwatch::{Notify, PidWatcher};

/// Watchers by the raw `napi_env` they serve.
fn watchers() -> MutexGuard<'static, HashMap<usize, PidWatcher<HostPidSys>>> {
    static WATCHERS: OnceLock<Mutex<HashMap<usize, PidWatcher<HostPidSys>>>> = OnceLock::new();
    WATCHERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// The callback's first argument: null on exit, else an Error shaped like the ones exports throw.
pub struct ErrArg(Option<NativeError>);

impl ToNapiValue for ErrArg {
    unsafe fn to_napi_value(raw_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            // SAFETY: called by napi-rs on the JS thread with its live env.
            None => unsafe { Null::to_napi_value(raw_env, Null) },
            Some(err) => {
                let env = Env::from_raw(raw_env);
                let obj = error_object(&env, &err)?;
                // SAFETY: as above; `obj` belongs to this env.
                unsafe { Object::to_napi_value(raw_env, obj) }
            }
        }
    }
}

/// The SystemError shape of `js_error::throw`, built without throwing.
fn error_object<'e>(env: &'e Env, err: &NativeError) -> napi::Result<Object<'e>> {
    let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, err.to_string()))?;
    obj.set("code", err.code())?;
    if let NativeError::Sys(e) = err {
        obj.set("errno", -e.errno)?;
        obj.set("syscall", e.syscall)?;
    }
    Ok(obj)
}

pub type ExitArgs = FnArgs<(ErrArg, i32)>;
type ExitFn = ThreadsafeFunction<Result<i32, NativeError>, Unknown<'static>, ExitArgs, Status, false>;

/// JS numbers that are not an int32 never reach the kernel; 0 and negatives do (EINVAL there).
fn pid_arg(pid: f64) -> Result<i32, NativeError> {
    if pid.fract() == 0.0 && pid >= f64::from(i32::MIN) && pid <= f64::from(i32::MAX) {
        Ok(pid as i32)
    } else {
        Err(NativeError::from(ArgError::new("pid", format!("{pid} is not a process id"))).during("pid watch"))
    }
}

fn watch(env: &Env, pid: i32, notify: Notify) -> Result<(), NativeError> {
    let key = env.raw() as usize;
    let mut map = watchers();
    let watcher = match map.entry(key) {
        Entry::Occupied(found) => found.into_mut(),
        Entry::Vacant(slot) => {
            let watcher = PidWatcher::start(HostPidSys)?;
            // Joins the thread at environment teardown; pending callbacks are dropped uncalled.
            env.add_env_cleanup_hook(key, |key| {
                let gone = watchers().remove(&key);
                drop(gone);
            })
            .map_err(|e| {
                NativeError::from(ArgError::new("environment", e.reason.clone())).during("pid watcher start")
            })?;
            slot.insert(watcher)
        }
    };
    watcher.watch(pid, notify)
}

/// Calls `callback(null, pid)` once process `pid` has exited (any process, not only our children;
/// nothing is reaped). Always asynchronous, also when the process is already gone. Throws a
/// SystemError (syscall 'pidfd_open') when the pid cannot be watched, e.g. EINVAL for 0 or -1.
#[napi(ts_args_type = "pid: number, callback: (err: Error | null, pid: number) => void")]
pub fn watch_pid(env: Env, pid: f64, callback: Function<'_, ExitArgs, Unknown<'static>>) -> napi::Result<()> {
    let result = pid_arg(pid).and_then(|pid| {
        let tsfn: ExitFn = callback
            .build_threadsafe_function::<Result<i32, NativeError>>()
            .callee_handled::<false>()
            .build_callback(move |ctx| {
                let (err, pid) = match ctx.value {
                    Ok(pid) => (None, pid),
                    Err(e) => (Some(e), pid),
                };
                Ok(FnArgs::from((ErrArg(err), pid)))
            })
            .map_err(|e| {
                NativeError::from(ArgError::new("callback", e.reason.clone())).during(&format!("watch of pid {pid}"))
            })?;
        let notify: Notify = Box::new(move |outcome| {
            // Unbounded queue: NonBlocking never finds it full. A closing env (status napi_closing)
            // has nobody left to tell.
            let _ = tsfn.call(outcome, ThreadsafeFunctionCallMode::NonBlocking);
        });
        watch(&env, pid, notify)
    });
    result.map_err(|e| js_error::throw(&env, e))
}
