import Crypto
public import Foundation
import SwitchyardCore

extension LinearTextClassifier {
    /// Version of the binary format written by ``serialized()``; part of every fingerprint.
    public static let formatVersion: UInt16 = 2
    private static let magic: [UInt8] = Array("SYLM".utf8)
    private static let checksumLength = SHA256.byteCount

    /// Why bytes could not be read as a model.
    public struct SerializationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What was wrong, for example `bad checksum`.
        public var reason: String
        /// Byte offset where reading stopped, when known.
        public var offset: Int?

        public var description: String {
            let place = offset.map { " at byte \($0)" } ?? ""
            return "not a usable Switchyard local model\(place): \(reason); retrain the model (switchyard train)"
        }
    }

    /// The model as compact versioned bytes: little-endian, its features (the buckets seen in
    /// training), followed by a SHA-256 checksum. Deterministic for a given model.
    ///
    /// Layout: `"SYLM"`, format version (UInt16), hash bits (UInt8), label count (UInt32),
    /// each label as length (UInt32) and UTF-8, one bias per label (Float32), the logit scale
    /// (Float32, one over the calibrated temperature), feature count
    /// (UInt32), then per feature its bucket (UInt32), idf (Float32) and one weight per label
    /// (Float32), and finally SHA-256 of all preceding bytes. Version 1 (before 2026-12)
    /// tokenised words of two or more characters only.
    public func serialized() -> Data {
        var writer = ByteWriter()
        writer.bytes.append(contentsOf: Self.magic)
        writer.append(Self.formatVersion)
        writer.append(UInt8(vectorizer.hashBits))
        writer.append(UInt32(labels.count))
        for label in labels {
            let utf8 = Array(label.rawValue.utf8)
            writer.append(UInt32(utf8.count))
            writer.bytes.append(contentsOf: utf8)
        }
        for bias in biases { writer.append(bias.bitPattern) }
        writer.append(logitScale.bitPattern)
        writer.append(UInt32(vectorizer.featureCount))
        for (feature, bucket) in vectorizer.buckets.enumerated() {
            writer.append(bucket)
            writer.append(vectorizer.idf[feature].bitPattern)
            for weight in weights[(feature * labels.count)..<((feature + 1) * labels.count)] {
                writer.append(weight.bitPattern)
            }
        }
        writer.bytes.append(contentsOf: SHA256.hash(data: writer.bytes))
        return Data(writer.bytes)
    }

    /// Reads a model written by ``serialized()``.
    ///
    /// - Throws: ``SerializationError`` for bytes that are not a model, were truncated or
    ///   altered, or were written in another format version.
    public init(serialized data: Data) throws(SerializationError) {
        let bytes = [UInt8](data)
        guard bytes.count >= Self.magic.count + 2 + Self.checksumLength, bytes.starts(with: Self.magic) else {
            throw SerializationError(reason: "missing the \"SYLM\" header")
        }
        let body = bytes[..<(bytes.count - Self.checksumLength)]
        guard SHA256.hash(data: body).elementsEqual(bytes[(bytes.count - Self.checksumLength)...]) else {
            throw SerializationError(reason: "checksum mismatch: the data was truncated or altered")
        }
        var reader = ByteReader(bytes: body, offset: Self.magic.count)
        let version: UInt16 = try reader.read()
        guard version == Self.formatVersion else {
            throw SerializationError(
                reason: "format version \(version), this build reads version \(Self.formatVersion)",
                offset: Self.magic.count
            )
        }
        let hashBits = Int(try reader.read() as UInt8)
        guard (10...24).contains(hashBits) else {
            throw SerializationError(reason: "hash bits \(hashBits) outside 10…24", offset: reader.offset - 1)
        }
        let labelCount = Int(try reader.read() as UInt32)
        var labels: [DepartmentID] = []
        for _ in 0..<labelCount {
            let length = Int(try reader.read() as UInt32)
            let start = reader.offset
            guard let label = String(validating: try reader.read(count: length), as: UTF8.self), !label.isEmpty else {
                throw SerializationError(reason: "a label is empty or not UTF-8", offset: start)
            }
            labels.append(DepartmentID(label))
        }
        guard labels == Array(Set(labels)).sorted() else {
            throw SerializationError(reason: "labels are not unique and sorted")
        }
        var biases: [Float] = []
        for _ in 0..<labelCount { biases.append(Float(bitPattern: try reader.read())) }
        let scaleOffset = reader.offset
        let logitScale = Float(bitPattern: try reader.read())
        guard logitScale.isFinite, logitScale > 0 else {
            throw SerializationError(reason: "the logit scale \(logitScale) is not a positive number", offset: scaleOffset)
        }

        let bucketCount = 1 << hashBits
        let featureCount = Int(try reader.read() as UInt32)
        // Each feature takes 8 + 4 × labels bytes: a count the data cannot hold is refused
        // before anything that large is allocated.
        guard featureCount <= bucketCount, featureCount * (8 + 4 * labelCount) <= body.endIndex - reader.offset else {
            throw SerializationError(reason: "\(featureCount) features do not fit in the data", offset: reader.offset - 4)
        }
        var buckets: [UInt32] = []
        var idf: [Float] = []
        var weights: [Float] = []
        buckets.reserveCapacity(featureCount)
        idf.reserveCapacity(featureCount)
        weights.reserveCapacity(featureCount * labelCount)
        for _ in 0..<featureCount {
            let start = reader.offset
            let bucket: UInt32 = try reader.read()
            guard buckets.last.map({ bucket > $0 }) ?? true, Int(bucket) < bucketCount else {
                throw SerializationError(reason: "bucket \(bucket) out of order or range", offset: start)
            }
            buckets.append(bucket)
            idf.append(Float(bitPattern: try reader.read()))
            for _ in 0..<labelCount {
                weights.append(Float(bitPattern: try reader.read()))
            }
        }
        guard reader.offset == body.endIndex else {
            throw SerializationError(reason: "\(body.endIndex - reader.offset) unexpected bytes after the weights", offset: reader.offset)
        }
        guard idf.allSatisfy({ $0.isFinite && $0 > 0 }), weights.allSatisfy(\.isFinite), biases.allSatisfy(\.isFinite) else {
            throw SerializationError(reason: "a weight is not a finite number")
        }
        self.init(
            labels: labels,
            vectorizer: TextVectorizer(hashBits: hashBits, buckets: buckets, idf: idf),
            weights: weights,
            biases: biases,
            logitScale: logitScale
        )
    }

    /// SHA-256 (hex) of the training examples, the options and the format version: equal
    /// fingerprints mean ``train(_:options:)`` would build the same model, so a stored one
    /// can be reused.
    public static func fingerprint(of examples: [LabeledText], options: TrainingOptions = .init()) -> String {
        var hash = SHA256()
        var writer = ByteWriter()
        writer.bytes.append(contentsOf: Self.magic)
        writer.append(formatVersion)
        writer.append(UInt64(options.hashBits))
        writer.append(UInt64(options.maximumIterations))
        writer.append(options.regularization.bitPattern)
        writer.append(options.tolerance.bitPattern)
        writer.append(UInt64(options.historySize))
        writer.append(options.calibrationShare.bitPattern)
        writer.append(UInt64(examples.count))
        hash.update(data: writer.bytes)
        for example in examples {
            writer.bytes.removeAll(keepingCapacity: true)
            for field in [example.label.rawValue, example.text] {
                let utf8 = Array(field.utf8)
                writer.append(UInt64(utf8.count))
                writer.bytes.append(contentsOf: utf8)
            }
            hash.update(data: writer.bytes)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Appends little-endian integers.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads little-endian integers, throwing at the end of the data.
private struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    mutating func read<Integer: FixedWidthInteger>() throws(LinearTextClassifier.SerializationError) -> Integer {
        let size = MemoryLayout<Integer>.size
        var value = Integer.zero
        for (shift, byte) in try read(count: size).enumerated() {
            value |= Integer(byte) << (shift * 8)
        }
        return value
    }

    mutating func read(count: Int) throws(LinearTextClassifier.SerializationError) -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - offset else {
            throw LinearTextClassifier.SerializationError(reason: "the data ends early", offset: offset)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}
