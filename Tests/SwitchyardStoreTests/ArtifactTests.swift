import Foundation
import Testing
@testable import SwitchyardStore

@Suite("Model artifacts")
struct ArtifactTests {
    @Test("artifacts round-trip, are replaced by name, and survive reopening")
    func artifactsRoundTripAndPersist() async throws {
        try await TemporaryStore.withFolder { temporary in
            let store = try temporary.open()
            #expect(try await store.artifact(named: "local-model") == nil)

            let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await store.saveArtifact(StoredArtifact(fingerprint: "v1", data: Data([1, 2, 3])), named: "local-model")
            try await store.saveArtifact(StoredArtifact(fingerprint: "v2", data: bytes), named: "local-model")
            try await store.saveArtifact(StoredArtifact(fingerprint: "empty", data: Data()), named: "empty")
            #expect(try await store.artifact(named: "local-model") == StoredArtifact(fingerprint: "v2", data: bytes))
            try await store.close()

            let reopened = try temporary.open()
            #expect(try await reopened.artifact(named: "local-model") == StoredArtifact(fingerprint: "v2", data: bytes))
            #expect(try await reopened.artifact(named: "empty") == StoredArtifact(fingerprint: "empty", data: Data()))
            try await reopened.close()
        }
    }
}
