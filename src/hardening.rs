//! Process hardening at start: no core dumps (they would write the unlocked
//! vault's memory to disk) and, on Linux, no ptrace attach by other processes
//! of the same user (`PR_SET_DUMPABLE` 0 also makes `/proc/PID/mem` readable
//! only by root).

/// Turns core dumps off and, on Linux, makes the process non-dumpable. A
/// failure is logged, never fatal: the app still works, only less hardened.
pub fn harden_process() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let no_core = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, no_core) {
            log::warn!("could not turn core dumps off: {e}");
        }
        if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
            log::warn!("could not refuse ptrace (PR_SET_DUMPABLE): {e}");
        }
    }
    // TODO: the equivalents elsewhere (SetProcessMitigationPolicy on Windows,
    // PT_DENY_ATTACH on macOS) are not set.
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};

    #[test]
    fn no_core_dumps_and_no_ptrace_after_hardening() {
        super::harden_process();
        assert_eq!(
            dumpable_behavior().ok(),
            Some(DumpableBehavior::NotDumpable)
        );
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }
}
