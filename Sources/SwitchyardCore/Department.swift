/// The identifier of a department, as written in the configuration (`cards`, `billing`).
public struct DepartmentID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, Comparable
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
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

    public init(id: DepartmentID, name: String, description: String) {
        self.id = id
        self.name = name
        self.description = description
    }
}

/// The ordered set of departments a decision may name.
public struct DepartmentCatalog: Sendable, Hashable {
    public let departments: [Department]
    private let byID: [DepartmentID: Department]

    public init(_ departments: [Department]) {
        self.departments = departments
        self.byID = Dictionary(departments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var ids: [DepartmentID] { departments.map(\.id) }
    public func contains(_ id: DepartmentID) -> Bool { byID[id] != nil }
    public subscript(id: DepartmentID) -> Department? { byID[id] }
}
