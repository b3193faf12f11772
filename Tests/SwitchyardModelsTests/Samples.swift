import Foundation
import SwitchyardModels

/// The labelled BANKING77 tickets in `Samples/` (CC BY 4.0).
enum Samples {
    /// The package root: two levels up from this file's folder.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ name: String) -> URL {
        root.appendingPathComponent("Samples").appendingPathComponent(name)
    }

    /// Every `stride`-th row of a sample file, so debug-build tests stay fast.
    static func load(_ name: String, every stride: Int, offset: Int = 0) throws -> [LabeledText] {
        try TrainingSet.loadCSV(url(name)).enumerated()
            .filter { $0.offset % stride == offset }
            .map(\.element)
    }
}
