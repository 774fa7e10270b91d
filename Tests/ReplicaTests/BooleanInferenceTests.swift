import ExportLayout
import Testing

@testable import Replica

/// A column is boolean when every value is one of a known pair of spellings, the pair its first value chose.
struct BooleanInferenceTests {
    static func format(_ values: [String], type: ExportFieldType? = nil) -> ColumnFormat {
        var inference = ColumnInference()
        for (line, value) in values.enumerated() {
            var value = value
            value.withUTF8 { inference.add($0, line: line + 2) }
        }
        return inference.format(for: type)
    }

    @Test(arguments: [("true", "false"), ("TRUE", "FALSE"), ("True", "False")])
    func everySpellingPairIsBoolean(yes: String, no: String) {
        #expect(Self.format([yes, no, no, yes]) == .boolean(true: yes, false: no))
        #expect(Self.format([no]) == .boolean(true: yes, false: no))
    }

    @Test func onesAndZerosAreIntegersUnlessTheMetadataSaysBoolean() {
        #expect(Self.format(["1", "0", "1"]) == .integer)
        #expect(Self.format(["1", "0", "1"], type: .boolean) == .boolean(true: "1", false: "0"))
    }

    /// Mixed pairs, prefixes, longer words and other spellings keep the column text.
    @Test(arguments: [
        ["true", "FALSE"], ["True", "false"], ["tru"], ["truee"], ["true", "fals"], ["yes", "no"], ["false", "0"],
        ["TRUE", "TRUE ", "FALSE"],
    ])
    func otherSpellingsAreText(values: [String]) {
        #expect(Self.format(values) == .text)
        #expect(Self.format(values, type: .boolean) == .text)
    }
}
