/// Reader: the standalone crmvault kept on a vault's medium for the worst case (README, "Operator").
///
/// - **Reader directory** (`crmvault-reader/`, beside the vault directory, never inside it): the reader binary, its
///   SHA-256 in `sha256sum` format, the format document and the one-page restore procedure (``ReaderBundle``).
/// - **Standalone binary**: one that needs nothing a bare Debian or Ubuntu lacks, checked from its ELF dynamic section
///   (``ELFDependencies``); `scripts/build-static.sh` builds it.
/// - **Restore guide** (`RESTORE.txt`, ``RestoreGuide``).
public enum Reader {}
