/// The identifier of a department, as written in the configuration (`cards`, `billing`).
public struct DepartmentID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, Comparable
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// Whether this is an id a configuration may give a department: lower-case letters,
    /// digits, `_`, `.` and `-`, starting with a letter or digit.
    public var isValid: Bool {
        !rawValue.isEmpty && rawValue.utf8.first.map(Self.startsID) == true && rawValue.utf8.allSatisfy(Self.continuesID)
    }

    /// The id a free-form training label stands for: trimmed, lower-cased, every run of other
    /// characters made one `_`, without `_` at either end. `Refund_not_showing_up` →
    /// `refund_not_showing_up`, `reverted_card_payment?` → `reverted_card_payment`,
    /// `Lost or stolen card` → `lost_or_stolen_card`.
    public static func normalized(_ label: String) -> DepartmentID {
        var result: [UInt8] = []
        for byte in label.lowercased().utf8 {
            if continuesID(byte) {
                result.append(byte)
            } else if result.last != UInt8(ascii: "_") {
                result.append(UInt8(ascii: "_"))
            }
        }
        while let first = result.first, !startsID(first) { result.removeFirst() }
        while result.last == UInt8(ascii: "_") { result.removeLast() }
        return DepartmentID(String(decoding: result, as: UTF8.self))
    }

    private static func startsID(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func continuesID(_ byte: UInt8) -> Bool {
        startsID(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    public static func < (lhs: DepartmentID, rhs: DepartmentID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A team that tickets are routed to.
public struct Department: Sendable, Hashable, Codable {
    public var id: DepartmentID
    /// Name shown to people.
    public var name: String
    /// What the department handles. Fed to the LLM prompt, so write it for a reader
    /// who has never seen your company.
    public var description: String
    /// Labels of the local model's training data that stand for this department, besides its
    /// id (BANKING77's intents `card_arrival` and `card_linking` for `cards`). Empty: only the
    /// id, and labels that ``DepartmentID/normalized(_:)`` turns into it.
    public var labels: [String]

    public init(id: DepartmentID, name: String, description: String, labels: [String] = []) {
        self.id = id
        self.name = name
        self.description = description
        self.labels = labels
    }
}

/// The ordered set of departments a decision may name.
public struct DepartmentCatalog: Sendable, Hashable {
    public let departments: [Department]
    private let byID: [DepartmentID: Department]
    private let byLabel: [String: DepartmentID]

    public init(_ departments: [Department]) {
        self.departments = departments
        self.byID = Dictionary(departments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.byLabel = Dictionary(
            departments.flatMap { department in department.labels.map { ($0, department.id) } }, uniquingKeysWith: { first, _ in first })
    }

    public var ids: [DepartmentID] { departments.map(\.id) }
    public func contains(_ id: DepartmentID) -> Bool { byID[id] != nil }
    public subscript(id: DepartmentID) -> Department? { byID[id] }

    /// The department a training label stands for: the department with that id, else the one
    /// listing it in its `labels`, else the one whose id is the label
    /// ``DepartmentID/normalized(_:)``; nil when none.
    public func department(forLabel label: String) -> DepartmentID? {
        if byID[DepartmentID(label)] != nil { return DepartmentID(label) }
        if let id = byLabel[label] { return id }
        let normalized = DepartmentID.normalized(label)
        return byID[normalized] != nil ? normalized : nil
    }
}
