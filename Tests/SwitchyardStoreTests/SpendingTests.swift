import Foundation
import SwitchyardStore
import Testing

/// The budget ledger and the answer cache on every engine: reservations that never together
/// pass the cap, however many callers race, settlements that replace a reservation by what
/// the call cost, cached answers that expire.
@Suite struct SpendingTests {
    @Test("100 concurrent reservations of 3 against a cap of 100: exactly 33 are granted", arguments: Engine.allCases)
    func concurrentReservationsNeverOverspend(engine: Engine) async throws {
        try await withStore(engine) { store throws in
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await store.reserveSpending(3, provider: "openai", day: "2026-12-03", cap: 100) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 33)
            #expect(try await store.spending(provider: "openai", day: "2026-12-03") == Spending(reservedMicros: 99, spentMicros: 0))
        }
    }

    @Test("settling gives the reservation back and counts the cost, which the cap then includes", arguments: Engine.allCases)
    func settlementsCount(engine: Engine) async throws {
        try await withStore(engine) { store throws in
            #expect(try await !store.reserveSpending(11, provider: "p", day: "2026-12-03", cap: 10), "larger than the cap itself")
            #expect(try await store.spending(provider: "p", day: "2026-12-03") == Spending())
            #expect(try await store.reserveSpending(10, provider: "p", day: "2026-12-03", cap: 10))
            try await store.settleSpending(reserved: 10, spent: 4, provider: "p", day: "2026-12-03")
            #expect(try await store.spending(provider: "p", day: "2026-12-03") == Spending(reservedMicros: 0, spentMicros: 4))
            #expect(try await store.reserveSpending(6, provider: "p", day: "2026-12-03", cap: 10))
            #expect(try await !store.reserveSpending(1, provider: "p", day: "2026-12-03", cap: 10), "4 spent and 6 reserved")
            #expect(try await store.reserveSpending(10, provider: "p", day: "2026-12-04", cap: 10), "a new day")
            #expect(try await store.reserveSpending(10, provider: "q", day: "2026-12-03", cap: 10), "another provider")
            // A call may cost more than it reserved (a provider that ignored max_tokens): it is counted.
            try await store.settleSpending(reserved: 6, spent: 9, provider: "p", day: "2026-12-03")
            #expect(try await store.spending(provider: "p", day: "2026-12-03") == Spending(reservedMicros: 0, spentMicros: 13))
        }
    }

    @Test("cached answers are found by key until they expire, replaced by key, and purged once expired", arguments: Engine.allCases)
    func cachedAnswers(engine: Engine) async throws {
        try await withStore(engine) { store throws in
            #expect(try await store.cachedAnswer(forKey: "k1", now: t0) == nil)
            try await store.cacheAnswer(#"{"department":"cards"}"#, forKey: "k1", expiresAt: t0 + 60)
            try await store.cacheAnswer(#"{"department":"fees"}"#, forKey: "k2", expiresAt: t0 + 10)
            #expect(try await store.cachedAnswer(forKey: "k1", now: t0 + 59) == #"{"department":"cards"}"#)
            #expect(try await store.cachedAnswer(forKey: "k1", now: t0 + 60) == nil, "expired")
            try await store.cacheAnswer(#"{"department":"other"}"#, forKey: "k1", expiresAt: t0 + 120)
            #expect(try await store.cachedAnswer(forKey: "k1", now: t0 + 60) == #"{"department":"other"}"#, "replaced")
            #expect(try await store.purgeExpiredAnswers(now: t0 + 30) == 1)
            #expect(try await store.cachedAnswer(forKey: "k1", now: t0 + 30) != nil)
        }
    }
}
