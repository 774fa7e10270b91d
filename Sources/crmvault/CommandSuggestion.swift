import ArgumentParser

/// Names a mistyped subcommand and suggests the one meant (`crmvault bakcup` → "did you mean `backup`?"), instead of
/// ArgumentParser's "Unexpected argument".
enum CommandSuggestion {
    /// The message for the first word of `arguments` that should name a subcommand and names none; nil when all do.
    static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root.configuration.commandName ?? "crmvault"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            let names = subcommands.compactMap(\.configuration.commandName) + ["help"]
            guard let next = subcommands.first(where: { $0.configuration.commandName == word }) else {
                if word == "help" { return nil }
                let best = names.filter { $0 != "help" }.min { distance(word, $0) < distance(word, $1) }
                let suggestion = best.flatMap { distance(word, $0) <= max(2, word.count / 3) || $0.hasPrefix(word) ? $0 : nil }
                return "Unknown command \"\(word)\" for `\(path.joined(separator: " "))`"
                    + (suggestion.map { "; did you mean `\(path.joined(separator: " ")) \($0)`?" } ?? ".")
                    + "\nCommands: \(names.filter { $0 != "help" }.joined(separator: ", ")). See `\(path.joined(separator: " ")) --help`."
            }
            command = next
            path.append(word)
        }
        return nil
    }

    /// Levenshtein distance, with a swap of two neighbours counted as one edit (`bakcup` is one edit from `backup`).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
