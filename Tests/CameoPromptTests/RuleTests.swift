import CameoPrompt
import Testing

/// Every rule's own examples: the triggering ones trigger it (where `↓` marks),
/// the others do not. This is what keeps `cameo lint --rules` honest.
@Suite struct RuleExampleTests {
    static let rules = PromptLinter.descriptions

    @Test(arguments: rules.map(\.identifier))
    func examplesBehaveAsDocumented(_ identifier: String) throws {
        let rule = try #require(Self.rules.first { $0.identifier == identifier })
        #expect(!rule.triggeringExamples.isEmpty && !rule.nonTriggeringExamples.isEmpty)
        #expect(!rule.explanation.isEmpty && !rule.summary.isEmpty)
        for example in rule.triggeringExamples {
            let text = example.text
            let found = PromptLinter.lint(text, index: RuleExamples.index).diagnostics.filter { $0.rule == identifier }
            #expect(!found.isEmpty, "\(identifier) did not trigger on: \(text)", sourceLocation: example.sourceLocation)
            for marker in example.markers {
                #expect(found.contains { $0.span?.scalars.lowerBound == marker }, "\(identifier) on \(text): at \(found.map(\.span?.scalars))",
                        sourceLocation: example.sourceLocation)
            }
            #expect(found.allSatisfy { $0.severity == rule.severity }, sourceLocation: example.sourceLocation)
        }
        for example in rule.nonTriggeringExamples {
            let found = PromptLinter.lint(example.text, index: RuleExamples.index).diagnostics.filter { $0.rule == identifier }
            #expect(found.isEmpty, "\(identifier) triggered on: \(example.text)", sourceLocation: example.sourceLocation)
        }
    }

    @Test func identifiersAreUnique() {
        #expect(Set(Self.rules.map(\.identifier)).count == Self.rules.count)
    }

    @Test func theLimitOnCharactersIsConfigurable() {
        let text = "@duck @cookie @小鸭子"
        #expect(PromptLinter.lint(text, index: RuleExamples.index, options: .init(maximumCharacters: 2)).diagnostics.contains { $0.rule == "too-many-characters" })
        #expect(!PromptLinter.lint(text, index: RuleExamples.index, options: .init(maximumCharacters: 3)).diagnostics.contains { $0.rule == "too-many-characters" })
    }

    @Test func unknownCharactersSuggestTheClosestAlias() throws {
        let found = PromptLinter.lint("和@cokie跳舞 @小鴨子在", index: RuleExamples.index).diagnostics.filter { $0.rule == "unknown-character" }
        #expect(found.map(\.note) == ["did you mean \"cookie\"?", "did you mean \"小鸭子\"?"])
    }

    @Test func creatingACharacterSilencesItsUnresolvedError() {
        let options = PromptOptions(creating: ["newbie"])
        #expect(!PromptLinter.lint("@newbie plays", index: RuleExamples.index, options: options).hasErrors)
        #expect(PromptLinter.lint("@newbie plays", index: RuleExamples.index).hasErrors)
    }

    @Test func spansCountUTF16AndScalars() throws {
        // "🦆" is two UTF-16 units and one scalar; "é" written e + U+0301 is two scalars.
        let text = "🦆e\u{301} @cokie"
        let diagnostic = try #require(PromptLinter.lint(text, index: RuleExamples.index).diagnostics.first)
        let span = try #require(diagnostic.span)
        #expect(span.utf16 == 5..<11)
        #expect(span.scalars == 4..<10)
        #expect(span.line == 1 && span.column == 4)
    }
}

@Suite struct CaretTests {
    func carets(_ text: String) throws -> (String, String) {
        let diagnostic = try #require(PromptLinter.lint(text, index: RuleExamples.index).diagnostics.first { $0.severity == .error })
        let lines = DiagnosticRenderer.render(diagnostic, in: text).split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines[3]), String(lines[4]))
    }

    @Test(arguments: [
        ("@duckling在舞台上", "1 | @duckling在舞台上", "  | ^^^^^^^^^"),
        ("在舞台上@duckling", "1 | 在舞台上@duckling", "  |         ^^^^^^^^^"),
        ("小鸭子和@cokie跳舞", "1 | 小鸭子和@cokie跳舞", "  |         ^^^^^^"),
        ("🦆🦆@nobody", "1 | 🦆🦆@nobody", "  |     ^^^^^^^"),
        ("👩‍👩‍👧 @nobody", "1 | 👩‍👩‍👧 @nobody", "  |    ^^^^^^^"),
        ("ｆｕｌｌ @nobody", "1 | ｆｕｌｌ @nobody", "  |          ^^^^^^^"),
        ("e\u{301}e\u{301} @nobody", "1 | e\u{301}e\u{301} @nobody", "  |    ^^^^^^^"),
        ("\ttab @nobody", "1 | \ttab @nobody", "  | \t    ^^^^^^^"),
        ("bell\u{7} @nobody", "1 | bell\\u{7} @nobody", "  |           ^^^^^^^"),
        ("\u{1B}[2J\u{202E} @nobody", "1 | \\u{1b}[2J\\u{202e} @nobody", "  | " + String(repeating: " ", count: 18) + "^^^^^^^"),
        ("鸭\u{9B}鸭 @nobody", "1 | 鸭\\u{9b}鸭 @nobody", "  | " + String(repeating: " ", count: 11) + "^^^^^^^"),
        ("@{小鸭子跳舞", "1 | @{小鸭子跳舞", "  | ^^^^^^^^^^^^"),
    ])
    func caretsLineUp(_ text: String, _ line: String, _ caret: String) throws {
        let (shown, under) = try carets(text)
        #expect(shown == line)
        #expect(under.hasPrefix(caret), "\(under)")
        #expect(!under.dropFirst(caret.count).hasPrefix("^"))
    }

    /// A long line shows a window around the span, cut with `…`, carets still under it.
    @Test func aLongLineShowsAWindowAroundTheSpan() throws {
        let text = String(repeating: "鸭", count: 500) + " @nobody " + String(repeating: "x", count: 500)
        let (shown, under) = try carets(text)
        let context = DiagnosticRenderer.context
        #expect(shown == "1 | …" + String(repeating: "鸭", count: context - 1) + " @nobody " + String(repeating: "x", count: context - 1) + "…")
        let caret = "  | " + String(repeating: " ", count: 2 * (context - 1) + 2) + "^^^^^^^"
        #expect(under.hasPrefix(caret), "\(under)")
        #expect(!under.dropFirst(caret.count).hasPrefix("^"))
    }

    @Test func theRightLineOfAMultiLinePrompt() throws {
        let text = "第一行\n第二行 @nobody 跳舞\n第三行"
        let diagnostic = try #require(PromptLinter.lint(text, index: RuleExamples.index).diagnostics.first)
        let rendered = DiagnosticRenderer.render(diagnostic, in: text).split(separator: "\n").map(String.init)
        #expect(rendered[1] == " --> prompt:2:5")
        #expect(rendered[3] == "2 | 第二行 @nobody 跳舞")
        #expect(rendered[4].hasPrefix("  |        ^^^^^^^ "))
    }
}
