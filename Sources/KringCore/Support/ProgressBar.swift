import Foundation

/// Progress lines for long command-line work (imports, the generator, rollups):
/// `  questions [########------------] 412/1000 41 %`.
public enum ProgressBar {
    public static func line(_ label: String, _ done: Int, of total: Int, width: Int = 20) -> String {
        let filled = total <= 0 ? width : min(width, max(0, done) * width / total)
        let percent = total <= 0 ? 100 : min(100, max(0, done) * 100 / total)
        return "  \(label.padding(toLength: 9, withPad: " ", startingAt: 0)) [\(String(repeating: "#", count: filled))"
            + "\(String(repeating: "-", count: width - filled))] \(done)/\(total) \(percent) %"
    }
}
