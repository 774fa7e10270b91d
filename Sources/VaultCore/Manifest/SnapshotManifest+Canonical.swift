/// A manifest's canonical JSON (docs/FORMAT.md §2, §8) written straight from its fields.
///
/// `CanonicalJSON.encode` goes through `JSONEncoder` and a parsed tree of the whole document before it writes the
/// bytes: for a manifest of 70,000 small files (an export's attachments) those trees held ~150 MiB at the end of the
/// backup, twice what the files' entries themselves take. This writer produces the same bytes (each object's keys in
/// byte order, an optional left out when nil, strings escaped as §2 says) with nothing but the output buffer;
/// `ManifestCanonicalTests` holds it to `CanonicalJSON.encode`.
extension SnapshotManifest {
    func canonicalBytes() -> [UInt8] {
        var output = CanonicalWriter()
        output.object { object in
            object.member("bytesIn") { $0.integer(bytesIn) }
            object.member("files") { writer in writer.array(files) { $0.entry($1) } }
            object.member("label") { $0.string(label) }
            object.member("packs") { writer in writer.array(packs) { $0.string($1) } }
            if let resolve { object.member("resolve") { writer in writer.array(resolve) { $0.string($1) } } }
            object.member("sealed") { $0.string(sealed) }
            object.member("source") { writer in
                writer.object { source in
                    source.member("kind") { $0.string(self.source.kind) }
                    source.member("name") { $0.string(self.source.name) }
                    if let origin = self.source.origin { source.member("origin") { $0.string(origin) } }
                }
            }
            object.member("time") { $0.string(time) }
            object.member("vault") { $0.string(vault) }
            object.member("version") { $0.integer(version) }
        }
        return output.bytes
    }
}

/// Appends canonical JSON to a byte buffer; callers give each object's members in byte order of their keys.
private struct CanonicalWriter {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func string(_ value: String) { JSONValue.writeString(value, to: &bytes) }

    mutating func array<Element>(_ elements: [Element], _ write: (inout CanonicalWriter, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func object(_ members: (inout Members) -> Void) {
        var object = Members(writer: self)
        bytes = []  // the buffer moves into `object` and back: no copy of what is already written
        object.writer.bytes.append(UInt8(ascii: "{"))
        members(&object)
        object.writer.bytes.append(UInt8(ascii: "}"))
        self = object.writer
    }

    struct Members {
        var writer: CanonicalWriter
        private var isFirst = true

        init(writer: CanonicalWriter) { self.writer = writer }

        mutating func member(_ key: StaticString, _ value: (inout CanonicalWriter) -> Void) {
            if !isFirst { writer.bytes.append(UInt8(ascii: ",")) }
            isFirst = false
            writer.bytes.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
            writer.bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
            value(&writer)
        }
    }

    mutating func entry(_ entry: SnapshotManifest.Entry) {
        object { object in
            if let content = entry.content {
                object.member("content") { writer in
                    writer.object { members in
                        if let chunks = content.chunks {
                            members.member("chunks") { writer in writer.array(chunks) { $0.string($1) } }
                        }
                        if let count = content.count { members.member("count") { $0.integer(count) } }
                        if let list = content.list {
                            members.member("list") { writer in writer.array(list) { $0.string($1) } }
                        }
                    }
                }
            }
            if let digest = entry.digest { object.member("digest") { $0.string(digest) } }
            object.member("mode") { $0.integer(entry.mode) }
            object.member("mtime") { $0.integer(entry.mtime) }
            object.member("mtimeNanoseconds") { $0.integer(entry.mtimeNanoseconds) }
            if let packs = entry.packs { object.member("packs") { writer in writer.array(packs) { $0.integer($1) } } }
            object.member("path") { $0.string(entry.path) }
            if let size = entry.size { object.member("size") { $0.integer(size) } }
            if let target = entry.target { object.member("target") { $0.string(target) } }
            object.member("type") { $0.string(entry.type) }
        }
    }
}
