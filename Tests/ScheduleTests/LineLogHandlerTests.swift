import Logging
import Schedule
import Testing

/// One line per event: `level event key=value ...`, escaped, secrets redacted.
struct LineLogHandlerTests {
    static func logged(_ body: (Logger) -> Void) -> [String] {
        let sink = LineSink.memory()
        var logger = Logger(label: "test") { _ in LineLogHandler(sink: sink) }
        logger[metadataKey: "schedule"] = "acme"
        body(logger)
        return sink.lines
    }

    @Test func anEventIsOneLineWithSortedKeys() {
        let lines = Self.logged {
            $0.info("run.started", metadata: ["vault": "/media/offsite-a/crm", "trigger": "catch-up"])
        }
        #expect(lines == ["info run.started schedule=acme trigger=catch-up vault=/media/offsite-a/crm"])
    }

    @Test func valuesWithSpacesAreQuotedAndControlCharactersEscaped() {
        let lines = Self.logged {
            $0.error("run.failed", metadata: ["error": "Job \"7\" failed:\nline two \u{1b}[2J", "empty": ""])
        }
        #expect(lines == [#"error run.failed empty="" error="Job \"7\" failed:\nline two \e[2J" schedule=acme"#])
        #expect(lines[0].contains("\n") == false)
    }

    @Test func secretLookingKeysAreRedacted() {
        let lines = Self.logged {
            $0.warning(
                "vendor.retry",
                metadata: ["access_token": "00Dxx!AQ", "clientSecret": "s3cr3t", "Authorization": "Bearer x"])
        }
        #expect(
            lines == [
                "warning vendor.retry Authorization=<redacted> access_token=<redacted> clientSecret=<redacted> schedule=acme"
            ])
    }

    @Test func levelsBelowTheHandlersAreDropped() {
        let lines = Self.logged { $0.debug("schedule.tick") }
        #expect(lines.isEmpty)
    }
}
