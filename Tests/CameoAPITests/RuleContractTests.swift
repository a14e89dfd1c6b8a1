import CameoAPI
import CameoPrompt
import CameoTestSupport
import CameoText
import Foundation
import Testing

/// What every rule, prompt or request, promises: its fixes work, a rule that
/// offers a fix shows it, and the linters run every rule there is.
@Suite struct RuleContractTests {
    static let promptRules = PromptLinter.descriptions
    static let requestRules = RequestLinter.descriptions

    /// Applying a prompt rule's fixes turns each `before` into its `after`, which the rule no longer flags.
    @Test(arguments: promptRules.filter { !$0.corrections.isEmpty }.map(\.identifier))
    func promptFixesMakeTheTextClean(_ identifier: String) throws {
        let rule = try #require(Self.promptRules.first { $0.identifier == identifier })
        for (before, after) in rule.corrections {
            let found = PromptLinter.lint(before.text, index: RuleExamples.index).diagnostics.filter { $0.rule == identifier }
            #expect(!found.isEmpty && found.allSatisfy { $0.replacement != nil }, "\(identifier) on \(before.text)", sourceLocation: before.sourceLocation)
            let fixed = Diagnostic.applying(found, to: before.text)
            #expect(fixed == after.text, sourceLocation: before.sourceLocation)
            let again = PromptLinter.lint(fixed, index: RuleExamples.index).diagnostics.filter { $0.rule == identifier }
            #expect(again.isEmpty, "\(identifier) still flags \(fixed): \(again.map(\.message))", sourceLocation: after.sourceLocation)
        }
    }

    /// Applying a request rule's fixes (each a field's new JSON value) turns each `before` into its `after`.
    @Test(arguments: requestRules.filter { !$0.corrections.isEmpty }.map(\.identifier))
    func requestFixesMakeTheBodyClean(_ identifier: String) throws {
        let rule = try #require(Self.requestRules.first { $0.identifier == identifier })
        for (before, after) in rule.corrections {
            var body = try #require(RequestBody(json: Data(before.text.utf8)), sourceLocation: before.sourceLocation)
            let found = RequestLinter.lint(body, index: RuleExamples.index).request.filter { $0.rule == identifier }
            #expect(!found.isEmpty && found.allSatisfy { $0.replacement != nil }, "\(identifier) on \(before.text)", sourceLocation: before.sourceLocation)
            for finding in found {
                let field = try #require(finding.field), replacement = try #require(finding.replacement)
                body.fields[field] = try JSONDecoder().decode(JSONValue.self, from: Data(replacement.utf8))
            }
            let expected = try #require(RequestBody(json: Data(after.text.utf8)), sourceLocation: after.sourceLocation)
            #expect(body.fields == expected.fields, sourceLocation: before.sourceLocation)
            let again = RequestLinter.lint(body, index: RuleExamples.index).request.filter { $0.rule == identifier }
            #expect(again.isEmpty, "\(identifier) still flags the fixed body: \(again.map(\.message))", sourceLocation: after.sourceLocation)
        }
    }

    /// A rule whose findings carry a fix documents it with corrections.
    @Test func everyRuleThatFixesShowsItsFixes() throws {
        for rule in Self.promptRules {
            let fixes = rule.triggeringExamples.contains { example in
                PromptLinter.lint(example.text, index: RuleExamples.index).diagnostics.contains { $0.rule == rule.identifier && $0.replacement != nil }
            }
            #expect(!fixes || !rule.corrections.isEmpty, "\(rule.identifier) offers fixes but has no corrections")
        }
        for rule in Self.requestRules {
            let fixes = try rule.triggeringExamples.contains { example in
                let body = try #require(RequestBody(json: Data(example.text.utf8)))
                return RequestLinter.lint(body, index: RuleExamples.index).request.contains { $0.rule == rule.identifier && $0.replacement != nil }
            }
            #expect(!fixes || !rule.corrections.isEmpty, "\(rule.identifier) offers fixes but has no corrections")
        }
    }

    /// Every type that conforms to `PromptRule`, `RequestRule` or `CharacterRule` in Sources/
    /// is in its linter's list: a rule written but not listed never runs.
    @Test func everyRuleTypeIsInItsLintersList() throws {
        let declared = try Self.ruleTypesDeclared()
        let listed = Set(PromptLinter.rules.map { String(describing: type(of: $0)) } + RequestLinter.rules.map { String(describing: type(of: $0)) }
                         + CharacterLinter.rules.map { String(describing: type(of: $0)) })
        #expect(declared.count >= 20, "found only \(declared.sorted())")
        #expect(declared == listed, "declared but not listed: \(declared.subtracting(listed).sorted()); listed but not found: \(listed.subtracting(declared).sorted())")
        let identifiers = (Self.promptRules + Self.requestRules + CharacterLinter.descriptions).map(\.identifier)
        #expect(Set(identifiers).count == identifiers.count)
    }

    /// Names of the types declared in Sources/ as conforming to a rule protocol.
    static func ruleTypesDeclared() throws -> Set<String> {
        let sources = Repository.root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"(?:struct|enum|final class|class)\s+(\w+)\s*:[^{]*\b(?:PromptRule|RequestRule|CharacterRule)\b"#)
        var names = Set<String>()
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
            }
        }
        return names
    }

    /// A marker in a request example names the field (or array entry) it stands before.
    @Test func theMarkedFieldsOfAnExampleAreFound() {
        #expect(Example(#"{"prompt":"a",↓"duration":10}"#).markedFields == ["duration"])
        #expect(Example(#"{"images":["https://a.example/x,y.png", ↓"/home/x.png"]}"#).markedFields == ["images[1]"])
    }
}
