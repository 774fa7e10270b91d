/// How far a long operation (backup, restore, verify) has come, for a progress line on a terminal.
///
/// Reported often (after every file or pack, and within large ones); the receiver decides how often to show it.
public struct OperationProgress: Sendable {
    /// What is being done now: `backup`, `restore`, `verify`, `deep verify`.
    public var phase: String
    public var bytesDone: Int64 = 0
    /// Nil when the total is not known in advance.
    public var bytesTotal: Int64?
    public var itemsDone = 0
    public var itemsTotal: Int?
    /// What is counted in `items`: `files` or `packs`.
    public var unit: String

    public init(phase: String, bytesTotal: Int64?, itemsTotal: Int?, unit: String) {
        self.phase = phase
        self.bytesTotal = bytesTotal
        self.itemsTotal = itemsTotal
        self.unit = unit
    }
}

/// Receives progress; called on the thread doing the work, so it must return quickly.
public typealias ProgressHandler = @Sendable (OperationProgress) -> Void
