//! One kind of promise-returning export: work that may block (an RCU grace period, a filesystem
//! sync) runs on a libuv pool thread, and a failure rejects with the same SystemError shape the
//! synchronous exports throw.

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};

use crate::error::NativeError;
use crate::js_error;

type Work = Box<dyn FnOnce() -> Result<(), NativeError> + Send>;

/// Blocking work for the pool, resolving to undefined.
pub struct BlockingTask {
    work: Option<Work>,
    failure: Option<NativeError>,
}

/// `work` as a promise-returning export's task.
pub fn blocking(work: impl FnOnce() -> Result<(), NativeError> + Send + 'static) -> AsyncTask<BlockingTask> {
    AsyncTask::new(BlockingTask { work: Some(Box::new(work)), failure: None })
}

impl Task for BlockingTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        let work = self.work.take().ok_or_else(|| napi::Error::from_reason("task ran twice"))?;
        work().map_err(|e| {
            let message = e.to_string();
            self.failure = Some(e);
            napi::Error::new(napi::Status::GenericFailure, message)
        })
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<()> {
        match self.failure.take() {
            Some(e) => Err(js_error::rejection(&env, &e).unwrap_or(err)),
            None => Err(err),
        }
    }
}
