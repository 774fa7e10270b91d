import ArgumentParser

/// Names a mistyped subcommand and suggests the one meant (`crmvault bakcup` → "did you mean `backup`?"), instead of
/// ArgumentParser's "Unexpected argument".
enum CommandSuggestion {
    /// The message for the first word of `arguments` that should name a subcommand and names none; nil when all do.
    static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command: any ParsableCommand.Type = root
        var path = [name(of: root) ?? "crmvault"]
        for word in arguments {
            let subcommands = subcommands(of: command)
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { name(of: $0) == word }) else {
                let names = subcommands.compactMap { name(of: $0) }
                let best = names.min { distance(word, $0) < distance(word, $1) }
                let suggestion = best.flatMap { distance(word, $0) <= max(2, word.count / 3) || $0.hasPrefix(word) ? $0 : nil }
                let shown = path.joined(separator: " ")
                return "Unknown command \"\(word)\" for `\(shown)`"
                    + (suggestion.map { "; did you mean `\(shown) \($0)`?" } ?? ".")
                    + "\nCommands: \(names.joined(separator: ", ")). See `\(shown) --help`."
            }
            command = next
            path.append(word)
        }
        return nil
    }

    /// The name a command is called by: its configured name, else the one ArgumentParser derives from its type.
    private static func name(of command: any ParsableCommand.Type) -> String? {
        command._commandName
    }

    private static func subcommands(of command: any ParsableCommand.Type) -> [any ParsableCommand.Type] {
        let configuration = command.configuration
        return configuration.subcommands
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
