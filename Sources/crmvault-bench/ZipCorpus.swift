import Foundation

/// The corpus's months as a vendor sends them: one zip per month of the same CSVs, deflated by Info-ZIP's `zip` at its
/// default level 6 (Salesforce's and Dataverse's exports are deflated zips), each in a directory of its own under the
/// same name, so restic and borg see one file changing at one path.
enum ZipCorpus {
    static func make(
        _ corpus: (directories: [String], sizes: [Int]), work: String
    ) throws -> (directories: [String], sizes: [Int]) {
        var zips: [String] = []
        for directory in corpus.directories {
            let month = URL(fileURLWithPath: directory).lastPathComponent
            let folder = work + "/zips/" + month
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let zip = folder + "/export.zip"
            try? FileManager.default.removeItem(atPath: zip)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            _ = try ChildProcess.check(["zip", "-q", "-X", "-6", zip] + names, directory: directory)
            zips.append(zip)
        }
        let zipBytes = zips.map(diskUsageOfFile).reduce(0, +)
        print("zips: \(megabytes(zipBytes)) MB of zips for \(megabytes(corpus.sizes.reduce(0, +))) MB of CSV")
        return (zips, corpus.sizes)
    }

    static func diskUsageOfFile(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Where a tool that backs up "." runs, and what it names: a directory itself, or a file's folder and its name.
    static func place(_ path: String) -> (directory: String, argument: String) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { return (path, ".") }
        let url = URL(fileURLWithPath: path)
        return (url.deletingLastPathComponent().path, url.lastPathComponent)
    }
}
