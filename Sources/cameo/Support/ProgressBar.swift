import Foundation
import CameoMedia

/// A one-line progress bar on stderr, redrawn in place; only used on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let lock = NSLock()
    private var lastDrawn = -1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        update(0)
    }

    func update(_ done: Int) {
        lock.withLock {
            let width = 30
            let filled = total == 0 ? width : done * width / total
            guard filled != lastDrawn || done == total else { return }
            lastDrawn = filled
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            Output.redrawLine("\(label) \(bar) \(done)/\(total)")
        }
    }

    func finish() {
        Output.clearLine()
    }
}

/// "analysing clip.mp4: reading 12.5/60 s" on stderr while a clip is analysed,
/// redrawn in place at most ten times a second; nothing when stderr is not a terminal.
final class AnalysisLine: @unchecked Sendable {
    private let name: String
    private var lastDrawn = 0.0
    private var drawn = false

    /// nil when stderr is not a terminal.
    static func start(for name: String) -> AnalysisLine? {
        Output.stderrIsTerminal ? AnalysisLine(name: name) : nil
    }

    private init(name: String) {
        // The file's name only, without control characters: the line must stay one line.
        let last = name.split(separator: "/").last.map(String.init) ?? name
        self.name = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).suffix(40))
    }

    func update(_ progress: AnalysisProgress) {
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDrawn >= 0.1 else { return }
        lastDrawn = now
        drawn = true
        let done = String(format: "%.1f", progress.done), total = String(format: "%.1f", progress.total)
        Output.redrawLine("analysing \(name): \(progress.phase) \(done)/\(total) s")
    }

    func finish() {
        if drawn { Output.clearLine() }
    }
}
