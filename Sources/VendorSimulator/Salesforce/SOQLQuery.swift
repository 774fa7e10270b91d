import Foundation

/// The part of SOQL a Bulk API 2.0 export uses: `SELECT field, … FROM object [LIMIT n]`. Anything else is
/// refused with the error Salesforce gives (for clauses Bulk API 2.0 forbids) or a plain statement that the
/// simulator does not evaluate it (WHERE, ORDER BY, relationship fields).
struct SOQLQuery {
    /// A selected field and the 1-based column where it starts, for error messages.
    struct Field {
        let name: String
        let column: Int
    }

    let fields: [Field]
    let object: String
    let objectColumn: Int
    let limit: Int?
    let text: String

    /// Parses `text`; a refusal carries Salesforce's 400 answer.
    static func parse(_ text: String) throws -> SOQLQuery {
        let tokens = tokenize(text)
        var index = 0
        func keyword(_ token: Token?, _ word: String) -> Bool {
            token?.text.caseInsensitiveCompare(word) == .orderedSame
        }
        guard keyword(tokens.first, "SELECT") else {
            throw malformed(text, "unexpected token: '\(tokens.first?.text ?? "")'")
        }
        index = 1
        var fields: [Field] = []
        while index < tokens.count {
            let token = tokens[index]
            if index + 1 < tokens.count, tokens[index + 1].text == "(" || token.text == "(" {
                throw refusal("API_ERROR", "Aggregate functions and nested queries are not supported by Bulk API 2.0.")
            }
            if keyword(token, "TYPEOF") { throw refusal("API_ERROR", "TYPEOF is not supported by Bulk API 2.0.") }
            guard token.isIdentifier else {
                throw malformed(text, "unexpected token: '\(token.text)'", column: token.column)
            }
            fields.append(Field(name: token.text, column: token.column))
            index += 1
            guard index < tokens.count else { break }
            if tokens[index].text == "," {
                index += 1
                continue
            }
            break
        }
        guard !fields.isEmpty, index < tokens.count, keyword(tokens[index], "FROM") else {
            throw malformed(text, "unexpected token: '\(index < tokens.count ? tokens[index].text : "")'")
        }
        index += 1
        guard index < tokens.count, tokens[index].isIdentifier else { throw malformed(text, "unexpected end of query") }
        let object = tokens[index]
        index += 1
        var limit: Int?
        if index < tokens.count {
            let clause = tokens[index]
            if keyword(clause, "LIMIT"), index + 1 < tokens.count, let value = Int(tokens[index + 1].text), value >= 0 {
                limit = value
                index += 2
            } else if keyword(clause, "GROUP") || keyword(clause, "OFFSET") {
                throw refusal("API_ERROR", "\(clause.text.uppercased()) is not supported by Bulk API 2.0.")
            } else {
                throw refusal(
                    "API_ERROR",
                    "The simulated vendor evaluates only SELECT fields FROM object [LIMIT n]; it does not evaluate "
                        + "\(clause.text.uppercased()).")
            }
        }
        guard index == tokens.count else { throw malformed(text, "unexpected token: '\(tokens[index].text)'") }
        return SOQLQuery(fields: fields, object: object.text, objectColumn: object.column, limit: limit, text: text)
    }

    /// Salesforce's `INVALID_FIELD` answer for a field the object does not have, with its caret message.
    func invalidField(_ field: Field, object: String) -> VendorRefusal {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        let caret = String(repeating: " ", count: max(0, field.column - 1)) + "^"
        return SOQLQuery.refusal(
            "INVALID_FIELD",
            "\n\(line)\n\(caret)\nERROR at Row:1:Column:\(field.column)\nNo such column '\(field.name)' on entity "
                + "'\(object)'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                + "custom field name. Please reference your WSDL or the describe call for the appropriate names.")
    }

    static func refusal(_ code: String, _ message: String) -> VendorRefusal {
        VendorRefusal(VendorReply.salesforceError(400, code, message))
    }

    private static func malformed(_ text: String, _ problem: String, column: Int = 1) -> VendorRefusal {
        refusal("MALFORMED_QUERY", "\n\(text)\nERROR at Row:1:Column:\(column)\n\(problem)")
    }

    private struct Token {
        let text: String
        let column: Int
        var isIdentifier: Bool {
            text.first.map { $0.isLetter || $0 == "_" } == true
                && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        }
    }

    private static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var start = 1
        for (offset, character) in text.enumerated() {
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                if current.isEmpty { start = offset + 1 }
                current.append(character)
                continue
            }
            if !current.isEmpty {
                tokens.append(Token(text: current, column: start))
                current = ""
            }
            if !character.isWhitespace { tokens.append(Token(text: String(character), column: offset + 1)) }
        }
        if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
        return tokens
    }
}
