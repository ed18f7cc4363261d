//! The control protocol of STATE/shim.sock. Each connection sends one request as a JSON line and
//! gets one JSON line back. `attach` and `exec` then turn the connection into a byte stream:
//! shim → client frames of Docker's stdcopy shape (8-byte header: stream, 0, 0, 0, big-endian
//! u32 length; stream 1 = stdout, 2 = stderr, 3 = exit status JSON, last frame of an exec),
//! client → shim raw stdin bytes (end of input closes the process's stdin when asked for).

use serde::{Deserialize, Serialize};

use crate::spec::Process;

/// Frame stream ids.
pub const STDOUT: u8 = 1;
/// Standard error.
pub const STDERR: u8 = 2;
/// The exit record of an exec, sent last.
pub const EXIT: u8 = 3;

/// One request.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Request {
    /// → {pid, status, exit}.
    State,
    /// Lets the created container exec its process → {}.
    Start,
    /// Sends a signal to the container's init → {}.
    Kill { signal: i32 },
    /// Answers once the container has exited → {exit}.
    Wait,
    /// → {tty}, then the output stream; `stdinOnce`: the client's end of input closes stdin.
    Attach {
        #[serde(default, rename = "stdinOnce")]
        stdin_once: bool,
    },
    /// Resizes the container's pty, or an exec's when `exec` names its pid → {}.
    Resize {
        rows: u16,
        cols: u16,
        #[serde(default)]
        exec: Option<i32>,
    },
    /// Runs another process in the container → {pid, tty}, then its stream, ending in an EXIT frame.
    Exec { process: Box<Process> },
    /// Ends the shim once the container has exited → {}.
    Shutdown,
}

/// The header of one frame.
pub fn frame_header(stream: u8, len: usize) -> [u8; 8] {
    let n = (len as u32).to_be_bytes();
    [stream, 0, 0, 0, n[0], n[1], n[2], n[3]]
}

/// One whole frame.
pub fn frame(stream: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = frame_header(stream, payload.len()).to_vec();
    out.extend_from_slice(payload);
    out
}

/// A success line with extra fields.
pub fn ok(fields: serde_json::Value) -> Vec<u8> {
    let mut v = match fields {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    v.insert("ok".into(), true.into());
    line(serde_json::Value::Object(v))
}

/// A failure line; `kind` is one of berth's errdefs kinds (NotFound, Conflict, InvalidParameter, System).
pub fn err(kind: &str, message: &str) -> Vec<u8> {
    line(serde_json::json!({"ok": false, "kind": kind, "error": message}))
}

/// A failure line carrying the helper's errno, step and path beside the message (see error::Failure).
pub fn failed(kind: &str, f: &crate::error::Failure) -> Vec<u8> {
    let mut v = serde_json::json!({"ok": false, "kind": kind, "error": f.message, "step": f.step});
    if let Some(n) = f.errno {
        v["errno"] = n.into();
    }
    if let Some(p) = &f.path {
        v["path"] = p.as_str().into();
    }
    line(v)
}

fn line(v: serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec(&v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Parses a request line.
pub fn parse(line: &[u8]) -> Result<Request, String> {
    serde_json::from_slice(line).map_err(|e| format!("bad request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_by_op() {
        assert_eq!(parse(br#"{"op":"state"}"#).unwrap(), Request::State);
        assert_eq!(parse(br#"{"op":"kill","signal":15}"#).unwrap(), Request::Kill { signal: 15 });
        assert_eq!(parse(br#"{"op":"attach"}"#).unwrap(), Request::Attach { stdin_once: false });
        assert_eq!(parse(br#"{"op":"resize","rows":24,"cols":80}"#).unwrap(), Request::Resize { rows: 24, cols: 80, exec: None });
        let Request::Exec { process } = parse(br#"{"op":"exec","process":{"args":["ps"]}}"#).unwrap() else { panic!() };
        assert_eq!(process.args, vec!["ps"]);
        assert!(parse(br#"{"op":"fly"}"#).unwrap_err().starts_with("bad request"));
    }

    #[test]
    fn frames_have_docker_stdcopy_headers() {
        assert_eq!(frame(STDERR, b"hi"), vec![2, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']);
        assert_eq!(frame_header(STDOUT, 0x01020304), [1, 0, 0, 0, 1, 2, 3, 4]);
    }

    #[test]
    fn responses_are_json_lines() {
        assert_eq!(ok(serde_json::json!({"pid": 3})), b"{\"ok\":true,\"pid\":3}\n".to_vec());
        let e = String::from_utf8(err("Conflict", "container x is not running")).unwrap();
        assert_eq!(e, "{\"error\":\"container x is not running\",\"kind\":\"Conflict\",\"ok\":false}\n");
    }

    #[test]
    fn failures_carry_errno_step_and_path() {
        let f = crate::error::Error::errno("exec \"x\"", libc::EACCES).at_exec("x").failure();
        let e = String::from_utf8(failed("System", &f)).unwrap();
        assert_eq!(e, "{\"errno\":13,\"error\":\"exec \\\"x\\\": Permission denied\",\"kind\":\"System\",\"ok\":false,\"path\":\"x\",\"step\":\"exec\"}\n");
    }
}
