internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// What a process that holds keys does to keep them in it: no core dump, no ptrace attach and no reading of its
/// memory through /proc by other processes of the same user (`prctl(PR_SET_DUMPABLE, 0)`). Keys themselves live in
/// ``SecretBytes``, excluded from dumps page by page; this covers every copy a crash could still spill.
public enum ProcessHardening {
    /// Makes this process non-dumpable. Keyed commands call it before they read a passphrase or a key; it cannot be
    /// undone for the life of the process (on purpose), and is harmless where unsupported.
    public static func protectSecrets() {
        _ = crmvault_set_not_dumpable()
    }

    /// False once ``protectSecrets()`` has run (on Linux).
    public static var isDumpable: Bool { crmvault_is_dumpable() != 0 }
}
