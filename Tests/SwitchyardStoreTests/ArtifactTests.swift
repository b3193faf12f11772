import Foundation
import Testing
import SwitchyardStore

@Suite("Model artifacts")
struct ArtifactTests {
    @Test("artifacts round-trip, are replaced by name, and survive reopening", arguments: Engine.allCases)
    func artifactsRoundTripAndPersist(engine: Engine) async throws {
        try await StoreLocation.withFresh(engine) { location in
            let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await location.open { store in
                #expect(try await store.artifact(named: "local-model") == nil)
                try await store.saveArtifact(StoredArtifact(fingerprint: "v1", data: Data([1, 2, 3])), named: "local-model")
                try await store.saveArtifact(StoredArtifact(fingerprint: "v2", data: bytes), named: "local-model")
                try await store.saveArtifact(StoredArtifact(fingerprint: "empty", data: Data()), named: "empty")
                #expect(try await store.artifact(named: "local-model") == StoredArtifact(fingerprint: "v2", data: bytes))
            }
            try await location.open { reopened throws in
                #expect(try await reopened.artifact(named: "local-model") == StoredArtifact(fingerprint: "v2", data: bytes))
                #expect(try await reopened.artifact(named: "empty") == StoredArtifact(fingerprint: "empty", data: Data()))
            }
        }
    }
}
