//! Turns a [`NativeError`] into a thrown JS error. napi-rs can only set `code` and `message`
//! on errors it builds, so we build the object ourselves to add `errno`, `syscall` and `path`.

use napi::{Env, Error, Status};

use crate::error::NativeError;

/// Throws `err` in `env` and returns the marker napi-rs expects for an already-pending exception.
pub fn throw(env: &Env, err: NativeError) -> Error {
    match build_and_throw(env, &err) {
        Ok(()) => Error::from_status(Status::PendingException),
        // Could not build the rich object (env tearing down): fall back to a plain Error.
        Err(_) => Error::new(Status::GenericFailure, err.to_string()),
    }
}

/// `err` as a napi Error holding the rich JS object, for rejecting a promise (an AsyncTask's reject).
pub fn rejection(env: &Env, err: &NativeError) -> Option<Error> {
    let obj = build(env, err).ok()?;
    let value = napi::bindgen_prelude::JsValue::to_unknown(&obj);
    Some(Error::from(value))
}

fn build_and_throw(env: &Env, err: &NativeError) -> napi::Result<()> {
    env.throw(build(env, err)?)
}

fn build<'e>(env: &'e Env, err: &NativeError) -> napi::Result<napi::bindgen_prelude::Object<'e>> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, err.to_string()))?;
    obj.set("code", err.code())?;
    match err {
        NativeError::Sys(e) => {
            // Node reports libuv's negative errno on SystemError; match it so callers compare alike.
            obj.set("errno", -e.errno)?;
            obj.set("syscall", e.syscall)?;
            if let Some(path) = &e.path {
                obj.set("path", path.as_str())?;
            }
        }
        NativeError::Data(e) => obj.set("path", e.path.as_str())?,
        // Node's own ERR_INVALID_ARG_VALUE errors carry only code and message.
        NativeError::Arg(_) => {}
    }
    Ok(obj)
}
