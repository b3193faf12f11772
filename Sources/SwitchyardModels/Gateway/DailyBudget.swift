public import SwitchyardCore

/// Where a provider's spending is counted for every replica (the store), by the day it
/// belongs to.
public protocol SpendingLedger: Sendable {
    /// Reserves `micros` (millionths of a dollar) of today's spending if today's total stays
    /// within `cap`; nil when it would not.
    func reserve(_ micros: Int64, cap: Int64) async throws -> BudgetReservation?
    /// Gives `reservation` back and counts `spentMicros` on its day.
    func settle(_ reservation: BudgetReservation, spentMicros: Int64) async throws
}

/// Money set aside for one call until it settles.
public struct BudgetReservation: Sendable, Hashable {
    public var day: String
    public var micros: Int64

    public init(day: String, micros: Int64) {
        self.day = day
        self.micros = micros
    }
}

/// A daily spending cap on one provider: before a call, the most it can cost (the prompt,
/// `max_tokens` of answer, every retry) is reserved; after, the reservation is replaced by
/// what the attempts cost. Calls racing on any replica never together pass the cap, because
/// the ledger reserves atomically.
public struct DailyBudget: Sendable {
    /// US dollars per day.
    public let capUSD: Double
    public let ledger: any SpendingLedger
    /// The most a call for this ticket can cost, in US dollars.
    public let worstCase: @Sendable (Ticket, DepartmentCatalog) -> Double

    public init(capUSD: Double, ledger: any SpendingLedger, worstCase: @escaping @Sendable (Ticket, DepartmentCatalog) -> Double) {
        self.capUSD = capUSD
        self.ledger = ledger
        self.worstCase = worstCase
    }

    /// Dollars as whole millionths, rounded up (a reservation never falls short).
    public static func micros(_ dollars: Double) -> Int64 {
        Int64((max(dollars, 0) * 1_000_000).rounded(.up))
    }
}
