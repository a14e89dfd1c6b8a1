import Foundation

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
