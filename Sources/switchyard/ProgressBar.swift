import Foundation

/// A one-line progress bar on standard error, redrawn in place: shown only when standard error
/// is a terminal, so piped and redirected runs stay quiet.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private var done = 0
    private var drawnPercent = -1

    init(_ label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled
    }

    /// Counts `count` more done and redraws when the percentage changed.
    func advance(by count: Int = 1) {
        done += count
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != drawnPercent else { return }
        drawnPercent = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% (\(done)/\(total))".utf8))
    }

    /// A line saying what is going on, for steps without a count (training).
    static func status(_ text: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// Ends the bar's line.
    func finish() {
        guard enabled, drawnPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
