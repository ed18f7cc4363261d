//! One kind of promise-returning export: work that may block (an RCU grace period, a filesystem
//! sync, a namespace's set-up) runs on a libuv pool thread, resolves to its result, and a failure
//! rejects with the same SystemError shape the synchronous exports throw.

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Task};

use crate::error::NativeError;
use crate::js_error;

type Work<T> = Box<dyn FnOnce() -> Result<T, NativeError> + Send>;

/// Blocking work for the pool, resolving to its `T` (undefined for `()`).
pub struct BlockingTask<T: Send + 'static = ()> {
    work: Option<Work<T>>,
    failure: Option<NativeError>,
}

/// `work` as a promise-returning export's task.
pub fn blocking<T: Send + ToNapiValue + TypeName + 'static>(work: impl FnOnce() -> Result<T, NativeError> + Send + 'static) -> AsyncTask<BlockingTask<T>> {
    AsyncTask::new(BlockingTask { work: Some(Box::new(work)), failure: None })
}

impl<T: Send + ToNapiValue + TypeName + 'static> Task for BlockingTask<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<T> {
        let work = self.work.take().ok_or_else(|| napi::Error::from_reason("task ran twice"))?;
        work().map_err(|e| {
            let message = e.to_string();
            self.failure = Some(e);
            napi::Error::new(napi::Status::GenericFailure, message)
        })
    }

    fn resolve(&mut self, _env: Env, output: T) -> napi::Result<T> {
        Ok(output)
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<T> {
        match self.failure.take() {
            Some(e) => Err(js_error::rejection(&env, &e).unwrap_or(err)),
            None => Err(err),
        }
    }
}
