import Foundation
import SwitchyardStore

/// A value as SQLite stores it: one of its five storage classes.
enum DatabaseValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The storage class name, for error messages.
    var storageClass: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}

/// A Swift value that can be bound to a statement parameter and read back from a column.
///
/// Timestamps are stored as Unix milliseconds (`INTEGER`) everywhere, so `Date` conforms
/// here once instead of each query converting by hand.
protocol DatabaseValueConvertible: Sendable {
    var databaseValue: DatabaseValue { get }
    /// `nil` when the stored value cannot represent `Self` (wrong storage class, out of range).
    init?(databaseValue: DatabaseValue)
}

extension DatabaseValue: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { self }
    init?(databaseValue: DatabaseValue) { self = databaseValue }
}

extension String: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .text(self) }
    init?(databaseValue: DatabaseValue) {
        guard case .text(let text) = databaseValue else { return nil }
        self = text
    }
}

extension Int64: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .integer(self) }
    init?(databaseValue: DatabaseValue) {
        guard case .integer(let integer) = databaseValue else { return nil }
        self = integer
    }
}

extension Int: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .integer(Int64(self)) }
    init?(databaseValue: DatabaseValue) {
        guard case .integer(let integer) = databaseValue, let value = Int(exactly: integer) else { return nil }
        self = value
    }
}

extension Double: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .real(self) }
    init?(databaseValue: DatabaseValue) {
        switch databaseValue {
        case .real(let real): self = real
        case .integer(let integer): self = Double(integer)
        default: return nil
        }
    }
}

extension Data: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { .blob(self) }
    init?(databaseValue: DatabaseValue) {
        guard case .blob(let data) = databaseValue else { return nil }
        self = data
    }
}

extension Date: DatabaseValueConvertible {
    /// Unix milliseconds: sub-millisecond precision is not kept.
    var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    var databaseValue: DatabaseValue { .integer(unixMilliseconds) }
    init?(databaseValue: DatabaseValue) {
        guard case .integer(let milliseconds) = databaseValue else { return nil }
        self.init(unixMilliseconds: milliseconds)
    }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    var databaseValue: DatabaseValue {
        switch self {
        case .some(let wrapped): wrapped.databaseValue
        case .none: .null
        }
    }
    init?(databaseValue: DatabaseValue) {
        if case .null = databaseValue {
            self = .none
        } else if let wrapped = Wrapped(databaseValue: databaseValue) {
            self = .some(wrapped)
        } else {
            return nil
        }
    }
}
