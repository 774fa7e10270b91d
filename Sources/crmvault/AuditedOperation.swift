import ArgumentParser
import Foundation
import VaultCore

/// What a command tells the audit log about itself while it runs.
struct AuditContext {
    var vault: Vault?
    var keys: VaultKeys?
    var outcome = "ok"
}

/// `--audit-verbose`, for every command that records itself in the audit log.
struct AuditOptions: ParsableArguments {
    @Flag(help: "Record paths outside the vault in the audit log as given (by default they are recorded as <path>).")
    var auditVerbose = false
}

/// Runs a command body, prints a `VaultError` as a sentence and its remedy with its exit code, and records the
/// operation in the vault's audit log (or the local one for keyless operations and read-only media). Paths outside the
/// vault are recorded as `<path>` unless `recordsPaths` (`--audit-verbose`).
func audited(_ operation: String, vaultPath: String?, recordsPaths: Bool = false, _ body: (inout AuditContext) throws -> Void) throws {
    var context = AuditContext()
    do {
        try body(&context)
    } catch {
        throw recordAudit(operation, vaultPath: vaultPath, recordsPaths: recordsPaths, context, failure: error)!
    }
    _ = recordAudit(operation, vaultPath: vaultPath, recordsPaths: recordsPaths, context, failure: nil)
}

/// `audited` for commands that await (pull).
func audited(_ operation: String, vaultPath: String?, recordsPaths: Bool = false,
             _ body: (inout AuditContext) async throws -> Void) async throws {
    var context = AuditContext()
    do {
        try await body(&context)
    } catch {
        throw recordAudit(operation, vaultPath: vaultPath, recordsPaths: recordsPaths, context, failure: error)!
    }
    _ = recordAudit(operation, vaultPath: vaultPath, recordsPaths: recordsPaths, context, failure: nil)
}

/// Records how an operation ended; for a failure, reports it and returns the error to throw (an exit code for a
/// `VaultError`).
private func recordAudit(_ operation: String, vaultPath: String?, recordsPaths: Bool, _ context: AuditContext, failure: (any Error)?) -> (any Error)? {
    func record(_ outcome: String) {
        let resolved = vaultPath.map { (try? VaultOptions.resolve($0))?.path ?? $0 }
        let event = AuditEvent(operation: operation, arguments: Array(CommandLine.arguments.dropFirst()), outcome: outcome,
            vaultPath: context.vault?.location ?? resolved, recordsPaths: recordsPaths)
        let destination: AuditDestination
        if let vault = context.vault {
            destination = vault.recordAudit(event, keys: context.keys)
        } else {
            destination = LocalAuditLog.record(event, vaultPath: vaultPath ?? "-")
        }
        if case .local(let path, let reason) = destination, context.keys != nil {
            printWarning("recorded in the local audit log \(path): \(reason)")
        }
    }
    switch failure {
    case nil:
        record(context.outcome)
        return nil
    case let error as VaultError:
        report(error)
        record("failed (\(error.code.rawValue)): \(error.message)")
        return ExitCode(error)
    case let exit as ExitCode:
        record(exit == .success ? context.outcome : "exit \(exit.rawValue): \(context.outcome)")
        return exit
    case let error?:
        record("failed: \(error)")
        return error
    }
}
