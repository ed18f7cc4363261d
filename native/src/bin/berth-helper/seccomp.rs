//! The container's seccomp profile (the OCI `linux.seccomp` object, as Docker writes it),
//! compiled with seccompiler. seccompiler filters have two actions each (on match, on mismatch),
//! so a profile becomes a stack of filters, which the kernel combines by taking the most
//! restrictive answer: first the default filter (every syscall named by any rule → allow, the rest
//! → the default action), then one filter per other action (its syscalls → that action, the rest →
//! allow). A syscall name this architecture lacks is skipped, as libseccomp does. The filters
//! know the native ABI only: a process of another (x86 or x32 on x86_64, arm32 on aarch64) is
//! killed by seccompiler's architecture check, where Docker's profile also admits those ABIs.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};

/// `linux.seccomp`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub default_action: String,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub syscalls: Vec<Rule>,
}

/// One rule: these syscalls (with these argument conditions) get this action.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub names: Vec<String>,
    pub action: String,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Vec<Arg>,
}

/// An argument condition (`SCMP_CMP_*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Arg {
    pub index: u8,
    pub value: u64,
    #[serde(default)]
    pub value_two: u64,
    pub op: String,
}

/// An OCI action as seccompiler JSON.
pub fn action(name: &str, errno_ret: Option<u32>) -> Result<Value> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => json!("allow"),
        "SCMP_ACT_ERRNO" => json!({ "errno": errno_ret.unwrap_or(libc::EPERM as u32) }),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => json!("kill_thread"),
        "SCMP_ACT_KILL_PROCESS" => json!("kill_process"),
        "SCMP_ACT_TRAP" => json!("trap"),
        "SCMP_ACT_LOG" => json!("log"),
        "SCMP_ACT_TRACE" => json!({ "trace": errno_ret.unwrap_or(0) }),
        _ => return Err(Error::msg(format!("seccomp action {name}"), "not supported")),
    })
}

fn condition(a: &Arg) -> Result<Value> {
    let (op, val) = match a.op.as_str() {
        "SCMP_CMP_EQ" => (json!("eq"), a.value),
        "SCMP_CMP_NE" => (json!("ne"), a.value),
        "SCMP_CMP_LT" => (json!("lt"), a.value),
        "SCMP_CMP_LE" => (json!("le"), a.value),
        "SCMP_CMP_GT" => (json!("gt"), a.value),
        "SCMP_CMP_GE" => (json!("ge"), a.value),
        // libseccomp: (arg & value) == valueTwo.
        "SCMP_CMP_MASKED_EQ" => (json!({ "masked_eq": a.value }), a.value_two),
        other => return Err(Error::msg(format!("seccomp operator {other}"), "not supported")),
    };
    Ok(json!({ "index": a.index, "type": "qword", "op": op, "val": val }))
}

/// Syscall name → None (always) or the condition sets any of which matches.
type Matches = BTreeMap<String, Option<Vec<Vec<Value>>>>;

fn add(m: &mut Matches, name: &str, conds: Vec<Value>) {
    let entry = m.entry(name.to_string()).or_insert_with(|| Some(Vec::new()));
    match (entry.as_mut(), conds.is_empty()) {
        (Some(_), true) => *entry = None,
        (Some(sets), false) => sets.push(conds),
        (None, _) => {}
    }
}

fn rules(m: &Matches, known: &dyn Fn(&str) -> bool) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, sets) in m.iter().filter(|(n, _)| known(n)) {
        match sets {
            None => out.push(json!({ "syscall": name })),
            Some(sets) => out.extend(sets.iter().map(|c| json!({ "syscall": name, "args": c }))),
        }
    }
    out
}

/// The filters, in install order, in seccompiler's JSON form.
pub fn plan(p: &Profile, known: &dyn Fn(&str) -> bool) -> Result<Vec<Value>> {
    let default = action(&p.default_action, p.default_errno_ret)?;
    let allow = json!("allow");
    let mut all = Matches::new();
    let mut by_action: BTreeMap<String, (Value, Matches)> = BTreeMap::new();
    for r in &p.syscalls {
        let act = action(&r.action, r.errno_ret)?;
        let conds = r.args.iter().map(condition).collect::<Result<Vec<_>>>()?;
        let group = &mut by_action.entry(act.to_string()).or_insert_with(|| (act.clone(), Matches::new())).1;
        for n in &r.names {
            add(&mut all, n, conds.clone());
            add(group, n, conds.clone());
        }
    }
    let mut filters = Vec::new();
    if default != allow {
        filters.push(json!({ "mismatch_action": default, "match_action": allow, "filter": rules(&all, known) }));
    }
    for (act, m) in by_action.values().filter(|(a, _)| *a != allow) {
        filters.push(json!({ "mismatch_action": allow, "match_action": act, "filter": rules(m, known) }));
    }
    Ok(filters)
}

fn arch() -> Result<seccompiler::TargetArch> {
    std::env::consts::ARCH.try_into().map_err(|_| Error::msg("seccomp", format!("architecture {} not supported", std::env::consts::ARCH)))
}

fn compile_one(filter: &Value, arch: seccompiler::TargetArch) -> Result<seccompiler::BpfProgram> {
    let text = json!({ "f": filter }).to_string();
    let mut map = seccompiler::compile_from_json(text.as_bytes(), arch).map_err(|e| Error::msg("compile seccomp profile", e.to_string()))?;
    map.remove("f").ok_or_else(|| Error::msg("compile seccomp profile", "no filter"))
}

/// Whether this architecture has a syscall of that name (seccompiler's table is the reference).
fn known_on(arch: seccompiler::TargetArch) -> impl Fn(&str) -> bool {
    move |name: &str| {
        let probe = json!({ "mismatch_action": "allow", "match_action": "trap", "filter": [{ "syscall": name }] });
        compile_one(&probe, arch).is_ok()
    }
}

/// Compiles a profile to BPF programs, in install order.
pub fn compile(p: &Profile) -> Result<Vec<seccompiler::BpfProgram>> {
    let arch = arch()?;
    plan(p, &known_on(arch))?.iter().map(|f| compile_one(f, arch)).collect()
}

/// The spec's profile, if it has one.
pub fn profile(spec: &crate::spec::Spec) -> Result<Option<Profile>> {
    match &spec.linux.seccomp {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| Error::msg("parse linux.seccomp", e.to_string())),
    }
}

/// A compiled profile and when to install it.
pub struct Prepared {
    programs: Vec<seccompiler::BpfProgram>,
    /// Installing a filter takes no_new_privs or CAP_SYS_ADMIN: without no_new_privs it must go in
    /// before the capabilities are dropped (as runc does), so the profile then also covers the
    /// rest of the setup (Docker's profile allows those syscalls).
    early: bool,
}

/// Compiles the spec's profile, if any, for a process with or without no_new_privs.
pub fn prepare(spec: &crate::spec::Spec, no_new_privs: bool) -> Result<Option<Prepared>> {
    let Some(p) = profile(spec)? else { return Ok(None) };
    Ok(Some(Prepared { programs: compile(&p)?, early: !no_new_privs }))
}

impl Prepared {
    /// Installs the filters if this is their moment (`early`: before the identity is applied).
    pub fn install_if(&self, early: bool) -> Result<()> {
        if self.early != early {
            return Ok(());
        }
        self.programs.iter().try_for_each(load)
    }
}

#[repr(C)]
struct SockFprog {
    len: libc::c_ushort,
    filter: *const seccompiler::sock_filter,
}

// seccomp(2) directly: seccompiler::apply_filter also sets no_new_privs, which must stay off
// unless the spec asks for it (setuid programs in the container depend on that).
fn load(p: &seccompiler::BpfProgram) -> Result<()> {
    let prog = SockFprog { len: p.len() as libc::c_ushort, filter: p.as_ptr() };
    // SAFETY: the kernel copies the program; `prog` and `p` outlive the call.
    let rc = unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &prog as *const SockFprog) };
    crate::error::check(rc as libc::c_int, || "install seccomp filter".into()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(v: Value) -> Profile {
        serde_json::from_value(v).unwrap()
    }

    fn all_known(_: &str) -> bool {
        true
    }

    #[test]
    fn an_allowlist_is_one_filter_with_the_default_on_mismatch() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}));
        let f = plan(&p, &all_known).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["mismatch_action"], json!({"errno": 1}));
        assert_eq!(f[0]["match_action"], json!("allow"));
        assert_eq!(f[0]["filter"], json!([{"syscall": "read"}, {"syscall": "write"}]));
    }

    #[test]
    fn other_actions_stack_a_filter_each() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}));
        let f = plan(&p, &all_known).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0]["filter"], json!([{"syscall": "clone3"}, {"syscall": "read"}]), "every ruled syscall passes the default filter");
        assert_eq!(f[1]["match_action"], json!({"errno": 38}));
        assert_eq!(f[1]["mismatch_action"], json!("allow"));
        assert_eq!(f[1]["filter"], json!([{"syscall": "clone3"}]));
    }

    #[test]
    fn a_denylist_needs_no_default_filter() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}));
        let f = plan(&p, &all_known).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["match_action"], json!({"errno": 1}));
    }

    #[test]
    fn conditions_and_an_unconditional_rule_for_one_syscall() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
            {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 511, "valueTwo": 511, "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["personality"], "action": "SCMP_ACT_ERRNO"}]}));
        let f = plan(&p, &all_known).unwrap();
        let rules = f[0]["filter"].as_array().unwrap();
        assert_eq!(rules[0], json!({"syscall": "chmod", "args": [{"index": 1, "type": "qword", "op": {"masked_eq": 511}, "val": 511}]}));
        assert_eq!(rules[1], json!({"syscall": "personality"}), "the unconditional rule wins");
    }

    #[test]
    fn unknown_names_are_skipped_and_bad_actions_refused() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW"}]}));
        let known = |n: &str| n != "arm_fadvise64_64";
        assert_eq!(plan(&p, &known).unwrap()[0]["filter"], json!([{"syscall": "read"}]));
        let bad = profile(json!({"defaultAction": "SCMP_ACT_NOTIFY"}));
        assert_eq!(plan(&bad, &all_known).unwrap_err().to_string(), "seccomp action SCMP_ACT_NOTIFY: not supported");
    }

    #[test]
    fn profiles_compile_to_bpf_for_this_machine() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "write", "exit_group", "no_such_syscall"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}));
        let progs = compile(&p).unwrap();
        assert_eq!(progs.len(), 2);
        assert!(progs.iter().all(|p| !p.is_empty()));
    }
}

#[cfg(test)]
#[path = "seccomp_tests.rs"]
mod bpf_tests;
