import Foundation

/// What a run of the demo did, with its figures: the pulls, the vault, where the simulated vendor listened.
public struct DemoSummary: Sendable {
    /// One monthly pull.
    public struct Pull: Sendable {
        public var label: String
        public var snapshot: String
        public var objects: Int
        public var records: Int
        public var bytesIn: Int
        public var bytesStored: Int
        public var seconds: Double
    }

    /// The demo folder.
    public var root: URL
    public var vaultID = ""
    /// The port the simulated vendor listened on (the demo schedule's `instance_url` names it).
    public var vendorPort: Int
    /// The simulated org's scale.
    public var scale: Int
    public var pulls: [Pull] = []
    /// The whole demo's wall-clock time.
    public var seconds = 0.0

    public var records: Int { pulls.reduce(0) { $0 + $1.records } }
    public var bytesIn: Int { pulls.reduce(0) { $0 + $1.bytesIn } }
    public var bytesStored: Int { pulls.reduce(0) { $0 + $1.bytesStored } }

    /// The figures in one sentence.
    public var totals: String {
        let percent = 100 * Double(bytesStored) / Double(max(bytesIn, 1))
        return "\(pulls.count) monthly exports, \(records) records, \(megabytes(bytesIn)) MB in, "
            + "\(megabytes(bytesStored)) MB stored (\(String(format: "%.0f", percent)) %), "
            + "\(String(format: "%.1f", seconds)) s in all"
    }
}
