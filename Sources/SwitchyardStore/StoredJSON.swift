import Foundation
import SwitchyardCore

/// Reading the JSON both engines store in text columns (tags, custom fields, headers,
/// provenance), behind `StoredRow`. Each call throws a reason; the row names the table and column.
enum StoredJSON {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// A JSON array of strings (ticket and decision tags).
    ///
    /// Read with the strict JSON parser rather than `JSONDecoder`: every claimed ticket has its
    /// tags and custom fields read, and the decoder's generic machinery dominated claims.
    static func strings(_ bytes: [UInt8]) throws(Invalid) -> [String] {
        guard case .array(let elements) = try parse(bytes) else { throw Invalid(description: "expected a JSON array of strings") }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let string) = element else { throw Invalid(description: "expected a JSON array of strings") }
            strings.append(string)
        }
        return strings
    }

    /// A JSON object of strings (custom fields, headers).
    static func stringObject(_ bytes: [UInt8]) throws(Invalid) -> [String: String] {
        guard case .object(let members) = try parse(bytes) else { throw Invalid(description: "expected a JSON object of strings") }
        var object: [String: String] = [:]
        object.reserveCapacity(members.count)
        for (key, value) in members {
            guard case .string(let string) = value else { throw Invalid(description: "expected a JSON object of strings") }
            object[key] = string
        }
        return object
    }

    /// A decision's provenance, as `Provenance.storedJSON` writes it.
    static func provenance(_ bytes: [UInt8]) throws(Invalid) -> Provenance {
        do {
            return try decoder.decode(Provenance.self, from: Data(bytes))
        } catch {
            throw Invalid(description: "invalid JSON for Provenance: \(error)")
        }
    }

    /// Shared: decoding with one decoder from several threads is safe.
    private static let decoder = JSONDecoder()

    private static func parse(_ bytes: [UInt8]) throws(Invalid) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw Invalid(description: "invalid JSON: \(error)")
        }
    }
}
