import Foundation
import SwitchyardStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a file beside the database, held for as long as
/// the store is open, so that a second process on the same SQLite file stops at start with a
/// clear error instead of sharing it. The kernel releases it when the process dies, even by
/// `kill -9`.
final class FileLock: Sendable {
    let path: String
    /// The open lock file; nil once released.
    private let descriptor: Mutex<Int32?>

    /// Takes the lock or throws `StoreError.inUse` naming the process that holds it.
    init(path: String, storePath: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.invalidLocation(
                "path \"\(storePath)\"", reason: "cannot open its lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw StoreError.inUse(storePath, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "another process")
        }
        let holder = "process \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(descriptor, 0)
        _ = holder.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Lets the next process (or a reopening) take the lock. Idempotent.
    func release() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            flock(open, LOCK_UN)
            close(open)
            descriptor = nil
        }
    }

    deinit {
        release()
    }
}
