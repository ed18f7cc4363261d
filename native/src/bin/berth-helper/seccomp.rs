//! The container's seccomp profile (the OCI `linux.seccomp` object, as Docker writes it),
//! compiled with seccompiler's backend, syscall names made numbers by our own table (syscalls.rs,
//! built once per process; seccompiler's JSON frontend rebuilt its table on every compile).
//! seccompiler filters have two actions each (on match, on mismatch), so a profile becomes a stack
//! of filters, which the kernel combines by taking the most restrictive answer: first the default
//! filter (every syscall named by any rule → allow, the rest → the default action), then one filter
//! per other action (its syscalls → that action, the rest → allow). A syscall name this
//! architecture lacks is skipped, as libseccomp does. The filters know the native ABI only: a
//! process of another (x86 or x32 on x86_64, arm32 on aarch64) is killed by seccompiler's
//! architecture check, where Docker's profile also admits those ABIs. Only x86_64 and aarch64
//! have a table; elsewhere compiling a profile fails.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule, TargetArch,
};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[path = "syscalls.rs"]
mod syscalls;

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

/// An OCI action as a seccompiler action.
pub fn action(name: &str, errno_ret: Option<u32>) -> Result<SeccompAction> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => SeccompAction::Allow,
        "SCMP_ACT_ERRNO" => SeccompAction::Errno(errno_ret.unwrap_or(libc::EPERM as u32)),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => SeccompAction::KillThread,
        "SCMP_ACT_KILL_PROCESS" => SeccompAction::KillProcess,
        "SCMP_ACT_TRAP" => SeccompAction::Trap,
        "SCMP_ACT_LOG" => SeccompAction::Log,
        "SCMP_ACT_TRACE" => SeccompAction::Trace(errno_ret.unwrap_or(0)),
        _ => return Err(Error::msg(format!("seccomp action {name}"), "not supported")),
    })
}

fn condition(a: &Arg) -> Result<SeccompCondition> {
    let (op, value) = match a.op.as_str() {
        "SCMP_CMP_EQ" => (SeccompCmpOp::Eq, a.value),
        "SCMP_CMP_NE" => (SeccompCmpOp::Ne, a.value),
        "SCMP_CMP_LT" => (SeccompCmpOp::Lt, a.value),
        "SCMP_CMP_LE" => (SeccompCmpOp::Le, a.value),
        "SCMP_CMP_GT" => (SeccompCmpOp::Gt, a.value),
        "SCMP_CMP_GE" => (SeccompCmpOp::Ge, a.value),
        // libseccomp: (arg & value) == valueTwo.
        "SCMP_CMP_MASKED_EQ" => (SeccompCmpOp::MaskedEq(a.value), a.value_two),
        other => return Err(Error::msg(format!("seccomp operator {other}"), "not supported")),
    };
    SeccompCondition::new(a.index, SeccompCmpArgLen::Qword, op, value).map_err(compile_error)
}

/// Syscall number → None (always) or the condition sets any of which matches.
pub type Matches = BTreeMap<i64, Option<Vec<Vec<SeccompCondition>>>>;

fn add(m: &mut Matches, nr: i64, conds: &[SeccompCondition]) {
    let entry = m.entry(nr).or_insert_with(|| Some(Vec::new()));
    match (entry.as_mut(), conds.is_empty()) {
        (Some(_), true) => *entry = None,
        (Some(sets), false) => sets.push(conds.to_vec()),
        (None, _) => {}
    }
}

/// One filter of the stack: the syscalls it matches get `on_match`, the rest `on_mismatch`.
#[derive(Debug)]
pub struct Filter {
    pub on_mismatch: SeccompAction,
    pub on_match: SeccompAction,
    pub matches: Matches,
}

/// The filters, in install order. `number` resolves a syscall name on the target architecture;
/// a name it does not know is skipped.
pub fn plan(p: &Profile, number: &dyn Fn(&str) -> Option<i64>) -> Result<Vec<Filter>> {
    let default = action(&p.default_action, p.default_errno_ret)?;
    let mut all = Matches::new();
    // Ordered by the action's return value: where filters of one kind (ERRNO, TRACE) both match,
    // the kernel takes the one installed last, so the larger errno wins, whatever the rule order.
    let mut by_action: BTreeMap<u32, Filter> = BTreeMap::new();
    for r in &p.syscalls {
        let act = action(&r.action, r.errno_ret)?;
        let conds = r.args.iter().map(condition).collect::<Result<Vec<_>>>()?;
        let group = by_action.entry(u32::from(act.clone())).or_insert_with(|| Filter {
            on_mismatch: SeccompAction::Allow,
            on_match: act,
            matches: Matches::new(),
        });
        for nr in r.names.iter().filter_map(|n| number(n)) {
            add(&mut all, nr, &conds);
            add(&mut group.matches, nr, &conds);
        }
    }
    let mut filters = Vec::new();
    if default != SeccompAction::Allow {
        filters.push(Filter { on_mismatch: default, on_match: SeccompAction::Allow, matches: all });
    }
    filters.extend(by_action.into_values().filter(|f| f.on_match != SeccompAction::Allow));
    Ok(filters)
}

fn compile_error(e: seccompiler::BackendError) -> Error {
    Error::msg("compile seccomp profile", e.to_string())
}

/// The architectures syscalls.rs has a table for.
fn arch() -> Result<TargetArch> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(TargetArch::x86_64),
        "aarch64" => Ok(TargetArch::aarch64),
        other => Err(Error::msg("seccomp", format!("architecture {other} not supported"))),
    }
}

/// One filter as BPF. An empty rule chain is seccompiler's "matches whatever the arguments".
fn build(f: Filter, arch: TargetArch) -> Result<BpfProgram> {
    let mut rules = BTreeMap::new();
    for (nr, sets) in f.matches {
        let chain = sets.unwrap_or_default().into_iter().map(SeccompRule::new).collect::<std::result::Result<_, _>>();
        rules.insert(nr, chain.map_err(compile_error)?);
    }
    let filter = SeccompFilter::new(rules, f.on_mismatch, f.on_match, arch).map_err(compile_error)?;
    BpfProgram::try_from(filter).map_err(compile_error)
}

/// Compiles a profile to BPF programs, in install order.
pub fn compile(p: &Profile) -> Result<Vec<BpfProgram>> {
    let arch = arch()?;
    plan(p, &syscalls::number)?.into_iter().map(|f| build(f, arch)).collect()
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
    programs: Vec<BpfProgram>,
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
fn load(p: &BpfProgram) -> Result<()> {
    let prog = SockFprog { len: p.len() as libc::c_ushort, filter: p.as_ptr() };
    // SAFETY: the kernel copies the program; `prog` and `p` outlive the call.
    let rc = unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &prog as *const SockFprog) };
    crate::error::check(rc as libc::c_int, || "install seccomp filter".into()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use SeccompAction::{Allow, Errno};

    fn profile(v: Value) -> Profile {
        serde_json::from_value(v).unwrap()
    }

    fn plan_here(p: &Profile) -> Vec<Filter> {
        plan(p, &syscalls::number).unwrap()
    }

    fn unconditional(nrs: &[libc::c_long]) -> Matches {
        nrs.iter().map(|&nr| (nr, None)).collect()
    }

    #[test]
    fn an_allowlist_is_one_filter_with_the_default_on_mismatch() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}));
        let f = plan_here(&p);
        assert_eq!(f.len(), 1);
        assert_eq!((&f[0].on_mismatch, &f[0].on_match), (&Errno(1), &Allow));
        assert_eq!(f[0].matches, unconditional(&[libc::SYS_read, libc::SYS_write]));
    }

    #[test]
    fn other_actions_stack_a_filter_each() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}));
        let f = plan_here(&p);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].matches, unconditional(&[libc::SYS_read, libc::SYS_clone3]), "every ruled syscall passes the default filter");
        assert_eq!((&f[1].on_mismatch, &f[1].on_match), (&Allow, &Errno(38)));
        assert_eq!(f[1].matches, unconditional(&[libc::SYS_clone3]));
    }

    #[test]
    fn a_denylist_needs_no_default_filter() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}));
        let f = plan_here(&p);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].on_match, Errno(1));
    }

    #[test]
    fn conditions_and_an_unconditional_rule_for_one_syscall() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
            {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 511, "valueTwo": 448, "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["personality"], "action": "SCMP_ACT_ERRNO"}]}));
        let m = &plan_here(&p)[0].matches;
        let masked = SeccompCondition::new(2, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(511), 448).unwrap();
        assert_eq!(m[&libc::SYS_fchmodat], Some(vec![vec![masked]]), "(arg & value) == valueTwo");
        assert_eq!(m[&libc::SYS_personality], None, "the unconditional rule wins");
    }

    #[test]
    fn unknown_names_are_skipped_and_bad_actions_refused() {
        let p = profile(json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW"}]}));
        assert_eq!(plan_here(&p)[0].matches, unconditional(&[libc::SYS_read]));
        let bad = profile(json!({"defaultAction": "SCMP_ACT_NOTIFY"}));
        assert_eq!(plan(&bad, &syscalls::number).unwrap_err().to_string(), "seccomp action SCMP_ACT_NOTIFY: not supported");
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
